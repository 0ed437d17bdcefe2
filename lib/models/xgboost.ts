// Gradient-boosted trees: trained by XGBoost compiled to WASM (ml-xgboost 1.1.2), served by pure-JS trees parsed from the model bytes.
//
// Training needs the WASM (await xgboostReady() once). Everything after training — predictOne, predictProba,
// nativeImportance, treeStructure, toJSON and loadXGBoost — reads trees parsed from XGBoost's own binary model and
// never touches the WASM, so a serving process can load a saved model without loading XGBoost at all.
//
// Facts about the WASM build that shape this file (checked against its strings and behaviour):
// - It is a 2017 XGBoost master (0.6-0.7 era; no version string is compiled in: it has survival:cox, gpu_hist and
//   monotone_constraints but not the 0.7 linear updaters). Models are saved in the legacy binary format parsed below.
// - ml-xgboost builds every DMatrix with missing = -1: an input exactly -1 is treated as MISSING and a NaN aborts
//   the WASM (an uncatchable C++ CHECK). We therefore send NaN as -1 (missing, the XGBoost convention users expect)
//   and a genuine -1 as the next float32 above it, -0.99999994 (same ordering against every possible threshold).
// - Features are float32 inside XGBoost; thresholds are float32. The parser converts each threshold into the exact
//   float64 boundary b with  (float32(x) < t)  <=>  (x < b),  so JS scoring on float64 rows matches XGBoost exactly.
// - There is no sample-weight input (XGDMatrixSetFloatInfo is not exported). Class-constant weights are mapped exactly
//   onto scale_pos_weight plus rescaled regularization (see `fit`); arbitrary per-row weights are refused.
import { createRequire } from "node:module";
import type { Labels, Matrix } from "../core/matrix";
import type { Capabilities, Classifier, FitOptions, SerializedClassifier } from "./classifier";
import { CompiledEnsemble, type Tree, type TreeEnsemble, fillNodeMeans, gainImportance } from "./trees";

// ---------------------------------------------------------------------------------------------------------------
// WASM loading

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: unknown[]) => unknown;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  printErr: (text: string) => void;
}

interface WasmApi {
  module: EmscriptenModule;
  createModel(data: number, labels: number, rows: number, cols: number): number;
  setParam(handle: number, name: string, value: string): void;
  train(handle: number, rounds: number): void;
  saveModel(handle: number): number;
  getFileContent(ptr: number, size: number): void;
  loadModel(ptr: number, size: number): number;
  freeModel(handle: number): void;
  predictOne(handle: number, data: number, cols: number, out: number): number;
}

let wasm: WasmApi | null = null;
let loading: Promise<void> | null = null;
/** Loads ml-xgboost synchronously on first use, which an `import` cannot: a process that only scores never loads it. */
const requireOnDemand = createRequire(__filename);

/** Notices printed on every start-up (Emscripten) or every "hist" fit (XGBoost) although nothing is wrong. */
const BENIGN_STDERR = [
  /^wasm streaming compile failed/,
  /^falling back to ArrayBuffer instantiation/,
  /Tree method is selected to be 'hist'/,
];

/** Loads XGBoost's WASM once; afterwards `createXGBoost(...).fit` runs synchronously. Safe to call repeatedly. */
export function xgboostReady(): Promise<void> {
  if (loading) return loading;
  loading = (async () => {
    // Requiring the package starts the asynchronous WASM instantiation and exports a promise of the XGBoost class.
    const ready = requireOnDemand("ml-xgboost") as Promise<unknown>;
    const module = requireOnDemand("ml-xgboost/dist/wasm/xgboost") as EmscriptenModule;
    const printErr = module.printErr;
    module.printErr = (text: string) => {
      if (!BENIGN_STDERR.some((re) => re.test(String(text)))) printErr(text);
    };
    await ready;
    const f = (name: string, ret: string | null, args: string[]) => module.cwrap(name, ret, args);
    const n = "number";
    wasm = {
      module,
      createModel: f("create_model", n, [n, n, n, n]) as WasmApi["createModel"],
      setParam: f("set_param", null, [n, "string", "string"]),
      train: f("train_full_model", null, [n, n]),
      saveModel: f("save_model", n, [n]) as WasmApi["saveModel"],
      getFileContent: f("get_file_content", null, [n, n]),
      loadModel: f("load_model", n, [n, n]) as WasmApi["loadModel"],
      freeModel: f("free_memory_model", null, [n]),
      predictOne: f("predict_one", n, [n, n, n, n]) as WasmApi["predictOne"],
    };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** True once `xgboostReady()` has resolved in this process. */
export function isXGBoostReady(): boolean {
  return wasm !== null;
}

function requireWasm(): WasmApi {
  if (!wasm) throw new Error("XGBoost's WASM is not loaded: `await xgboostReady()` before fitting (loaded models predict without it).");
  return wasm;
}

// ---------------------------------------------------------------------------------------------------------------
// Parameters

export interface XGBoostParams {
  /** Boosting rounds (trees). */
  nRounds: number;
  /** Learning rate (shrinkage). */
  eta: number;
  maxDepth: number;
  /** Minimum hessian sum in a child. */
  minChildWeight: number;
  /** Row subsampling per tree. */
  subsample: number;
  /** Column subsampling per tree. */
  colsampleByTree: number;
  /** L2 regularization on leaf weights. */
  lambda: number;
  /** L1 regularization on leaf weights. */
  alpha: number;
  /** Minimum loss reduction to split (min_split_loss). */
  gamma: number;
  /** Weight of the positive class in the gradient (class weighting). */
  scalePosWeight: number;
  /** XGBoost `seed`; the same data, params and seed give the same model. */
  seed: number;
  /**
   * Initial prediction (probability). "mean" = the training churn rate (weighted by scalePosWeight), which is what
   * XGBoost >= 2.0 estimates by default; a number is passed as XGBoost's base_score (old default 0.5).
   */
  baseScore: number | "mean";
  /** XGBoost tree_method; "exact" is the greedy algorithm (default here), "hist" the histogram one. */
  treeMethod: "exact" | "hist";
}

export const DEFAULT_XGBOOST_PARAMS: Readonly<XGBoostParams> = Object.freeze({
  nRounds: 300,
  eta: 0.05,
  maxDepth: 4,
  minChildWeight: 1,
  subsample: 0.8,
  colsampleByTree: 0.8,
  lambda: 1,
  alpha: 0,
  gamma: 0,
  scalePosWeight: 1,
  seed: 0,
  baseScore: "mean",
  treeMethod: "exact",
});

const PARAM_KEYS = Object.keys(DEFAULT_XGBOOST_PARAMS) as (keyof XGBoostParams)[];

function checkNumber(name: string, v: unknown, ok: (x: number) => boolean, what: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) throw new RangeError(`xgboost: ${name} must be ${what}, got ${String(v)}`);
  return v;
}

/** Fills defaults and validates: XGBoost aborts the WASM (uncatchably) on bad parameters, so they never reach it. */
export function resolveXGBoostParams(params: Record<string, unknown> = {}): XGBoostParams {
  for (const key of Object.keys(params)) {
    if (!(PARAM_KEYS as string[]).includes(key))
      throw new RangeError(`xgboost: unknown parameter "${key}" (known: ${PARAM_KEYS.join(", ")})`);
  }
  const p = { ...DEFAULT_XGBOOST_PARAMS, ...params } as Record<string, unknown>;
  const int = (x: number) => Number.isInteger(x);
  const baseScore = p["baseScore"];
  if (baseScore !== "mean") checkNumber("baseScore", baseScore, (x) => x > 0 && x < 1, 'a probability strictly between 0 and 1, or "mean"');
  const treeMethod = p["treeMethod"];
  if (treeMethod !== "exact" && treeMethod !== "hist")
    throw new RangeError(`xgboost: treeMethod must be "exact" or "hist", got ${String(treeMethod)}`);
  return {
    nRounds: checkNumber("nRounds", p["nRounds"], (x) => int(x) && x >= 1 && x <= 100_000, "an integer in [1, 100000]"),
    eta: checkNumber("eta", p["eta"], (x) => x > 0 && x <= 1, "in (0, 1]"),
    maxDepth: checkNumber("maxDepth", p["maxDepth"], (x) => int(x) && x >= 1 && x <= 30, "an integer in [1, 30]"),
    minChildWeight: checkNumber("minChildWeight", p["minChildWeight"], (x) => x >= 0, ">= 0"),
    subsample: checkNumber("subsample", p["subsample"], (x) => x > 0 && x <= 1, "in (0, 1]"),
    colsampleByTree: checkNumber("colsampleByTree", p["colsampleByTree"], (x) => x > 0 && x <= 1, "in (0, 1]"),
    lambda: checkNumber("lambda", p["lambda"], (x) => x >= 0, ">= 0"),
    alpha: checkNumber("alpha", p["alpha"], (x) => x >= 0, ">= 0"),
    gamma: checkNumber("gamma", p["gamma"], (x) => x >= 0, ">= 0"),
    scalePosWeight: checkNumber("scalePosWeight", p["scalePosWeight"], (x) => x > 0, "> 0"),
    seed: checkNumber("seed", p["seed"], (x) => int(x) && x >= -(2 ** 31) && x < 2 ** 31, "a 32-bit integer"),
    baseScore: baseScore as number | "mean",
    treeMethod,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Float32 semantics

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The largest float32 below the float32 `t`. */
function float32Below(t: number): number {
  if (t === 0) return -1.401298464324817e-45;
  f32[0] = t;
  if (t > 0) u32[0] = (u32[0] as number) - 1;
  else u32[0] = (u32[0] as number) + 1;
  return f32[0];
}

/** The smallest double above `v`. */
function float64Above(v: number): number {
  if (v === 0) return Number.MIN_VALUE;
  f64[0] = v;
  if (v > 0) u64[0] = (u64[0] as bigint) + 1n;
  else u64[0] = (u64[0] as bigint) - 1n;
  return f64[0];
}

/**
 * For a float32 threshold t, the double b such that for every double x:  Math.fround(x) < t  <=>  x < b.
 * (Rounding is monotone, so the set is a half-line ending halfway to the float32 below t; the tie goes to the even one.)
 */
export function float32LessBoundary(t: number): number {
  if (!Number.isFinite(t)) return t;
  const below = float32Below(t);
  const mid = (below + t) / 2; // exact in float64
  return Math.fround(mid) === t ? mid : float64Above(mid);
}

/** ml-xgboost's missing marker (-1) and what a genuine -1 is sent as: the next float32 above -1. */
const WASM_MISSING = -1;
const MINUS_ONE_STANDIN = Math.fround(-1 + 2 ** -24);

/** The float32 XGBoost sees for an input value (NaN = missing). */
function toWasmValue(v: number): number {
  if (v !== v) return WASM_MISSING;
  const r = Math.fround(v);
  return r === -1 ? MINUS_ONE_STANDIN : r;
}

// ---------------------------------------------------------------------------------------------------------------
// Legacy binary model format (XGBoost <= 0.90 `save_model` / XGBoosterSaveModel), little-endian:
//   ["binf"]                                   optional 4-byte header
//   LearnerModelParam  136 B: f32 base_score (already a margin), u32 num_feature, i32 num_class,
//                             i32 contain_extra_attrs, i32 contain_eval_metrics, i32 reserved[29]
//   string name_obj, string name_gbm           u64 length + bytes
//   GBTreeModelParam   160 B: i32 num_trees, i32 num_roots, i32 num_feature, i32 pad, i64 num_pbuffer_deprecated,
//                             i32 num_output_group, i32 size_leaf_vector, i32 reserved[32]
//   num_trees x RegTree:
//     TreeParam        148 B: i32 num_roots, num_nodes, num_deleted, max_depth, num_feature, size_leaf_vector, reserved[31]
//     num_nodes x Node  20 B: i32 parent (bit 31: is left child), i32 cleft (-1 = leaf), i32 cright,
//                             u32 sindex (bits 0-30 feature, bit 31 default-left), f32 split_cond | leaf_value
//     num_nodes x RTreeNodeStat 16 B: f32 loss_chg, f32 sum_hess, f32 base_weight, i32 leaf_child_cnt
//     [vector<f32> leaf_vector when size_leaf_vector != 0]
//   i32 tree_info[num_trees]                   output group of each tree
//   then optional attributes / eval metric names (ignored here).

export interface ParsedXGBoostModel {
  /** base_score as stored: already transformed to margin (log-odds) by the objective before saving. */
  baseMargin: number;
  numFeature: number;
  numClass: number;
  objective: string;
  booster: string;
  ensemble: TreeEnsemble;
  /** Bytes the parse consumed up to and including tree_info. */
  bytesRead: number;
}

class Reader {
  private readonly view: DataView;
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) {
      throw new RangeError(
        `XGBoost model truncated: ${what} needs ${n} bytes at offset ${this.offset}, only ${this.bytes.length - this.offset} left`,
      );
    }
  }
  /** Little-endian reads at an absolute byte position (callers `need` the range first). */
  i32(pos: number): number {
    return this.view.getInt32(pos, true);
  }
  u32(pos: number): number {
    return this.view.getUint32(pos, true);
  }
  f32(pos: number): number {
    return this.view.getFloat32(pos, true);
  }
  string(what: string): string {
    this.need(8, what);
    let len = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    if (len >= 0xffffffffn) {
      // Very old models stored a 32-bit length in the high half after a 4-byte gap (learner.cc compatibility branch).
      this.need(4, what);
      this.offset += 4;
      len >>= 32n;
    }
    const n = Number(len);
    this.need(n, what);
    const s = Buffer.from(this.bytes.subarray(this.offset, this.offset + n)).toString("latin1");
    this.offset += n;
    return s;
  }
}

const LEARNER_PARAM_BYTES = 136;
const GBTREE_PARAM_BYTES = 160;
const TREE_PARAM_BYTES = 148;
const NODE_BYTES = 20;
const STAT_BYTES = 16;

/** The learner and gbtree headers: everything before the first tree. */
interface ModelHeader {
  baseMargin: number;
  numFeature: number;
  numClass: number;
  objective: string;
  booster: string;
  numTrees: number;
}

/** Reads and checks the optional "binf" magic, LearnerModelParam, the two names and GBTreeModelParam. */
function readModelHeader(r: Reader, bytes: Uint8Array): ModelHeader {
  if (bytes.length >= 4 && bytes[0] === 0x62 && bytes[1] === 0x69 && bytes[2] === 0x6e && bytes[3] === 0x66) r.offset = 4; // "binf"
  if (bytes.length >= 4 && bytes[0] === 0x7b) throw new RangeError("this is a JSON XGBoost model; only the legacy binary format is parsed");
  r.need(LEARNER_PARAM_BYTES, "LearnerModelParam");
  const baseMargin = r.f32(r.offset);
  const numFeature = r.u32(r.offset + 4);
  const numClass = r.i32(r.offset + 8);
  r.offset += LEARNER_PARAM_BYTES;
  const objective = r.string("objective name");
  const booster = r.string("booster name");
  if (booster !== "gbtree") throw new RangeError(`only gbtree models are supported, this one is "${booster}"`);
  if (numClass > 1) throw new RangeError(`multi-class models (num_class ${numClass}) are not supported`);

  r.need(GBTREE_PARAM_BYTES, "GBTreeModelParam");
  const numTrees = r.i32(r.offset);
  const numRoots = r.i32(r.offset + 4);
  const numOutputGroup = r.i32(r.offset + 24);
  const sizeLeafVector = r.i32(r.offset + 28);
  r.offset += GBTREE_PARAM_BYTES;
  if (numTrees < 0 || numRoots !== 1 || numOutputGroup !== 1 || sizeLeafVector !== 0) {
    throw new RangeError(
      `unsupported GBTree layout (num_trees ${numTrees}, num_roots ${numRoots}, num_output_group ${numOutputGroup}, size_leaf_vector ${sizeLeafVector})`,
    );
  }
  return { baseMargin, numFeature, numClass, objective, booster, numTrees };
}

/** Pre-order walk from the root: keeps reachable nodes only (pruning leaves deleted nodes in the array). */
function reachableNodes(r: Reader, t: number, numNodes: number, nodeBase: number): number[] {
  const order: number[] = [];
  const stack = [0];
  while (stack.length) {
    const k = stack.pop() as number;
    if (k < 0 || k >= numNodes) throw new RangeError(`tree ${t}: child index ${k} out of range`);
    if (order.length >= numNodes) throw new RangeError(`tree ${t}: cycle in child links`);
    order.push(k);
    const at = nodeBase + k * NODE_BYTES;
    const cleft = r.i32(at + 4);
    if (cleft !== -1) stack.push(r.i32(at + 8), cleft);
  }
  return order;
}

/** Reads tree `t` (TreeParam, nodes, stats) at the reader's offset into a renumbered Tree; leaves the offset after it. */
function readTree(r: Reader, t: number): Tree {
  r.need(TREE_PARAM_BYTES, `TreeParam of tree ${t}`);
  const roots = r.i32(r.offset);
  const numNodes = r.i32(r.offset + 4);
  const leafVec = r.i32(r.offset + 20);
  r.offset += TREE_PARAM_BYTES;
  if (roots !== 1 || numNodes < 1 || leafVec !== 0)
    throw new RangeError(`tree ${t}: unsupported TreeParam (num_roots ${roots}, num_nodes ${numNodes}, size_leaf_vector ${leafVec})`);
  r.need(numNodes * (NODE_BYTES + STAT_BYTES), `nodes of tree ${t}`);
  const nodeBase = r.offset;
  const statBase = nodeBase + numNodes * NODE_BYTES;
  const at = (k: number) => nodeBase + k * NODE_BYTES;
  const st = (k: number) => statBase + k * STAT_BYTES;
  const order = reachableNodes(r, t, numNodes, nodeBase);
  const n = order.length;
  const newIndex = new Map<number, number>();
  order.forEach((k, i) => newIndex.set(k, i));
  const tree: Tree = {
    left: new Int32Array(n),
    right: new Int32Array(n),
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    defaultLeft: new Uint8Array(n),
    value: new Float64Array(n),
    cover: new Float64Array(n),
    gain: new Float64Array(n),
  };
  order.forEach((k, i) => {
    const cleft = r.i32(at(k) + 4);
    tree.cover[i] = r.f32(st(k) + 4);
    if (cleft === -1) {
      tree.left[i] = -1;
      tree.right[i] = -1;
      tree.feature[i] = -1;
      tree.threshold[i] = Number.NaN;
      tree.value[i] = r.f32(at(k) + 16);
      return;
    }
    const sindex = r.u32(at(k) + 12);
    const cond = r.f32(at(k) + 16);
    tree.left[i] = newIndex.get(cleft) as number;
    tree.right[i] = newIndex.get(r.i32(at(k) + 8)) as number;
    tree.feature[i] = sindex & 0x7fffffff;
    tree.defaultLeft[i] = sindex >>> 31;
    // A genuine -1 reached XGBoost as the float32 just above -1, so a split exactly there must send -1 right.
    tree.threshold[i] = cond === MINUS_ONE_STANDIN ? float32LessBoundary(-1) : float32LessBoundary(cond);
    tree.gain[i] = r.f32(st(k));
  });
  fillNodeMeans(tree);
  r.offset = statBase + numNodes * STAT_BYTES;
  return tree;
}

/** The link function of a supported objective; any other objective is a RangeError. */
function objectiveLink(objective: string): TreeEnsemble["link"] {
  if (objective === "binary:logistic" || objective === "reg:logistic") return "logistic";
  if (objective === "reg:linear" || objective === "reg:squarederror") return "identity";
  throw new RangeError(`objective "${objective}" is not supported (binary:logistic, reg:logistic or reg:linear)`);
}

/** Parses a legacy-binary XGBoost gbtree model (binary:logistic or regression) into plain typed-array trees. */
export function parseXGBoostModel(bytes: Uint8Array): ParsedXGBoostModel {
  const r = new Reader(bytes);
  const { baseMargin, numFeature, numClass, objective, booster, numTrees } = readModelHeader(r, bytes);
  const trees: Tree[] = [];
  for (let t = 0; t < numTrees; t++) trees.push(readTree(r, t));
  r.need(4 * numTrees, "tree_info");
  r.offset += 4 * numTrees;

  const link = objectiveLink(objective);
  let nFeatures = numFeature;
  for (const tree of trees) for (const f of tree.feature) if (f >= nFeatures) nFeatures = f + 1;
  return { baseMargin, numFeature, numClass, objective, booster, ensemble: { nFeatures, baseMargin, link, trees }, bytesRead: r.offset };
}

// ---------------------------------------------------------------------------------------------------------------
// The classifier

export const XGBOOST_STATE_FORMAT = "xgboost-legacy-binary/base64";

export interface XGBoostState {
  format: typeof XGBOOST_STATE_FORMAT;
  /** XGBoost's own saved model (legacy binary format), base64; loadable by any XGBoost <= 1.x too. */
  model: string;
  nFeatures: number;
  nTrees: number;
  /** Stored base_score, in margin (log-odds) units; informational (it is read from `model`). */
  baseMargin: number;
}

/** Checks shape and labels; returns the row and column counts and the number of positive labels. */
function checkXGBoostData(X: Matrix, y: Labels): { rows: number; cols: number; positives: number } {
  const rows = X.length;
  if (rows === 0) throw new RangeError("xgboost: cannot fit on zero rows");
  if (y.length !== rows) throw new RangeError(`xgboost: X has ${rows} rows but y has ${y.length} labels`);
  const cols = (X[0] as Float64Array).length;
  if (cols === 0) throw new RangeError("xgboost: X has no columns");
  let positives = 0;
  for (let i = 0; i < rows; i++) {
    const label = y[i];
    if (label !== 0 && label !== 1) throw new RangeError(`xgboost: label ${String(label)} at row ${i} is not 0 or 1`);
    positives += label;
    if ((X[i] as Float64Array).length !== cols)
      throw new RangeError(`xgboost: row ${i} has ${(X[i] as Float64Array).length} columns, expected ${cols}`);
  }
  return { rows, cols, positives };
}

/** The weights [w0, w1] of class 0 and class 1; refuses weights that vary within a class (the WASM cannot take them). */
function classConstantWeights(w: ArrayLike<number>, y: Labels, rows: number): [number, number] {
  if (w.length !== rows) throw new RangeError(`xgboost: ${w.length} sample weights for ${rows} rows`);
  const seen: [number | null, number | null] = [null, null];
  for (let i = 0; i < rows; i++) {
    const wi = w[i] as number;
    if (!(wi > 0) || !Number.isFinite(wi)) throw new RangeError(`xgboost: sample weight ${wi} at row ${i} must be positive and finite`);
    const c = y[i] as 0 | 1;
    const prev = seen[c];
    if (prev === null) seen[c] = wi;
    else if (prev !== wi) {
      throw new Error(
        "xgboost (ml-xgboost WASM) has no per-row sample weights; only weights constant within each class (class weighting) can be honoured. Use scalePosWeight.",
      );
    }
  }
  return [seen[0] ?? 1, seen[1] ?? 1];
}

/** XGBoost's parameters as name/value strings, with class weights folded into scale_pos_weight and the regularization. */
function xgboostSettings(p: XGBoostParams, w0: number, w1: number, positives: number, rows: number): [string, string][] {
  const scalePosWeight = (p.scalePosWeight * w1) / w0;
  let baseScore: number;
  if (p.baseScore === "mean") {
    const pos = positives * scalePosWeight;
    baseScore = Math.min(1 - 1e-6, Math.max(1e-6, pos / (pos + (rows - positives))));
  } else baseScore = p.baseScore;
  return [
    ["booster", "gbtree"],
    ["objective", "binary:logistic"],
    ["silent", "1"],
    ["tree_method", p.treeMethod],
    ["seed", String(p.seed)],
    ["eta", String(p.eta)],
    ["max_depth", String(p.maxDepth)],
    ["min_child_weight", String(p.minChildWeight / w0)],
    ["subsample", String(p.subsample)],
    ["colsample_bytree", String(p.colsampleByTree)],
    ["lambda", String(p.lambda / w0)],
    ["alpha", String(p.alpha / w0)],
    ["gamma", String(p.gamma / w0)],
    ["scale_pos_weight", String(scalePosWeight)],
    ["base_score", String(baseScore)],
  ];
}

/** Copies X and y into WASM memory, trains, and returns the saved model bytes; frees every WASM allocation. */
function trainInWasm(api: WasmApi, X: Matrix, y: Labels, cols: number, settings: readonly [string, string][], nRounds: number): Uint8Array {
  const rows = X.length;
  const m = api.module;
  const dataPtr = m._malloc(rows * cols * 4);
  const labelPtr = m._malloc(rows * 4);
  let handle = 0;
  try {
    const heap = m.HEAPF32; // read after malloc: memory growth replaces the view
    let k = dataPtr >> 2;
    for (let i = 0; i < rows; i++) {
      const row = X[i] as Float64Array;
      for (let j = 0; j < cols; j++) heap[k++] = toWasmValue(row[j] as number);
    }
    for (let i = 0; i < rows; i++) heap[(labelPtr >> 2) + i] = y[i] as number;
    handle = api.createModel(dataPtr, labelPtr, rows, cols);
    for (const [name, value] of settings) api.setParam(handle, name, value);
    api.train(handle, nRounds);
    return saveBooster(api, handle);
  } finally {
    m._free(dataPtr);
    m._free(labelPtr);
    if (handle) api.freeModel(handle);
  }
}

export class XGBoostClassifier implements Classifier {
  readonly kind = "xgboost";
  readonly params: Record<string, unknown>;
  readonly capabilities: Capabilities = { sampleWeights: false, needsScaling: false };
  private readonly resolved: XGBoostParams;
  private bytes: Uint8Array | null = null;
  private parsed: ParsedXGBoostModel | null = null;
  private compiled: CompiledEnsemble | null = null;

  constructor(params: Record<string, unknown> = {}) {
    this.resolved = resolveXGBoostParams(params);
    this.params = { ...this.resolved };
  }

  /**
   * Trains through the WASM (requires `await xgboostReady()`), then parses the saved model for JS scoring and frees
   * all WASM memory. NaN = missing. `sampleWeights` are accepted only when constant within each class (w0 for 0,
   * w1 for 1): that is exactly scale_pos_weight·w1/w0 with lambda, alpha, gamma and min_child_weight divided by w0.
   */
  fit(X: Matrix, y: Labels, options: FitOptions = {}): void {
    const api = requireWasm();
    const { rows, cols, positives } = checkXGBoostData(X, y);
    const [w0, w1] = options.sampleWeights ? classConstantWeights(options.sampleWeights, y, rows) : [1, 1];
    const settings = xgboostSettings(this.resolved, w0, w1, positives, rows);
    this.setModel(trainInWasm(api, X, y, cols, settings, this.resolved.nRounds));
  }

  private setModel(bytes: Uint8Array): void {
    const parsed = parseXGBoostModel(bytes);
    this.bytes = bytes;
    this.parsed = parsed;
    this.compiled = new CompiledEnsemble(parsed.ensemble);
  }

  private model(): CompiledEnsemble {
    if (!this.compiled) throw new Error("xgboost: model is not fitted");
    return this.compiled;
  }

  predictProba(X: Matrix): Float64Array {
    const c = this.model();
    const out = new Float64Array(X.length);
    for (let i = 0; i < X.length; i++) {
      const x = X[i] as Float64Array;
      if (x.length !== c.nFeatures) throw new RangeError(`xgboost: row ${i} has ${x.length} columns, the model expects ${c.nFeatures}`);
      out[i] = c.predictOne(x);
    }
    return out;
  }

  predictOne(x: Float64Array): number {
    const c = this.model();
    if (x.length !== c.nFeatures) throw new RangeError(`xgboost: row has ${x.length} columns, the model expects ${c.nFeatures}`);
    return c.predictOne(x);
  }

  /** Log-odds before the sigmoid. */
  predictMargin(x: Float64Array): number {
    return this.model().margin(x);
  }

  /** Total gain per column (sum of loss_chg over the splits on it), normalized to sum 1. */
  nativeImportance(): Float64Array | null {
    return this.parsed ? gainImportance(this.parsed.ensemble) : null;
  }

  /** The trees (with covers, gains, node means and default directions) for TreeSHAP and inspection. Do not mutate. */
  treeStructure(): TreeEnsemble {
    if (!this.parsed) throw new Error("xgboost: model is not fitted");
    return this.parsed.ensemble;
  }

  /** XGBoost's own saved model bytes (legacy binary format). */
  modelBytes(): Uint8Array {
    if (!this.bytes) throw new Error("xgboost: model is not fitted");
    return this.bytes;
  }

  /** Details of the parsed model: objective, stored base margin, feature count. */
  modelInfo(): { objective: string; baseMargin: number; nFeatures: number; nTrees: number; bytes: number } {
    if (!this.parsed || !this.bytes) throw new Error("xgboost: model is not fitted");
    return {
      objective: this.parsed.objective,
      baseMargin: this.parsed.baseMargin,
      nFeatures: this.parsed.ensemble.nFeatures,
      nTrees: this.parsed.ensemble.trees.length,
      bytes: this.bytes.length,
    };
  }

  toJSON(): SerializedClassifier {
    if (!this.bytes || !this.parsed) throw new Error("xgboost: cannot serialize an unfitted model");
    const state: XGBoostState = {
      format: XGBOOST_STATE_FORMAT,
      model: Buffer.from(this.bytes).toString("base64"),
      nFeatures: this.parsed.ensemble.nFeatures,
      nTrees: this.parsed.ensemble.trees.length,
      baseMargin: this.parsed.baseMargin,
    };
    return { kind: this.kind, params: { ...this.params }, state };
  }

  /** Restores from XGBoost model bytes (pure JS, no WASM). */
  static fromModelBytes(bytes: Uint8Array, params: Record<string, unknown> = {}): XGBoostClassifier {
    const c = new XGBoostClassifier(params);
    c.setModel(Uint8Array.from(bytes));
    return c;
  }
}

function saveBooster(api: WasmApi, handle: number): Uint8Array {
  const size = api.saveModel(handle);
  if (!(size > 0)) throw new Error("xgboost: the WASM failed to save the trained model");
  const ptr = api.module._malloc(size);
  try {
    api.getFileContent(ptr, size);
    return api.module.HEAPU8.slice(ptr, ptr + size);
  } finally {
    api.module._free(ptr);
  }
}

/** A new, unfitted XGBoost classifier (kind "xgboost"); fitting needs `await xgboostReady()` first. */
export function createXGBoost(params: Record<string, unknown> = {}): XGBoostClassifier {
  return new XGBoostClassifier(params);
}

/** Restores a serialized XGBoost classifier; predicts in pure JS, without loading the WASM. */
export function loadXGBoost(serialized: SerializedClassifier): XGBoostClassifier {
  if (serialized.kind !== "xgboost") throw new RangeError(`not an xgboost model: kind "${serialized.kind}"`);
  const state = serialized.state as Partial<XGBoostState> | null;
  if (!state || state.format !== XGBOOST_STATE_FORMAT || typeof state.model !== "string") {
    throw new RangeError(`xgboost state must have format "${XGBOOST_STATE_FORMAT}" and a base64 model`);
  }
  const c = XGBoostClassifier.fromModelBytes(new Uint8Array(Buffer.from(state.model, "base64")), serialized.params);
  const info = c.modelInfo();
  if (state.nFeatures !== undefined && state.nFeatures !== info.nFeatures) {
    throw new RangeError(`xgboost state says ${state.nFeatures} features but the model has ${info.nFeatures}`);
  }
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// WASM scoring, for verification and benchmarks (and a fallback): one booster loaded from bytes, one reused buffer.

export interface WasmPredictor {
  predictOne(x: ArrayLike<number>): number;
  predictProba(X: Matrix): Float64Array;
  /** Frees the WASM booster and buffers; the predictor is unusable afterwards. */
  free(): void;
}

/** Loads model bytes into XGBoost's WASM (requires `xgboostReady()`) and scores rows with a single reused input buffer. */
export function createWasmPredictor(model: XGBoostClassifier | Uint8Array): WasmPredictor {
  const api = requireWasm();
  const m = api.module;
  const bytes = model instanceof Uint8Array ? model : model.modelBytes();
  const nFeatures = parseXGBoostModel(bytes).ensemble.nFeatures;
  const src = m._malloc(bytes.length);
  m.HEAPU8.set(bytes, src);
  const handle = api.loadModel(src, bytes.length);
  m._free(src);
  if (!handle) throw new Error("xgboost: the WASM could not load the model bytes");
  const input = m._malloc(nFeatures * 4);
  const output = m._malloc(64);
  let live = true;
  const predictOne = (x: ArrayLike<number>): number => {
    if (!live) throw new Error("xgboost: WASM predictor already freed");
    const heap = m.HEAPF32;
    const base = input >> 2;
    for (let j = 0; j < nFeatures; j++) heap[base + j] = toWasmValue(x[j] as number);
    api.predictOne(handle, input, nFeatures, output);
    return m.HEAPF32[output >> 2] as number;
  };
  return {
    predictOne,
    predictProba(X: Matrix): Float64Array {
      const out = new Float64Array(X.length);
      for (let i = 0; i < X.length; i++) out[i] = predictOne(X[i] as Float64Array);
      return out;
    },
    free(): void {
      if (!live) return;
      live = false;
      m._free(input);
      m._free(output);
      api.freeModel(handle);
    },
  };
}
