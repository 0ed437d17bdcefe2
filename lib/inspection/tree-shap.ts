// Tree attributions: exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2), the O(depth) decision-path
// attribution the API uses, and a brute-force Shapley reference for tests. All are per model column (a tree splits on
// one-hot levels and derived features); reasons.ts aggregateByField folds them into raw customer fields.
import { CompiledEnsemble, type Tree, type TreeEnsemble, treeDepth } from "../models/trees";
import type { Attribution } from "./attribution";

/** Which child a row takes at internal node i (NaN goes to the node's default side). */
function child(tree: Tree, i: number, x: ArrayLike<number>): number {
  const v = x[tree.feature[i] as number] as number;
  if (Number.isNaN(v)) return (tree.defaultLeft[i] ? tree.left[i] : tree.right[i]) as number;
  return (v < (tree.threshold[i] as number) ? tree.left[i] : tree.right[i]) as number;
}

/** The leaf value a row reaches in one tree. */
export function treeOutput(tree: Tree, x: ArrayLike<number>): number {
  let i = 0;
  while ((tree.left[i] as number) >= 0) i = child(tree, i, x);
  return tree.value[i] as number;
}

/** Ensemble output in margin units (before the link): baseMargin + sum of leaves. */
export function ensembleMargin(ensemble: TreeEnsemble, x: ArrayLike<number>): number {
  let m = ensemble.baseMargin;
  for (const t of ensemble.trees) m += treeOutput(t, x);
  return m;
}

/** Share of node i's cover that goes to child c (falls back to an even split when covers are zero). */
function coverShare(tree: Tree, i: number, c: number): number {
  const l = tree.left[i] as number;
  const r = tree.right[i] as number;
  const cl = tree.cover[l] as number;
  const cr = tree.cover[r] as number;
  // Children's covers, not the parent's: robust to float32 rounding in XGBoost's stored hessian sums.
  return cl + cr > 0 ? (tree.cover[c] as number) / (cl + cr) : 0.5;
}

const expectationCache = new WeakMap<Tree, Float64Array>();
const ensembleExpectations = new WeakMap<TreeEnsemble, Float64Array[]>();
const compiledEnsembles = new WeakMap<TreeEnsemble, CompiledEnsemble>();

/** Every node's cover-weighted expected leaf value (the weights TreeSHAP uses), computed once per tree and cached. */
export function nodeExpectations(tree: Tree): Float64Array {
  const cached = expectationCache.get(tree);
  if (cached) return cached;
  const n = tree.left.length;
  const e = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const l = tree.left[i] as number;
    if (l < 0) {
      e[i] = tree.value[i] as number;
      continue;
    }
    const r = tree.right[i] as number;
    e[i] = coverShare(tree, i, l) * (e[l] as number) + coverShare(tree, i, r) * (e[r] as number);
  }
  expectationCache.set(tree, e);
  return e;
}

/** Cover-weighted expected leaf value of a tree (TreeSHAP's base value), computed with the same weights TreeSHAP uses. */
export function treeExpectedValue(tree: Tree): number {
  return nodeExpectations(tree)[0] as number;
}

/**
 * Decision-path attribution (Saabas; the "treeinterpreter" method): along the path a row takes, each split's feature
 * is credited with the change in the node's expected value. Exactly additive like TreeSHAP (expectedValue + sum =
 * output, same base value), O(depth) per tree instead of O(leaves x depth²), but not consistent: a feature split on
 * near the root can be over- or under-credited. The API uses it for its reasons; notebooks and reports use TreeSHAP.
 */
export function pathAttribution(ensemble: TreeEnsemble, x: ArrayLike<number>): Attribution {
  if (x.length !== ensemble.nFeatures) throw new RangeError(`row has ${x.length} columns, the ensemble ${ensemble.nFeatures}`);
  const values = new Float64Array(ensemble.nFeatures);
  let compiled = compiledEnsembles.get(ensemble);
  if (!compiled) {
    compiled = new CompiledEnsemble(ensemble);
    compiledEnsembles.set(ensemble, compiled);
  }
  // Fast path: the branch-free padded layout of shallow ensembles (boosting); deep trees and NaN walk the trees below.
  const fast = compiled.pathAttributionInto(x, values, (t) => nodeExpectations(ensemble.trees[t] as Tree));
  if (fast) return { ...fast, values };
  let expectedValue = ensemble.baseMargin;
  let output = ensemble.baseMargin;
  let all = ensembleExpectations.get(ensemble);
  if (!all) {
    all = ensemble.trees.map(nodeExpectations);
    ensembleExpectations.set(ensemble, all);
  }
  for (let k = 0; k < ensemble.trees.length; k++) {
    const t = ensemble.trees[k] as Tree;
    const e = all[k] as Float64Array;
    expectedValue += e[0] as number;
    let i = 0;
    while ((t.left[i] as number) >= 0) {
      const c = child(t, i, x);
      const f = t.feature[i] as number;
      values[f] = (values[f] as number) + (e[c] as number) - (e[i] as number);
      i = c;
    }
    output += t.value[i] as number;
  }
  return { expectedValue, values, output };
}

/** The unique-path storage of Algorithm 2, one triangular block of levels in flat arrays. */
class PathBuffer {
  readonly feature: Int32Array;
  readonly zero: Float64Array;
  readonly one: Float64Array;
  readonly weight: Float64Array;
  constructor(size: number) {
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.weight = new Float64Array(size);
  }
}

function extendPath(m: PathBuffer, at: number, depth: number, zero: number, one: number, feature: number): void {
  m.feature[at + depth] = feature;
  m.zero[at + depth] = zero;
  m.one[at + depth] = one;
  m.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    m.weight[at + i + 1] = (m.weight[at + i + 1] as number) + (one * (m.weight[at + i] as number) * (i + 1)) / (depth + 1);
    m.weight[at + i] = (zero * (m.weight[at + i] as number) * (depth - i)) / (depth + 1);
  }
}

function unwindPath(m: PathBuffer, at: number, depth: number, index: number): void {
  const one = m.one[at + index] as number;
  const zero = m.zero[at + index] as number;
  let next = m.weight[at + depth] as number;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = m.weight[at + i] as number;
      m.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - ((m.weight[at + i] as number) * zero * (depth - i)) / (depth + 1);
    } else {
      m.weight[at + i] = ((m.weight[at + i] as number) * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    m.feature[at + i] = m.feature[at + i + 1] as number;
    m.zero[at + i] = m.zero[at + i + 1] as number;
    m.one[at + i] = m.one[at + i + 1] as number;
  }
}

function unwoundPathSum(m: PathBuffer, at: number, depth: number, index: number): number {
  const one = m.one[at + index] as number;
  const zero = m.zero[at + index] as number;
  let next = m.weight[at + depth] as number;
  let total = 0;
  if (one !== 0) {
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next / ((i + 1) * one);
      total += tmp;
      next = (m.weight[at + i] as number) - tmp * zero * (depth - i);
    }
  } else {
    for (let i = depth - 1; i >= 0; i--) total += (m.weight[at + i] as number) / (zero * (depth - i));
  }
  return total * (depth + 1);
}

/** Adds one tree's path-dependent SHAP values for row x to phi (Algorithm 2). */
export function treeShapInto(tree: Tree, x: ArrayLike<number>, phi: Float64Array): void {
  const maxd = treeDepth(tree) + 2;
  const m = new PathBuffer((maxd * (maxd + 1)) / 2 + maxd);
  const recurse = (node: number, parentAt: number, depth: number, zero: number, one: number, feature: number): void => {
    // Copy the parent's path (depth entries) into this level's block, then extend it.
    const at = parentAt + depth;
    if (depth > 0) {
      m.feature.copyWithin(at, parentAt, parentAt + depth);
      m.zero.copyWithin(at, parentAt, parentAt + depth);
      m.one.copyWithin(at, parentAt, parentAt + depth);
      m.weight.copyWithin(at, parentAt, parentAt + depth);
    }
    extendPath(m, at, depth, zero, one, feature);
    const l = tree.left[node] as number;
    if (l < 0) {
      const v = tree.value[node] as number;
      for (let i = 1; i <= depth; i++) {
        const w = unwoundPathSum(m, at, depth, i);
        const f = m.feature[at + i] as number;
        phi[f] = (phi[f] as number) + w * ((m.one[at + i] as number) - (m.zero[at + i] as number)) * v;
      }
      return;
    }
    const split = tree.feature[node] as number;
    const hot = child(tree, node, x);
    const cold = hot === l ? (tree.right[node] as number) : l;
    let inZero = 1;
    let inOne = 1;
    let d = depth;
    let k = 0;
    for (; k <= d; k++) if (m.feature[at + k] === split) break;
    if (k <= d) {
      inZero = m.zero[at + k] as number;
      inOne = m.one[at + k] as number;
      unwindPath(m, at, d, k);
      d -= 1;
    }
    recurse(hot, at, d + 1, coverShare(tree, node, hot) * inZero, inOne, split);
    recurse(cold, at, d + 1, coverShare(tree, node, cold) * inZero, 0, split);
  };
  // The root's path holds one dummy element (feature -1); level blocks start after it.
  recurse(0, 0, 0, 1, 1, -1);
}

/**
 * Path-dependent TreeSHAP of an additive tree ensemble, in margin units: expectedValue + sum(values) = output =
 * baseMargin + sum of leaves (XGBoost: the log-odds; random forest, identity link: the probability).
 */
export function treeShap(ensemble: TreeEnsemble, x: ArrayLike<number>): Attribution {
  if (x.length !== ensemble.nFeatures) throw new RangeError(`row has ${x.length} columns, the ensemble ${ensemble.nFeatures}`);
  const values = new Float64Array(ensemble.nFeatures);
  let expectedValue = ensemble.baseMargin;
  for (const t of ensemble.trees) {
    treeShapInto(t, x, values);
    expectedValue += treeExpectedValue(t);
  }
  return { expectedValue, values, output: ensembleMargin(ensemble, x) };
}

/**
 * E[f(x) | x_S] in the path-dependent sense (Algorithm 1): follow x on splits over S, cover-weighted average elsewhere.
 */
export function conditionalExpectation(tree: Tree, x: ArrayLike<number>, known: ReadonlySet<number>): number {
  const go = (i: number): number => {
    const l = tree.left[i] as number;
    if (l < 0) return tree.value[i] as number;
    if (known.has(tree.feature[i] as number)) return go(child(tree, i, x));
    const r = tree.right[i] as number;
    return coverShare(tree, i, l) * go(l) + coverShare(tree, i, r) * go(r);
  };
  return go(0);
}

/**
 * Exact Shapley values by enumerating every coalition of the features the ensemble splits on (2^k evaluations of
 * Algorithm 1): a reference for TreeSHAP on tiny trees. Refuses more than 16 used features.
 */
export function bruteForceTreeShapley(ensemble: TreeEnsemble, x: ArrayLike<number>): Float64Array {
  const used = new Set<number>();
  for (const t of ensemble.trees) for (const f of t.feature) if (f >= 0) used.add(f);
  const feats = [...used].sort((a, b) => a - b);
  const k = feats.length;
  if (k > 16) throw new RangeError(`brute-force Shapley over ${k} features is too slow`);
  const v = new Float64Array(1 << k);
  for (let mask = 0; mask < 1 << k; mask++) {
    const s = new Set(feats.filter((_, i) => mask & (1 << i)));
    let total = 0;
    for (const t of ensemble.trees) total += conditionalExpectation(t, x, s);
    v[mask] = total;
  }
  const fact = [1];
  for (let i = 1; i <= k; i++) fact.push((fact[i - 1] as number) * i);
  const phi = new Float64Array(ensemble.nFeatures);
  feats.forEach((f, i) => {
    let s = 0;
    for (let mask = 0; mask < 1 << k; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let b = mask; b; b &= b - 1) size++;
      const w = ((fact[size] as number) * (fact[k - size - 1] as number)) / (fact[k] as number);
      s += w * ((v[mask | (1 << i)] as number) - (v[mask] as number));
    }
    phi[f] = s;
  });
  return phi;
}
