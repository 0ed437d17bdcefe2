// Plain-JS tree ensembles in typed arrays: dependency-free scoring (no WASM), gain importance, and the structure TreeSHAP needs.

/**
 * One binary decision tree, nodes in pre-order (node 0 is the root, a left child directly follows its parent).
 * A row goes left when `x[feature] < threshold` (compared as float64), right when `x[feature] >= threshold`,
 * and to its node's default side when the value is missing (NaN).
 */
export interface Tree {
  /** Left child index, -1 at leaves. */
  left: Int32Array;
  /** Right child index, -1 at leaves. */
  right: Int32Array;
  /** Split column, -1 at leaves. */
  feature: Int32Array;
  /** Split threshold in float64 terms (see above); NaN at leaves. */
  threshold: Float64Array;
  /** 1 when a missing value goes left. */
  defaultLeft: Uint8Array;
  /** Margin contribution at leaves; at internal nodes the cover-weighted mean of the leaves below (TreeSHAP's node value). */
  value: Float64Array;
  /** Training cover of the node (XGBoost: sum of hessians), needed by TreeSHAP. */
  cover: Float64Array;
  /** Loss reduction of the node's split (XGBoost: loss_chg), 0 at leaves. */
  gain: Float64Array;
}

/** An additive ensemble: margin = baseMargin + sum of the leaf values reached; probability = link(margin). */
export interface TreeEnsemble {
  nFeatures: number;
  baseMargin: number;
  link: "logistic" | "identity";
  trees: Tree[];
}

export function sigmoid(margin: number): number {
  return 1 / (1 + Math.exp(-margin));
}

/** Number of nodes (internal and leaves) over all trees. */
export function nodeCount(ensemble: TreeEnsemble): number {
  let n = 0;
  for (const t of ensemble.trees) n += t.left.length;
  return n;
}

/** Sets each internal node's `value` to the cover-weighted mean of its children's values (post-order; leaves untouched). */
export function fillNodeMeans(tree: Tree): void {
  for (let i = tree.left.length - 1; i >= 0; i--) {
    const l = tree.left[i] as number;
    if (l < 0) continue;
    const r = tree.right[i] as number;
    const cl = tree.cover[l] as number;
    const cr = tree.cover[r] as number;
    const vl = tree.value[l] as number;
    const vr = tree.value[r] as number;
    tree.value[i] = cl + cr > 0 ? (vl * cl + vr * cr) / (cl + cr) : (vl + vr) / 2;
  }
}

/** Total gain per feature over all splits, normalized to sum 1 (all zeros when the ensemble has no split). */
export function gainImportance(ensemble: TreeEnsemble): Float64Array {
  const out = new Float64Array(ensemble.nFeatures);
  let total = 0;
  for (const t of ensemble.trees) {
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i] as number;
      if (f < 0) continue;
      const g = t.gain[i] as number;
      out[f] = (out[f] as number) + g;
      total += g;
    }
  }
  if (total > 0) for (let f = 0; f < out.length; f++) out[f] = (out[f] as number) / total;
  return out;
}

/** Number of splits per feature (XGBoost's "weight" importance), unnormalized. */
export function splitCounts(ensemble: TreeEnsemble): Float64Array {
  const out = new Float64Array(ensemble.nFeatures);
  for (const t of ensemble.trees) {
    for (let i = 0; i < t.feature.length; i++) {
      const f = t.feature[i] as number;
      if (f >= 0) out[f] = (out[f] as number) + 1;
    }
  }
  return out;
}

/** Depth of the deepest leaf (0 for a single-leaf tree). */
export function treeDepth(tree: Tree): number {
  const depth = new Int32Array(tree.left.length);
  let max = 0;
  for (let i = 0; i < tree.left.length; i++) {
    const l = tree.left[i] as number;
    if (l < 0) continue;
    const d = (depth[i] as number) + 1;
    depth[l] = d;
    depth[tree.right[i] as number] = d;
    if (d > max) max = d;
  }
  return max;
}

/** Ensembles up to this depth are scored on complete (padded) trees; deeper ones by following child links. */
export const MAX_PADDED_DEPTH = 10;

/**
 * All trees compiled for fast, allocation-free scoring.
 *
 * Shallow ensembles (boosting's usual depth <= 10) are padded to complete binary trees of the ensemble's depth D:
 * node k's children are 2k+1 and 2k+2, a leaf above depth D is copied down to depth D, and a step is
 * `k = 2k + 1 + (x[f] >= t)` with no data-dependent branch, which is what makes it fast (branch mispredictions dominate
 * a pointer-chasing walk). Rows with a NaN take a variant that also applies each node's default direction.
 * Deeper ensembles fall back to a flat pointer walk.
 */
export class CompiledEnsemble {
  readonly nFeatures: number;
  readonly nTrees: number;
  readonly baseMargin: number;
  readonly link: "logistic" | "identity";
  /** Depth D of the padded layout, or -1 when the pointer walk is used. */
  readonly paddedDepth: number;
  // Padded layout: per tree (2^D - 1) internal nodes then 2^D leaf values.
  private readonly pFeature: Int32Array;
  private readonly pThreshold: Float64Array;
  private readonly pMissingRight: Uint8Array;
  private readonly pLeaf: Float64Array;
  /** Source node of every padded position (internal positions, then leaves), per tree. */
  private readonly pNode: Int32Array;
  /** Node expectations on the padded layout, built on the first pathAttributionInto call. */
  private pExpect: Float64Array | null = null;
  // Pointer layout (always built: leafIndices and deep trees use it).
  private readonly roots: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly missing: Int32Array;
  private readonly value: Float64Array;

  constructor(ensemble: TreeEnsemble) {
    this.nFeatures = ensemble.nFeatures;
    this.nTrees = ensemble.trees.length;
    this.baseMargin = ensemble.baseMargin;
    this.link = ensemble.link;
    const n = nodeCount(ensemble);
    this.roots = new Int32Array(this.nTrees);
    this.feature = new Int32Array(n);
    this.threshold = new Float64Array(n);
    this.lo = new Int32Array(n);
    this.hi = new Int32Array(n);
    this.missing = new Int32Array(n);
    this.value = new Float64Array(n);
    let off = 0;
    ensemble.trees.forEach((t, ti) => {
      this.roots[ti] = off;
      for (let i = 0; i < t.left.length; i++) {
        const g = off + i;
        const f = t.feature[i] as number;
        const l = t.left[i] as number;
        this.value[g] = t.value[i] as number;
        if (f < 0 || l < 0) {
          this.feature[g] = -1;
          continue;
        }
        if (f >= this.nFeatures) throw new RangeError(`tree ${ti} splits on feature ${f}, beyond nFeatures ${this.nFeatures}`);
        const r = t.right[i] as number;
        this.feature[g] = f;
        this.threshold[g] = t.threshold[i] as number;
        this.lo[g] = off + l;
        this.hi[g] = off + r;
        this.missing[g] = off + (t.defaultLeft[i] ? l : r);
      }
      off += t.left.length;
    });

    const depth = ensemble.trees.reduce((d, t) => Math.max(d, treeDepth(t)), 0);
    this.paddedDepth = depth <= MAX_PADDED_DEPTH ? depth : -1;
    const D = Math.max(0, this.paddedDepth);
    const nInt = this.paddedDepth >= 0 ? (1 << D) - 1 : 0;
    const nLeaf = this.paddedDepth >= 0 ? 1 << D : 0;
    this.pFeature = new Int32Array(this.nTrees * nInt);
    this.pThreshold = new Float64Array(this.nTrees * nInt);
    this.pMissingRight = new Uint8Array(this.nTrees * nInt);
    this.pLeaf = new Float64Array(this.nTrees * nLeaf);
    this.pNode = new Int32Array(this.nTrees * (nInt + nLeaf));
    if (this.paddedDepth < 0) return;
    ensemble.trees.forEach((t, ti) => {
      // Explicit stack of (source node, padded position, depth).
      const stack: number[] = [0, 0, 0];
      while (stack.length) {
        const d = stack.pop() as number;
        const pos = stack.pop() as number;
        const node = stack.pop() as number;
        this.pNode[ti * (nInt + nLeaf) + pos] = node;
        if (d === D) {
          this.pLeaf[ti * nLeaf + pos - nInt] = t.value[node] as number;
          continue;
        }
        const g = ti * nInt + pos;
        const l = t.left[node] as number;
        if (l < 0) {
          // Padding: any test works since both sides hold copies of the same leaf.
          this.pFeature[g] = 0;
          this.pThreshold[g] = 0;
          stack.push(node, 2 * pos + 1, d + 1, node, 2 * pos + 2, d + 1);
          continue;
        }
        this.pFeature[g] = t.feature[node] as number;
        this.pThreshold[g] = t.threshold[node] as number;
        this.pMissingRight[g] = t.defaultLeft[node] ? 0 : 1;
        stack.push(l, 2 * pos + 1, d + 1, t.right[node] as number, 2 * pos + 2, d + 1);
      }
    });
  }

  /** Raw additive score (log-odds for a logistic ensemble). `x` must hold at least nFeatures values; NaN = missing. */
  margin(x: ArrayLike<number>): number {
    if (x.length < this.nFeatures) throw new RangeError(`row has ${x.length} values, the ensemble needs ${this.nFeatures}`);
    if (this.paddedDepth < 0) return this.pointerMargin(x);
    for (let j = 0; j < this.nFeatures; j++) {
      const v = x[j] as number;
      if (v !== v) return this.paddedMarginMissing(x);
    }
    return this.paddedMargin(x);
  }

  predictOne(x: ArrayLike<number>): number {
    const m = this.margin(x);
    return this.link === "logistic" ? 1 / (1 + Math.exp(-m)) : m;
  }

  predictMatrix(X: readonly ArrayLike<number>[]): Float64Array {
    const out = new Float64Array(X.length);
    for (let r = 0; r < X.length; r++) out[r] = this.predictOne(X[r] as ArrayLike<number>);
    return out;
  }

  /**
   * Decision-path attribution on the padded layout (see lib/inspection/explain.ts pathAttribution): adds to `values[f]` the change
   * in node expectation at every split on f along x's path, and returns the summed root expectations and the margin.
   * `expectations(t)` gives tree t's per-node expectations (read once). Null when the padded layout does not apply
   * (deep trees, or a NaN in x): the caller walks the trees instead.
   */
  pathAttributionInto(
    x: ArrayLike<number>,
    values: Float64Array,
    expectations: (tree: number) => Float64Array,
  ): { expectedValue: number; output: number } | null {
    if (this.paddedDepth < 0) return null;
    for (let j = 0; j < this.nFeatures; j++) if ((x[j] as number) !== (x[j] as number)) return null;
    const D = this.paddedDepth;
    const nInt = (1 << D) - 1;
    const per = nInt + (1 << D);
    if (!this.pExpect) {
      const pe = new Float64Array(this.nTrees * per);
      for (let t = 0; t < this.nTrees; t++) {
        const e = expectations(t);
        for (let pos = 0; pos < per; pos++) pe[t * per + pos] = e[this.pNode[t * per + pos] as number] as number;
      }
      this.pExpect = pe;
    }
    const pe = this.pExpect;
    const feature = this.pFeature;
    const threshold = this.pThreshold;
    let expectedValue = this.baseMargin;
    let output = this.baseMargin;
    for (let t = 0, fo = 0, eo = 0; t < this.nTrees; t++, fo += nInt, eo += per) {
      let a = 0;
      let prev = pe[eo] as number;
      expectedValue += prev;
      for (let d = 0; d < D; d++) {
        const g = fo + a;
        const f = feature[g] as number;
        a = 2 * a + 1 + ((((x[f] as number) >= (threshold[g] as number)) as unknown as number) | 0);
        const next = pe[eo + a] as number;
        values[f] = (values[f] as number) + next - prev;
        prev = next;
      }
      output += prev;
    }
    return { expectedValue, output };
  }

  /** No NaN in x: two trees at a time (independent dependency chains), branch-free steps. */
  private paddedMargin(x: ArrayLike<number>): number {
    const D = this.paddedDepth;
    const nInt = (1 << D) - 1;
    const nLeaf = 1 << D;
    const feature = this.pFeature;
    const threshold = this.pThreshold;
    const leaf = this.pLeaf;
    const T = this.nTrees;
    let sum = 0;
    let t = 0;
    let fo = 0;
    let lo = 0;
    for (; t + 1 < T; t += 2, fo += 2 * nInt, lo += 2 * nLeaf) {
      const fo2 = fo + nInt;
      let a = 0;
      let b = 0;
      for (let d = 0; d < D; d++) {
        const ga = fo + a;
        const gb = fo2 + b;
        const aRight = ((x[feature[ga] as number] as number) >= (threshold[ga] as number)) as unknown as number;
        a = 2 * a + 1 + (aRight | 0);
        const bRight = ((x[feature[gb] as number] as number) >= (threshold[gb] as number)) as unknown as number;
        b = 2 * b + 1 + (bRight | 0);
      }
      // Added one at a time so the sum is bit-identical to a tree-by-tree walk.
      sum += leaf[lo + a - nInt] as number;
      sum += leaf[lo + nLeaf + b - nInt] as number;
    }
    for (; t < T; t++, fo += nInt, lo += nLeaf) {
      let a = 0;
      for (let d = 0; d < D; d++) {
        const ga = fo + a;
        const aRight = ((x[feature[ga] as number] as number) >= (threshold[ga] as number)) as unknown as number;
        a = 2 * a + 1 + (aRight | 0);
      }
      sum += leaf[lo + a - nInt] as number;
    }
    return this.baseMargin + sum;
  }

  /** Some NaN in x: a NaN goes right exactly when its node's default direction is right. */
  private paddedMarginMissing(x: ArrayLike<number>): number {
    const D = this.paddedDepth;
    const nInt = (1 << D) - 1;
    const nLeaf = 1 << D;
    const feature = this.pFeature;
    const threshold = this.pThreshold;
    const missingRight = this.pMissingRight;
    const leaf = this.pLeaf;
    let sum = 0;
    for (let t = 0, fo = 0, lo = 0; t < this.nTrees; t++, fo += nInt, lo += nLeaf) {
      let a = 0;
      for (let d = 0; d < D; d++) {
        const g = fo + a;
        const v = x[feature[g] as number] as number;
        const right =
          ((v >= (threshold[g] as number)) as unknown as number) | (((v !== v) as unknown as number) & (missingRight[g] as number));
        a = 2 * a + 1 + right;
      }
      sum += leaf[lo + a - nInt] as number;
    }
    return this.baseMargin + sum;
  }

  private pointerMargin(x: ArrayLike<number>): number {
    const { roots, feature, threshold, lo, hi, missing, value } = this;
    let sum = 0;
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t] as number;
      let f = feature[i] as number;
      while (f >= 0) {
        const v = x[f] as number;
        const thr = threshold[i] as number;
        i = (v < thr ? lo[i] : v >= thr ? hi[i] : missing[i]) as number;
        f = feature[i] as number;
      }
      sum += value[i] as number;
    }
    return this.baseMargin + sum;
  }

  /** Index (within its tree's `Tree` arrays) of the leaf each tree sends `x` to. */
  leafIndices(x: ArrayLike<number>): Int32Array {
    const out = new Int32Array(this.nTrees);
    for (let t = 0; t < this.nTrees; t++) {
      const root = this.roots[t] as number;
      let i = root;
      let f = this.feature[i] as number;
      while (f >= 0) {
        const v = x[f] as number;
        const thr = this.threshold[i] as number;
        i = (v < thr ? this.lo[i] : v >= thr ? this.hi[i] : this.missing[i]) as number;
        f = this.feature[i] as number;
      }
      out[t] = i - root;
    }
    return out;
  }

  /** The pointer walk regardless of depth (reference implementation, used in tests). */
  referenceMargin(x: ArrayLike<number>): number {
    return this.pointerMargin(x);
  }
}
