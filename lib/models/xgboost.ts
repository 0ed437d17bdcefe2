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
import type { Labels, Matrix } from "../core/matrix";
import type { Capabilities, Classifier, FitOptions, SerializedClassifier } from "./classifier";
import { CompiledEnsemble, type TreeEnsemble, gainImportance } from "./trees";
import { type ParsedXGBoostModel, parseXGBoostModel } from "./xgboost-format";
import { requireWasm, trainInWasm } from "./xgboost-wasm";

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
