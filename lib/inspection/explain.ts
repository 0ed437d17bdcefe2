// Per-customer reasons: exact additive contributions (linear: coefficient x deviation from the average customer;
// trees: path-dependent TreeSHAP, Lundberg et al. 2018, Algorithm 2), folded from model columns back to raw fields.
import { type DerivedValue, deriveFeatures } from "../features/derived";
import { LogisticRegressionModel } from "../models/logistic";
import { CompiledEnsemble, type Tree, type TreeEnsemble, sigmoid, treeDepth } from "../models/trees";
import type { CellValue, Customer } from "../core/schema";
import { type PipelineScorer, type Scorer, SoftVoteScorer, CalibratedScorer } from "../artifact/scorer";

/** Additive explanation of one row: output = expectedValue + sum(values). */
export interface Attribution {
  /** The model's output for the average (linear) or cover-weighted expected (trees) row. */
  expectedValue: number;
  /** One contribution per model column. */
  values: Float64Array;
  /** The model output explained (log-odds margin, or the forest's probability). */
  output: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Linear models

/**
 * Exact contributions of a linear logit: coef_j x (x_j - mean_j). `means` defaults to zeros, which is the training
 * mean of every column the pipeline standardized (the logistic family uses scale "all", so every column); pass the
 * training column means otherwise. expectedValue = intercept + sum coef_j x mean_j, the logit of the average customer.
 */
export function linearContributions(
  coefficients: ArrayLike<number>,
  intercept: number,
  x: ArrayLike<number>,
  means?: ArrayLike<number>,
): Attribution {
  if (x.length !== coefficients.length) throw new RangeError(`row has ${x.length} columns, the model ${coefficients.length}`);
  const values = new Float64Array(x.length);
  let base = intercept;
  let output = intercept;
  for (let j = 0; j < x.length; j++) {
    const w = coefficients[j] as number;
    const m = means ? (means[j] as number) : 0;
    values[j] = w * ((x[j] as number) - m);
    base += w * m;
    output += w * (x[j] as number);
  }
  return { expectedValue: base, values, output };
}

// ---------------------------------------------------------------------------------------------------------------
// Trees

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

// ---------------------------------------------------------------------------------------------------------------
// From model columns to raw fields

/**
 * The raw (or derived) field a pipeline column comes from: `Contract=Month-to-month` -> `Contract`,
 * `tenure_missing` -> `tenure`, `tenure_band=0-6` -> `tenure_band`, `tenure` -> `tenure`.
 */
export function fieldOf(featureName: string): string {
  const eq = featureName.indexOf("=");
  if (eq >= 0) return featureName.slice(0, eq);
  if (featureName.endsWith("_missing")) return featureName.slice(0, -"_missing".length);
  return featureName;
}

const fieldCache = new WeakMap<readonly string[], { fields: string[]; index: Int32Array }>();

/** Distinct fields of a pipeline's columns (first-appearance order) and each column's field index; cached per array. */
function fieldIndex(featureNames: readonly string[]): { fields: string[]; index: Int32Array } {
  let cached = fieldCache.get(featureNames);
  if (!cached) {
    const fields: string[] = [];
    const position = new Map<string, number>();
    const index = new Int32Array(featureNames.length);
    featureNames.forEach((name, j) => {
      const f = fieldOf(name);
      let k = position.get(f);
      if (k === undefined) {
        k = fields.length;
        fields.push(f);
        position.set(f, k);
      }
      index[j] = k;
    });
    cached = { fields, index };
    fieldCache.set(featureNames, cached);
  }
  return cached;
}

/** Sums column contributions per raw field, in first-appearance order. */
export function aggregateByField(featureNames: readonly string[], values: ArrayLike<number>): Map<string, number> {
  if (featureNames.length !== values.length) throw new RangeError(`${featureNames.length} names for ${values.length} contributions`);
  const { fields, index } = fieldIndex(featureNames);
  const sums = new Float64Array(fields.length);
  for (let j = 0; j < index.length; j++) sums[index[j] as number] = (sums[index[j] as number] as number) + (values[j] as number);
  const out = new Map<string, number>();
  for (let k = 0; k < fields.length; k++) out.set(fields[k] as string, sums[k] as number);
  return out;
}

/** The customer's value of a raw or derived field, as text ("missing" when unknown). */
export function fieldValue(customer: Customer, field: string, derived?: Record<string, DerivedValue>): string {
  const raw = Object.hasOwn(customer, field)
    ? (customer as unknown as Record<string, CellValue>)[field]
    : (derived ?? deriveFeatures(customer))[field];
  if (raw === null || raw === undefined) return "missing";
  if (typeof raw === "number") return Number.isInteger(raw) ? String(raw) : raw.toFixed(2);
  return String(raw);
}

export type ContributionUnit = "log-odds" | "probability";

export interface Reason {
  field: string;
  /** The customer's value of the field, as text. */
  value: string;
  /** Signed contribution (positive raises churn risk), in `unit`. */
  contribution: number;
  unit: ContributionUnit;
  /** "Contract is Month-to-month: +0.62 to the churn log-odds". */
  text: string;
}

function signed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return x >= 0 && !s.startsWith("-") ? `+${s}` : s.replace(/^-0(\.0+)?$/, "+0$1");
}

/** The k raw fields with the largest |contribution|, with the customer's value and a sentence each. */
export function topReasons(
  featureNames: readonly string[],
  values: ArrayLike<number>,
  customer: Customer,
  k = 3,
  unit: ContributionUnit = "log-odds",
): Reason[] {
  return reasonsFromFields(aggregateByField(featureNames, values), customer, k, unit);
}

/** The k fields with the largest |contribution| from per-field sums, with the customer's value and a sentence each. */
function reasonsFromFields(byField: ReadonlyMap<string, number>, customer: Customer, k: number, unit: ContributionUnit): Reason[] {
  if (k <= 0) return [];
  // Partial selection of the k largest: k is small and the sort of every field was most of the cost.
  const top: [string, number][] = [];
  for (const entry of byField) {
    const size = Math.abs(entry[1]);
    let at = top.length;
    while (
      at > 0 &&
      (size > Math.abs((top[at - 1] as [string, number])[1]) ||
        (size === Math.abs((top[at - 1] as [string, number])[1]) && entry[0].localeCompare((top[at - 1] as [string, number])[0]) < 0))
    )
      at--;
    if (at < k) {
      top.splice(at, 0, entry);
      if (top.length > k) top.pop();
    }
  }
  const derived = deriveFeatures(customer);
  return top.map(([field, contribution]) => {
    const value = fieldValue(customer, field, derived);
    const amount = unit === "log-odds" ? signed(contribution, 2) : `${signed(contribution * 100, 1)} points`;
    return {
      field,
      value,
      contribution,
      unit,
      text: `${field} is ${value}: ${amount} to the churn ${unit === "log-odds" ? "log-odds" : "probability"}`,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Scorers

/** How tree learners are explained: exact path-dependent TreeSHAP, or the O(depth) decision-path attribution. */
export type TreeMethod = "tree_shap" | "path";

export interface ExplainOptions {
  /** Default "tree_shap"; "path" is ~100-1000x cheaper and what the API uses (see pathAttribution). */
  trees?: TreeMethod;
}

export interface CustomerExplanation {
  scorer: string;
  /** How the contributions were computed. */
  method: "linear" | TreeMethod | "soft_vote";
  unit: ContributionUnit;
  /** Churn probability the scorer gives the customer. */
  probability: number;
  /** Output for the reference customer, in `unit`. */
  expectedValue: number;
  /** Output explained, in `unit`: expectedValue + sum of all field contributions. */
  output: number;
  /** Every raw field's contribution, in `unit`. */
  fields: Record<string, number>;
  reasons: Reason[];
  /** Soft-vote members left out because their learner cannot be explained (k-NN). */
  skipped?: string[];
}

function hasMethod<T extends string>(o: unknown, name: T): o is Record<T, () => unknown> {
  return typeof (o as Record<string, unknown> | null)?.[name] === "function";
}

/** Column-level attribution of one pipeline scorer on one customer, in the learner's own units. */
export function attributeColumns(
  scorer: PipelineScorer,
  customer: Customer,
  trees: TreeMethod = "tree_shap",
): { attribution: Attribution; unit: ContributionUnit; method: "linear" | TreeMethod } {
  const x = scorer.pipeline.transform(customer);
  const model = scorer.classifier;
  if (model instanceof LogisticRegressionModel) {
    const { intercept, coefficients } = model.coefficients();
    return { attribution: linearContributions(coefficients, intercept, x), unit: "log-odds", method: "linear" };
  }
  let ensemble: TreeEnsemble | null = null;
  if (hasMethod(model, "treeStructure")) ensemble = model.treeStructure() as TreeEnsemble;
  else if (hasMethod(model, "toEnsemble")) ensemble = model.toEnsemble() as TreeEnsemble;
  if (!ensemble) throw new Error(`cannot explain a ${model.kind} model: only linear and tree learners are supported`);
  const attribution = trees === "path" ? pathAttribution(ensemble, x) : treeShap(ensemble, x);
  return { attribution, unit: ensemble.link === "logistic" ? "log-odds" : "probability", method: trees };
}

/**
 * Explains one customer's score by raw field, and the k strongest reasons.
 *
 * - Logistic regression: exact coef x (x - mean) on the standardized design, in log-odds, against the average customer.
 * - XGBoost: TreeSHAP in log-odds; random forest: TreeSHAP in probability.
 * - Soft vote: each explainable member is explained and its contributions are put in probability space by scaling them
 *   with (p - p0) / (margin - margin0) (p0 = sigmoid of the member's expected margin), so they still add up exactly to
 *   the member's probability minus its reference probability; members are then averaged with the vote weights
 *   (renormalized over explained members). The result adds up exactly to the vote's probability (over explained
 *   members) minus the weighted reference probability. k-NN members cannot be explained and are listed in `skipped`.
 */
export function explainCustomer(scorer: Scorer, customer: Customer, k = 3, options: ExplainOptions = {}): CustomerExplanation {
  // A calibrator is monotone: the reasons are those of the model it calibrates, the probability the calibrated one.
  if (scorer instanceof CalibratedScorer)
    return { ...explainCustomer(scorer.base, customer, k, options), probability: scorer.scoreOne(customer) };
  if (scorer instanceof SoftVoteScorer) return explainSoftVote(scorer, customer, k, options);
  if (!hasMethod(scorer, "scoreOne") || !("pipeline" in scorer) || !("classifier" in scorer)) {
    throw new Error(`cannot explain scorer ${scorer.name}: not a pipeline scorer or soft vote`);
  }
  const ps = scorer as unknown as PipelineScorer;
  const { attribution, unit, method } = attributeColumns(ps, customer, options.trees);
  const byField = aggregateByField(ps.pipeline.featureNames, attribution.values);
  return {
    scorer: ps.name,
    method,
    unit,
    probability: ps.scoreOne(customer),
    expectedValue: attribution.expectedValue,
    output: attribution.output,
    fields: Object.fromEntries(byField),
    reasons: reasonsFromFields(byField, customer, k, unit),
  };
}

/**
 * Only the k strongest reasons of explainCustomer, without the per-field record and the probability: the API's path.
 * Same reasons as explainCustomer(scorer, customer, k, options).reasons.
 */
export function reasonsFor(scorer: Scorer, customer: Customer, k = 3, options: ExplainOptions = {}): Reason[] {
  if (k <= 0) return [];
  if (scorer instanceof CalibratedScorer) return reasonsFor(scorer.base, customer, k, options);
  if (scorer instanceof SoftVoteScorer) return explainSoftVote(scorer, customer, k, options).reasons;
  const ps = scorer as unknown as PipelineScorer;
  const { attribution, unit } = attributeColumns(ps, customer, options.trees);
  return reasonsFromFields(aggregateByField(ps.pipeline.featureNames, attribution.values), customer, k, unit);
}

function explainSoftVote(scorer: SoftVoteScorer, customer: Customer, k: number, options: ExplainOptions): CustomerExplanation {
  const fields = new Map<string, number>();
  const skipped: string[] = [];
  let totalWeight = 0;
  let base = 0;
  let output = 0;
  let probability = 0;
  scorer.members.forEach((member, i) => {
    const w = scorer.weights[i] ?? 0;
    let e: CustomerExplanation;
    try {
      e = explainCustomer(member, customer, 0, options);
    } catch {
      skipped.push(member.name);
      return;
    }
    let scale = 1;
    let p0 = e.expectedValue;
    let p1 = e.output;
    if (e.unit === "log-odds") {
      p0 = sigmoid(e.expectedValue);
      p1 = sigmoid(e.output);
      const dm = e.output - e.expectedValue;
      scale = Math.abs(dm) > 1e-12 ? (p1 - p0) / dm : p1 * (1 - p1);
    }
    totalWeight += w;
    base += w * p0;
    output += w * p1;
    probability += w * e.probability;
    for (const [f, v] of Object.entries(e.fields)) fields.set(f, (fields.get(f) ?? 0) + w * v * scale);
  });
  if (totalWeight <= 0) throw new Error(`cannot explain soft vote ${scorer.name}: no member is explainable`);
  const names = [...fields.keys()];
  const values = names.map((f) => (fields.get(f) as number) / totalWeight);
  const out: CustomerExplanation = {
    scorer: scorer.name,
    method: "soft_vote",
    unit: "probability",
    probability: skipped.length ? scorer.scoreOne(customer) : probability / totalWeight,
    expectedValue: base / totalWeight,
    output: output / totalWeight,
    fields: Object.fromEntries(names.map((f, j) => [f, values[j] as number])),
    reasons: topReasons(names, values, customer, k, "probability"),
  };
  if (skipped.length) out.skipped = skipped;
  return out;
}
