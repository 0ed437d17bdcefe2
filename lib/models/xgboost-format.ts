// XGBoost's legacy binary model format (XGBoost <= 0.90 `save_model`) parsed into pure-JS trees, with float32
// thresholds turned into exact float64 boundaries so that scoring float64 rows in JS matches XGBoost bit for bit.
import { type Tree, type TreeEnsemble, fillNodeMeans } from "./trees";

/** What a genuine -1 is sent to the WASM as (-1 means missing there): the next float32 above -1. */
export const MINUS_ONE_STANDIN = Math.fround(-1 + 2 ** -24);

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
