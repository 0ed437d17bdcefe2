// Random forest: trees grown by ml-random-forest 2.1.0 / ml-cart 2.1.1, scored from flattened typed-array trees.
//
// Decision (for docs/decisions.md, "Random forest: ml-random-forest grows the trees, we bag, score and store them"):
// - Speed. As published, ml-cart grows one tree on Telco (a 4,225-row bootstrap, 13 of the 45 columns) in 7-8.6 s:
//   300 trees would take 35-43 min. Profiled (node --cpu-prof): 56% of the time in `getNumberOfClasses` (a
//   filter/indexOf dedupe, quadratic in the worst case and allocating, run three times per split candidate), and
//   most of the rest evaluating the split candidates `featureSplit` emits once per label change *within* runs of
//   tied values (70,224 candidates at the root, 2,704 distinct; a one-hot column repeats one split ~1,600 times).
//   patches/ml-cart+2.1.1.patch (applied by patch-package on `npm install`) makes the first a single max loop and drops
//   a candidate equal to the one before it. Both are exact: the same trees, node for node and bit for bit
//   (test/models/forest.test.ts checks against the published functions). 0.10-0.16 s per tree, 55-69x (bench-forest.js).
//   A second step of the same patch replaces ml-cart's per-node design (a transposed copy, a sort per column and an
//   O(n) pass per candidate) for Gini classification: columns are sorted once per tree, a node is a range of each
//   column's sorted order, and each column is swept once with running class counts; the Gini gain is computed with
//   the published formula and operation order, so the trees stay identical (test/models/forest.test.ts compares them with
//   the published code). ml-random-forest is handed an ml-matrix row view instead of copied arrays.
//   `node scripts/bench-forest.js` times published, first-step and current code on the same trees.
// - Randomization. ml-random-forest draws the column subset once per *tree* (random subspaces), not per split as
//   scikit-learn does, so `maxFeatures` is the share of columns each tree sees. sqrt(d)/d (6 of 45) starves the
//   trees (test AUC 0.823 for 100 trees); 0.3-0.5 is best (validation 0.832-0.835), and 0.3 is ~2x faster than 0.5.
//   Its `replacement` option means sampling *columns* with replacement (duplicate columns); it is always off here.
// - Bagging is done here with the project's seeded generator, one RandomForestClassifier (nEstimators 1, its own
//   bagging off) per tree: this is what makes class weights possible (weighted bootstrap, below) and tells us each
//   tree's sample, hence exact node covers for TreeSHAP. ml-random-forest's OOB bookkeeping is quadratic and off.
// - Probabilities: the mean over trees of each reached leaf's churn share (ml-cart's leaf `distribution`), as
//   scikit-learn's predict_proba, not ml-random-forest's vote share (`predictProbability`, nTrees + 1 coarse levels):
//   test AUC 0.837 vs 0.832 at 300 trees.
// - Scoring walks flattened trees (lib/models/trees.ts CompiledEnsemble, identity link, leaf value = share / nTrees):
//   13-17 µs a row at 300 trees, where ml-random-forest's predictProbability takes 0.6-2 ms. A row goes left when
//   x[feature] < threshold, right otherwise, NaN right (as ml-cart's `<` test).
// - Class weights: ml-random-forest and ml-cart take no sample weights (`capabilities.sampleWeights` false; fit
//   refuses them). `classWeight: "balanced"` draws each bootstrap with probability proportional to n / (2 · n_class),
//   so a row's expected count is proportional to its class weight, as scikit-learn's class_weight="balanced" weighs
//   it. It shifts scores up (a leaf's share is measured in the reweighted sample) and leaves rankings (test AUC
//   0.839 both ways, 100 trees).
// - `bins`: columns with more distinct training values than `bins` are cut into that many bins of about equal row
//   counts for the split search (`binEdges`), and the trees' thresholds are mapped back to raw units (half-way
//   between neighbouring training values, as unbinned), so scoring takes raw rows. On Telco (tenure, MonthlyCharges,
//   TotalCharges are binned) bins 32 fits 1.6-2x faster (22-25 s vs 37-51 s for 300 trees) at the same AUC.
//   Off by default.
import { Matrix as MlMatrix, MatrixRowSelectionView, type AbstractMatrix } from "ml-matrix";
import seedrandom from "seedrandom";
import type { Labels, Matrix as Rows } from "../core/matrix";
import type { Capabilities, Classifier, FitOptions, SerializedClassifier } from "./classifier";
import { CompiledEnsemble, fillNodeMeans, type Tree, type TreeEnsemble } from "./trees";

export const FOREST_KIND = "random_forest";
/** Version of the serialized state; bump when its layout changes. */
export const FOREST_STATE_VERSION = 1;

export type ForestParams = {
  /** Number of trees. */
  nEstimators: number;
  /** Columns each tree sees: a share in (0, 1] (at least one column) or a whole count >= 2. 1 means all. */
  maxFeatures: number;
  /** Maximum depth, root = 0 (as scikit-learn's max_depth); null = unlimited. */
  maxDepth: number | null;
  /** A node with at most this many (bootstrap) rows becomes a leaf (ml-cart's minNumSamples). */
  minNumSamples: number;
  /** A node splits only if the best split's Gini gain exceeds this (ml-cart's gainThreshold; its default 0.01). */
  gainThreshold: number;
  /** Each tree grows on a bootstrap sample (n rows drawn with replacement); false: every tree sees every row. */
  bootstrap: boolean;
  /** "balanced": bootstrap rows drawn with probability proportional to n / (2 · n_class). Needs `bootstrap`. */
  classWeight: "balanced" | "none";
  /** 0 = off; otherwise columns with more distinct training values are cut into this many equal-count bins to split. */
  bins: number;
  /** Seed of the bootstrap draws and the per-tree column subsets. */
  seed: number;
};

/**
 * Validation AUC on Telco is flat over minNumSamples 3-20 and maxFeatures 0.3-0.5 (per tree, see the header: not
 * scikit-learn's per-split sqrt(d)/d); these are the faster ends. gainThreshold 0.01 (ml-cart's default) beats 0.
 */
export const FOREST_DEFAULTS: Readonly<ForestParams> = {
  nEstimators: 300,
  maxFeatures: 0.3,
  maxDepth: null,
  minNumSamples: 10,
  gainThreshold: 0.01,
  bootstrap: true,
  classWeight: "none",
  bins: 0,
  seed: 42,
};

/** One tree as stored: nodes in pre-order, `feature` -1 at leaves, `value` = the leaf's churn share. */
export interface StoredTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Churn share at leaves (0 at internal nodes; filled as cover-weighted means when loaded). */
  value: number[];
  /** Bootstrap rows reaching the node (with multiplicity). */
  cover: number[];
  /** Gini impurity decrease times the node's rows (ml-cart's gain x numberSamples), 0 at leaves. */
  gain: number[];
}

export interface ForestState {
  version: number;
  nFeatures: number;
  trees: StoredTree[];
}

// ml-random-forest / ml-cart ship no usable types; the structural subset used here.
interface CartNode {
  left?: CartNode;
  right?: CartNode;
  splitColumn?: number;
  splitValue?: number;
  gain?: number;
  numberSamples?: number;
  distribution?: { columns: number; get(row: number, column: number): number };
}
interface MlRandomForest {
  estimators: { root: CartNode }[];
  indexes: number[][];
  train(X: number[][] | AbstractMatrix, y: number[]): void;
}
interface MlRandomForestClass {
  new (options: Record<string, unknown>): MlRandomForest;
}
/** Loaded on first fit: scoring and loading never touch ml-random-forest / ml-cart (nor need the patch). */
function mlRandomForest(): MlRandomForestClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("ml-random-forest") as { RandomForestClassifier: MlRandomForestClass }).RandomForestClassifier;
}

/** Validates parameters and fills defaults. Unknown keys are refused so a typo (e.g. `n_estimators`) cannot pass. */
export function forestParams(input: Record<string, unknown> = {}): ForestParams {
  const known = new Set(Object.keys(FOREST_DEFAULTS));
  const unknown = Object.keys(input).filter((k) => !known.has(k) && input[k] !== undefined);
  if (unknown.length) throw new RangeError(`unknown random forest parameter(s): ${unknown.join(", ")}`);
  const p = { ...FOREST_DEFAULTS } as Record<string, unknown>;
  for (const [k, v] of Object.entries(input)) if (v !== undefined) p[k] = v;
  const out = p as ForestParams;
  const integerAtLeast = (name: keyof ForestParams, min: number): void => {
    const v = out[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min)
      throw new RangeError(`${name} must be an integer >= ${min}, got ${String(v)}`);
  };
  integerAtLeast("nEstimators", 1);
  integerAtLeast("minNumSamples", 1);
  integerAtLeast("seed", 0);
  if (out.seed > 0xffffffff) throw new RangeError(`seed must be a 32-bit unsigned integer, got ${out.seed}`);
  const mf = out.maxFeatures;
  if (typeof mf !== "number" || !(mf > 0) || (mf > 1 && !Number.isInteger(mf))) {
    throw new RangeError(`maxFeatures must be a share in (0, 1] or a whole count >= 2, got ${String(mf)}`);
  }
  if (out.maxDepth !== null) integerAtLeast("maxDepth", 1);
  if (typeof out.gainThreshold !== "number" || !(out.gainThreshold >= 0)) {
    throw new RangeError(`gainThreshold must be a number >= 0, got ${String(out.gainThreshold)}`);
  }
  if (typeof out.bootstrap !== "boolean") throw new RangeError(`bootstrap must be true or false, got ${String(out.bootstrap)}`);
  if (out.classWeight !== "balanced" && out.classWeight !== "none") {
    throw new RangeError(`classWeight must be "balanced" or "none", got ${String(out.classWeight)}`);
  }
  if (out.classWeight === "balanced" && !out.bootstrap)
    throw new RangeError('classWeight "balanced" works through the bootstrap: it needs bootstrap true');
  if (out.bins !== 0) integerAtLeast("bins", 2);
  return out;
}

/** Columns per tree for `maxFeatures` over d columns (scikit-learn's rule for shares: floor(share·d), at least 1). */
export function featuresPerTree(maxFeatures: number, d: number): number {
  if (maxFeatures <= 1) return Math.max(1, Math.floor(maxFeatures * d));
  if (maxFeatures > d) throw new RangeError(`maxFeatures ${maxFeatures} exceeds the ${d} columns`);
  return maxFeatures;
}

/**
 * Cut points for one column, or null when it has at most `bins` distinct training values. Runs of tied values are
 * taken whole, left to right, into bins of about equal row counts (each bin aims at the rows left over the bins
 * left, and a run that large gets a bin of its own, so a value holding most rows does not swallow the others); each
 * cut lies half-way between
 * the neighbouring distinct values. At most `bins` - 1 cuts; the bin of x is the number of cuts <= x.
 */
export function binEdges(values: ArrayLike<number>, bins: number): Float64Array | null {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let distinct = n > 0 ? 1 : 0;
  for (let i = 1; i < n && distinct <= bins; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= bins) return null;
  const cuts: number[] = [];
  const cutBefore = (i: number): void => {
    cuts.push(((sorted[i - 1] as number) + (sorted[i] as number)) / 2);
  };
  let start = 0; // first row of the bin being filled
  for (let i = 0; i < n && cuts.length < bins - 1;) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    // A run as large as a whole bin starts its own bin, then the bin closes once it holds its share of the rows left.
    if (i > start && j - i >= (n - start) / (bins - cuts.length)) {
      cutBefore(i);
      start = i;
    }
    if (j < n && cuts.length < bins - 1 && j - start >= (n - start) / (bins - cuts.length)) {
      cutBefore(j);
      start = j;
    }
    i = j;
  }
  return Float64Array.from(cuts);
}

/** Number of cuts <= x (NaN stays NaN, so it goes right at every split as in raw units). */
function binOf(cuts: Float64Array, x: number): number {
  if (Number.isNaN(x)) return x;
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A split `bin < t` learned on bin numbers, in raw units: bin <= ceil(t) - 1  <=>  x < cuts[ceil(t) - 1]. */
function rawThreshold(cuts: Float64Array, t: number): number {
  const m = Math.ceil(t) - 1;
  if (m < 0) return -Infinity;
  if (m >= cuts.length) return Infinity;
  return cuts[m] as number;
}

/** Draws n row indices with replacement, row i with probability weight[i] / sum (cumulative sums + binary search). */
function weightedBootstrap(cumulative: Float64Array, rng: () => number): Int32Array {
  const n = cumulative.length;
  const total = cumulative[n - 1] as number;
  const rows = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const u = rng() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cumulative[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    rows[k] = lo;
  }
  return rows;
}

/** Flattens a trained ml-cart tree (pre-order) with original column numbers and raw-unit thresholds. */
function flatten(root: CartNode, columns: readonly number[], cuts: readonly (Float64Array | null)[]): StoredTree {
  const t: StoredTree = { feature: [], threshold: [], left: [], right: [], value: [], cover: [], gain: [] };
  const visit = (node: CartNode): number => {
    const i = t.feature.length;
    t.cover.push(0);
    if (node.left && node.right) {
      const column = columns[node.splitColumn as number] as number;
      const c = cuts[column];
      t.feature.push(column);
      t.threshold.push(c ? rawThreshold(c, node.splitValue as number) : (node.splitValue as number));
      t.value.push(0);
      t.gain.push((node.gain as number) * (node.numberSamples as number));
      t.left.push(-1);
      t.right.push(-1);
      t.left[i] = visit(node.left);
      t.right[i] = visit(node.right);
    } else {
      const dist = node.distribution;
      if (!dist) throw new Error("ml-cart leaf without a distribution");
      // ml-cart sizes a leaf's distribution by its largest label + 1: one column when it holds only class 0.
      t.feature.push(-1);
      t.threshold.push(0);
      t.value.push(dist.columns > 1 ? dist.get(0, 1) : 0);
      t.gain.push(0);
      t.left.push(-1);
      t.right.push(-1);
    }
    return i;
  };
  visit(root);
  return t;
}

function toTree(s: StoredTree, nTrees: number): Tree {
  const leafScale = 1 / nTrees;
  const tree: Tree = {
    left: Int32Array.from(s.left),
    right: Int32Array.from(s.right),
    feature: Int32Array.from(s.feature),
    threshold: Float64Array.from(s.feature, (f, i) => (f < 0 ? Number.NaN : (s.threshold[i] as number))),
    defaultLeft: new Uint8Array(s.feature.length),
    value: Float64Array.from(s.value, (v) => v * leafScale),
    cover: Float64Array.from(s.cover),
    gain: Float64Array.from(s.gain),
  };
  fillNodeMeans(tree);
  return tree;
}

export class RandomForestModel implements Classifier {
  readonly kind = FOREST_KIND;
  readonly capabilities: Capabilities = { sampleWeights: false, needsScaling: false };
  readonly params: ForestParams;
  private stored: StoredTree[] | null = null;
  private ensemble: TreeEnsemble | null = null;
  private compiled: CompiledEnsemble | null = null;

  constructor(params: Record<string, unknown> = {}) {
    this.params = forestParams(params);
  }

  /** Grows `nEstimators` trees; deterministic for a seed. */
  fit(X: Rows, y: Labels, options: FitOptions = {}): void {
    if (options.sampleWeights !== undefined) {
      throw new Error('random forest takes no per-row sample weights (capabilities.sampleWeights is false); use classWeight: "balanced"');
    }
    const n = X.length;
    if (n === 0) throw new RangeError("cannot fit a random forest on zero rows");
    if (y.length !== n) throw new RangeError(`X has ${n} rows but y has ${y.length} labels`);
    const d = (X[0] as Float64Array).length;
    if (d === 0) throw new RangeError("cannot fit a random forest on zero columns");
    const count = [0, 0];
    for (let i = 0; i < n; i++) {
      const row = X[i] as Float64Array;
      if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} values, expected ${d}`);
      for (let j = 0; j < d; j++) if (!Number.isFinite(row[j])) throw new RangeError(`X[${i}][${j}] is not a finite number`);
      const label = y[i];
      if (label !== 0 && label !== 1) throw new RangeError(`labels must be 0 or 1, got ${String(label)} at row ${i}`);
      (count[label] as number)++;
    }
    if (count[0] === 0 || count[1] === 0) throw new RangeError("a random forest needs both classes in y");
    const p = this.params;
    const k = featuresPerTree(p.maxFeatures, d);

    // Training rows as ml-cart reads them: plain arrays, binned columns replaced by their bin numbers.
    const cuts: (Float64Array | null)[] = new Array<Float64Array | null>(d).fill(null);
    if (p.bins > 0)
      for (let j = 0; j < d; j++)
        cuts[j] = binEdges(
          Float64Array.from(X, (r) => r[j] as number),
          p.bins,
        );
    const rows: number[][] = X.map((r) =>
      Array.from(r, (v, j) => {
        const cut = cuts[j];
        return cut ? binOf(cut, v) : v;
      }),
    );
    const labels = Array.from({ length: n }, (_, i) => y[i] as number);
    // ml-random-forest copies and validates an array training set on every train(); a matrix view it takes as it is.
    const matrix = new MlMatrix(rows);

    const weight = p.classWeight === "balanced" ? [n / (2 * (count[0] as number)), n / (2 * (count[1] as number))] : [1, 1];
    const cumulative = new Float64Array(n);
    for (let i = 0, s = 0; i < n; i++) cumulative[i] = s += weight[labels[i] as 0 | 1] as number;

    const rng = seedrandom(`forest:${p.seed}`);
    const treeOptions = {
      minNumSamples: p.minNumSamples,
      maxDepth: p.maxDepth ?? Infinity,
      gainThreshold: p.gainThreshold,
    };
    // ml-random-forest reads maxFeatures 1 as "all columns" (a share); one column is asked for as a share of 1.5/d.
    const mlMaxFeatures = k === d ? 1 : k === 1 ? 1.5 / d : k;
    const RandomForestClassifier = mlRandomForest();
    const trees: StoredTree[] = [];
    for (let t = 0; t < p.nEstimators; t++) {
      const sample = p.bootstrap ? weightedBootstrap(cumulative, rng) : Int32Array.from({ length: n }, (_, i) => i);
      const rf = new RandomForestClassifier({
        nEstimators: 1,
        maxFeatures: mlMaxFeatures,
        replacement: false,
        useSampleBagging: false,
        noOOB: true,
        seed: Math.floor(rng() * 0x80000000),
        treeOptions,
      });
      rf.train(
        new MatrixRowSelectionView(matrix, Array.from(sample)),
        Array.from(sample, (i) => labels[i] as number),
      );
      const tree = flatten((rf.estimators[0] as { root: CartNode }).root, rf.indexes[0] as number[], cuts);
      // Covers: route the bootstrap rows (raw values against raw-unit thresholds: the same sides as in training).
      for (const i of sample) {
        const x = X[i] as Float64Array;
        let node = 0;
        for (;;) {
          tree.cover[node] = (tree.cover[node] as number) + 1;
          const f = tree.feature[node] as number;
          if (f < 0) break;
          node = ((x[f] as number) < (tree.threshold[node] as number) ? tree.left[node] : tree.right[node]) as number;
        }
      }
      trees.push(tree);
    }
    this.install({ version: FOREST_STATE_VERSION, nFeatures: d, trees });
  }

  private install(state: ForestState): void {
    const nTrees = state.trees.length;
    this.stored = state.trees;
    this.ensemble = { nFeatures: state.nFeatures, baseMargin: 0, link: "identity", trees: state.trees.map((t) => toTree(t, nTrees)) };
    this.compiled = new CompiledEnsemble(this.ensemble);
  }

  private fitted(): CompiledEnsemble {
    if (this.compiled === null) throw new Error("random forest is not fitted: call fit() or loadForest() first");
    return this.compiled;
  }

  /** Mean over trees of the churn share in the leaf each tree sends the row to. */
  predictOne(x: Float64Array): number {
    const p = this.fitted().margin(x);
    return p < 0 ? 0 : p > 1 ? 1 : p;
  }

  predictProba(X: Rows): Float64Array {
    const model = this.fitted();
    const out = new Float64Array(X.length);
    for (let r = 0; r < X.length; r++) {
      const p = model.margin(X[r] as Float64Array);
      out[r] = p < 0 ? 0 : p > 1 ? 1 : p;
    }
    return out;
  }

  /**
   * Mean decrease in Gini impurity per column (scikit-learn's feature_importances_): each tree's impurity decreases
   * summed per column and normalized to 1, averaged over trees, normalized again.
   */
  nativeImportance(): Float64Array {
    this.fitted();
    const ensemble = this.ensemble as TreeEnsemble;
    const out = new Float64Array(ensemble.nFeatures);
    const perTree = new Float64Array(ensemble.nFeatures);
    for (const t of ensemble.trees) {
      perTree.fill(0);
      let total = 0;
      for (let i = 0; i < t.feature.length; i++) {
        const f = t.feature[i] as number;
        if (f < 0) continue;
        perTree[f] = (perTree[f] as number) + (t.gain[i] as number);
        total += t.gain[i] as number;
      }
      if (total > 0) for (let f = 0; f < out.length; f++) out[f] = (out[f] as number) + (perTree[f] as number) / total;
    }
    let sum = 0;
    for (const v of out) sum += v;
    if (sum > 0) for (let f = 0; f < out.length; f++) out[f] = (out[f] as number) / sum;
    return out;
  }

  /** The forest as an additive ensemble (identity link, leaf values = share / nTrees) for TreeSHAP and inspection. */
  treeStructure(): TreeEnsemble {
    this.fitted();
    return this.ensemble as TreeEnsemble;
  }

  toJSON(): SerializedClassifier {
    this.fitted();
    const state: ForestState = {
      version: FOREST_STATE_VERSION,
      nFeatures: (this.ensemble as TreeEnsemble).nFeatures,
      trees: this.stored as StoredTree[],
    };
    return { kind: this.kind, params: { ...this.params }, state };
  }

  static load(serialized: SerializedClassifier): RandomForestModel {
    if (serialized.kind !== FOREST_KIND) throw new Error(`not a random forest model: kind ${serialized.kind}`);
    const model = new RandomForestModel(serialized.params);
    const state = serialized.state as Partial<ForestState> | null;
    if (state?.version !== FOREST_STATE_VERSION) {
      throw new Error(`random forest state version ${String(state?.version)} is not supported (expected ${FOREST_STATE_VERSION})`);
    }
    const { nFeatures, trees } = state;
    if (!Number.isInteger(nFeatures) || (nFeatures as number) < 1 || !Array.isArray(trees) || trees.length === 0) {
      throw new Error("random forest state is corrupt: needs nFeatures >= 1 and at least one tree");
    }
    trees.forEach((t, ti) => checkStoredTree(t, nFeatures as number, ti));
    model.install({ version: FOREST_STATE_VERSION, nFeatures: nFeatures as number, trees });
    return model;
  }
}

/** Refuses a stored tree whose arrays disagree, whose children do not point forward, or whose numbers are not finite. */
function checkStoredTree(t: StoredTree, nFeatures: number, ti: number): void {
  const fields = ["feature", "threshold", "left", "right", "value", "cover", "gain"] as const;
  const n = Array.isArray(t?.feature) ? t.feature.length : 0;
  for (const f of fields) {
    if (!Array.isArray(t?.[f]) || t[f].length !== n || n === 0) throw new Error(`random forest state is corrupt: tree ${ti} field ${f}`);
  }
  for (let i = 0; i < n; i++) {
    const f = t.feature[i] as number;
    const ok =
      Number.isInteger(f) &&
      f < nFeatures &&
      Number.isFinite(t.value[i]) &&
      (f < 0
        ? t.left[i] === -1 && t.right[i] === -1
        : (t.left[i] as number) > i &&
          (t.left[i] as number) < n &&
          (t.right[i] as number) > i &&
          (t.right[i] as number) < n &&
          typeof t.threshold[i] === "number");
    if (!ok) throw new Error(`random forest state is corrupt: tree ${ti} node ${i}`);
  }
}

export function createForest(params: Record<string, unknown> = {}): RandomForestModel {
  return new RandomForestModel(params);
}

export function loadForest(serialized: SerializedClassifier): RandomForestModel {
  return RandomForestModel.load(serialized);
}
