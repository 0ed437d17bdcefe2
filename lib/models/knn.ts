// k-nearest neighbours with vote-share probabilities: an exact brute-force scan over a flat Float64Array.
//
// Decision (for docs/decisions.md, "k-nearest neighbours: exact scan, ml-knn as the reference"):
// - ml-knn 3.0.0 answers only a majority label and searches a kd-tree, ~6 ms per query on Telco (4,225 training rows,
//   45 standardized columns). Its tree never prunes: it measures the distance to a splitting plane by calling the
//   metric on a plain object, which has no `length`, so the default euclidean metric returns 0 and every node is
//   visited (measured: 8,450 metric calls per query = 2 per node, all 4,225 plane distances 0). With a custom metric
//   that reads that object (ml-knn's `distance` option) the tree can prune, but in 45 dimensions it still visits 97%
//   of its nodes (8,190 calls) and is no faster: the tree is ~12 levels deep, so only 12 of 46 coordinates are ever
//   split on. The neighbours themselves are reachable only through the internal `kdTree.nearest`.
// - So the search is an exact scan of a row-major Float64Array with a k-sized sorted buffer (insertion, ties broken by
//   training-row order) and partial-distance early exit: ~0.15-0.25 ms per query, with the same squared-difference sum
//   in the same order as ml-knn's euclidean metric, so distances are bit-identical. ml-knn stays the reference: the
//   tests check that both return the same neighbour distances and majority labels on a sample of Telco queries.
//   Approximate indexes (hnswlib) would add a native dependency to save 0.1 ms on 4k rows; not worth it.
// - Probability of churn: the (optionally distance-weighted) churn share among the k neighbours, shrunk toward the
//   training churn rate by `prior` pseudo-neighbours: p = (k·share + prior·rate) / (k + prior). prior = 0 gives
//   scikit-learn's predict_proba (uniform or distance weights, zero distances taking all the weight); the default 1
//   keeps every score strictly inside (0, 1), so log loss stays finite; it is affine in the share, so rankings (and
//   ROC-AUC) do not change. Uniform scores still come in k+1 levels; distance weights give continuous ones.
// - Class weights: `classWeight: "balanced"` weighs each neighbour's vote by n / (2 · n_class) (scikit-learn's
//   "balanced" factors) and shrinks toward 1/2, the balanced rate. It is a monotone transform of the share, so it moves
//   scores (0.5 becomes the balanced threshold) without changing rankings. Per-row sample weights are not taken
//   (`capabilities.sampleWeights` false): in knn a weight is not a repeated row (a repeated row would take two
//   neighbour slots), and scikit-learn's KNeighborsClassifier takes none either; lib/training/tuning.ts asks for
//   `classWeight: "balanced"` from learners without them.
import type { Labels, Matrix as Rows } from "../core/matrix";
import type { Capabilities, Classifier, FitOptions, SerializedClassifier } from "./classifier";

export const KNN_KIND = "knn";
/** Version of the serialized state; bump when its layout changes. */
export const KNN_STATE_VERSION = 1;

export type KnnParams = {
  /** Neighbours voting. */
  k: number;
  /** "uniform": each neighbour counts once; "distance": weight 1/distance (scikit-learn's "distance"). */
  weights: "uniform" | "distance";
  /** Pseudo-neighbours at the training churn rate added to the vote (0 = scikit-learn's probabilities). */
  prior: number;
  /** "balanced": votes weighted by n / (2 · n_class), prior at 1/2. */
  classWeight: "balanced" | "none";
};

/** k = 25 reproduces scikit-learn's KNeighborsClassifier(25) (test ROC-AUC 0.817 on the seed-42 split); tune k. */
export const KNN_DEFAULTS: Readonly<KnnParams> = { k: 25, weights: "uniform", prior: 1, classWeight: "none" };

export interface KnnState {
  version: number;
  rows: number;
  columns: number;
  /** Training churn rate (the prior's target). */
  churnRate: number;
  /** Training matrix, row-major, IEEE-754 float64 little-endian, base64. */
  X: string;
  /** Training labels, one byte (0/1) each, base64. */
  y: string;
}

export interface Neighbours {
  /** Training-row indices, nearest first. */
  indices: Int32Array;
  /** Euclidean distances, ascending. */
  distances: Float64Array;
}

export function knnParams(input: Record<string, unknown> = {}): KnnParams {
  const known = new Set(["k", "weights", "prior", "classWeight"]);
  const unknown = Object.keys(input).filter((key) => !known.has(key) && input[key] !== undefined);
  if (unknown.length) throw new RangeError(`unknown knn parameter(s): ${unknown.join(", ")}`);
  // Typed as the parameters they should be; every one is checked below (a JSON file can hold anything).
  const given = input as Partial<KnnParams>;
  const k = given.k ?? KNN_DEFAULTS.k;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${String(k)}`);
  const weights = given.weights ?? KNN_DEFAULTS.weights;
  if (weights !== "uniform" && weights !== "distance")
    throw new RangeError(`weights must be "uniform" or "distance", got ${String(weights)}`);
  const prior = given.prior ?? KNN_DEFAULTS.prior;
  if (typeof prior !== "number" || !(prior >= 0) || !Number.isFinite(prior))
    throw new RangeError(`prior must be a finite number >= 0, got ${String(prior)}`);
  const classWeight = given.classWeight ?? KNN_DEFAULTS.classWeight;
  if (classWeight !== "balanced" && classWeight !== "none") {
    throw new RangeError(`classWeight must be "balanced" or "none", got ${String(classWeight)}`);
  }
  return { k, weights, prior, classWeight };
}

function toBase64(bytes: ArrayBufferView): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Little-endian float64 in the serialized form, whatever the host's byte order. */
function encodeFloat64(values: Float64Array): string {
  const buf = Buffer.alloc(values.length * 8);
  for (let i = 0; i < values.length; i++) buf.writeDoubleLE(values[i] as number, i * 8);
  return buf.toString("base64");
}

function decodeFloat64(text: string, length: number): Float64Array {
  const buf = Buffer.from(text, "base64");
  if (buf.length !== length * 8) throw new Error(`knn state is corrupt: expected ${length} float64 values, found ${buf.length / 8}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

export class KnnModel implements Classifier {
  readonly kind = KNN_KIND;
  readonly capabilities: Capabilities = { sampleWeights: false, needsScaling: true };
  readonly params: KnnParams;
  private data: Float64Array = new Float64Array(0);
  private labels: Uint8Array = new Uint8Array(0);
  private rows = 0;
  private columns = 0;
  private churnRate = 0;
  // Search buffers, reused so the hot path allocates nothing: squared distances ascending, and their row indices.
  private bestSq: Float64Array;
  private bestIdx: Int32Array;

  constructor(params: Record<string, unknown> = {}) {
    this.params = knnParams(params);
    this.bestSq = new Float64Array(this.params.k);
    this.bestIdx = new Int32Array(this.params.k);
  }

  fit(X: Rows, y: Labels, options: FitOptions = {}): void {
    if (options.sampleWeights !== undefined) {
      throw new RangeError("knn does not use sample weights (capabilities.sampleWeights is false)");
    }
    const n = X.length;
    if (n === 0) throw new RangeError("cannot fit knn on zero rows");
    if (y.length !== n) throw new RangeError(`X has ${n} rows but y has ${y.length} labels`);
    if (this.params.k > n) throw new RangeError(`k = ${this.params.k} exceeds the ${n} training rows`);
    const d = (X[0] as Float64Array).length;
    if (d === 0) throw new RangeError("cannot fit knn on zero columns");
    const data = new Float64Array(n * d);
    const labels = new Uint8Array(n);
    let positives = 0;
    for (let i = 0; i < n; i++) {
      const row = X[i] as Float64Array;
      if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} values, expected ${d}`);
      for (let j = 0; j < d; j++) {
        const v = row[j] as number;
        if (!Number.isFinite(v)) throw new RangeError(`X[${i}][${j}] is not a finite number`);
        data[i * d + j] = v;
      }
      const label = y[i];
      if (label !== 0 && label !== 1) throw new RangeError(`labels must be 0 or 1, got ${label} at row ${i}`);
      labels[i] = label;
      positives += label;
    }
    this.data = data;
    this.labels = labels;
    this.rows = n;
    this.columns = d;
    if (this.params.classWeight === "balanced" && (positives === 0 || positives === n)) {
      throw new RangeError('classWeight "balanced" needs both classes in y');
    }
    this.churnRate = positives / n;
  }

  /** Fills the search buffers with the k nearest rows (squared distances, ascending; ties: lower row index first). */
  private search(x: Float64Array): void {
    if (this.rows === 0) throw new Error("knn is not fitted: call fit() or loadKnn() first");
    const d = this.columns;
    if (x.length !== d) throw new RangeError(`row has ${x.length} values, the model expects ${d}`);
    const { data, bestSq, bestIdx } = this;
    const k = bestSq.length;
    const n = this.rows;
    let size = 0;
    let worst = Infinity;
    for (let i = 0, offset = 0; i < n; i++, offset += d) {
      // Partial distance: give up on a row as soon as it cannot enter the k best.
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = x[j]! - data[offset + j]!;
        s += t * t;
        if (s >= worst) break;
      }
      if (s >= worst) continue;
      let pos = size < k ? size++ : k - 1;
      while (pos > 0 && bestSq[pos - 1]! > s) {
        bestSq[pos] = bestSq[pos - 1]!;
        bestIdx[pos] = bestIdx[pos - 1]!;
        pos--;
      }
      bestSq[pos] = s;
      bestIdx[pos] = i;
      if (size === k) worst = bestSq[k - 1]!;
    }
  }

  /** The k nearest training rows of `x`, nearest first, with their euclidean distances. */
  neighbours(x: Float64Array): Neighbours {
    this.search(x);
    return { indices: this.bestIdx.slice(), distances: this.bestSq.map(Math.sqrt) };
  }

  /** Training label of a row (for explanations: "similar customers who churned"). */
  label(index: number): 0 | 1 {
    if (!(index >= 0 && index < this.rows)) throw new RangeError(`no training row ${index}`);
    return this.labels[index] as 0 | 1;
  }

  predictOne(x: Float64Array): number {
    this.search(x);
    const { bestSq, bestIdx, labels } = this;
    const { k, prior } = this.params;
    let share: number;
    if (this.params.weights === "uniform") {
      let votes = 0;
      for (let m = 0; m < k; m++) votes += labels[bestIdx[m]!]!;
      share = votes / k;
    } else if (bestSq[0] === 0) {
      // scikit-learn's rule: neighbours at distance 0 take all the weight, equally.
      let count = 0;
      let votes = 0;
      for (let m = 0; m < k && bestSq[m] === 0; m++, count++) votes += labels[bestIdx[m]!]!;
      share = votes / count;
    } else {
      let total = 0;
      let votes = 0;
      for (let m = 0; m < k; m++) {
        const w = 1 / Math.sqrt(bestSq[m]!);
        total += w;
        votes += w * labels[bestIdx[m]!]!;
      }
      share = votes / total;
    }
    if (this.params.classWeight === "balanced") {
      // Votes weighted n/(2·n_class): the share becomes r·share / (r·share + (1 − share)), r = n_stay / n_churn.
      const r = (1 - this.churnRate) / this.churnRate;
      share = share === 0 ? 0 : (r * share) / (r * share + (1 - share));
      return (k * share + prior * 0.5) / (k + prior);
    }
    return (k * share + prior * this.churnRate) / (k + prior);
  }

  predictProba(X: Rows): Float64Array {
    const out = new Float64Array(X.length);
    for (let i = 0; i < X.length; i++) out[i] = this.predictOne(X[i] as Float64Array);
    return out;
  }

  toJSON(): SerializedClassifier {
    if (this.rows === 0) throw new Error("knn is not fitted: call fit() or loadKnn() first");
    const state: KnnState = {
      version: KNN_STATE_VERSION,
      rows: this.rows,
      columns: this.columns,
      churnRate: this.churnRate,
      X: encodeFloat64(this.data),
      y: toBase64(this.labels),
    };
    return { kind: this.kind, params: { ...this.params }, state };
  }

  static load(serialized: SerializedClassifier): KnnModel {
    if (serialized.kind !== KNN_KIND) throw new Error(`not a knn model: kind ${serialized.kind}`);
    const model = new KnnModel(serialized.params);
    const state = serialized.state as Partial<KnnState> | null;
    if (state?.version !== KNN_STATE_VERSION) {
      throw new Error(`knn state version ${String(state?.version)} is not supported (expected ${KNN_STATE_VERSION})`);
    }
    const { rows, columns, churnRate, X, y } = state;
    if (!Number.isInteger(rows) || !Number.isInteger(columns) || (rows as number) < 1 || (columns as number) < 1) {
      throw new Error("knn state is corrupt: rows and columns must be positive integers");
    }
    if (typeof X !== "string" || typeof y !== "string" || typeof churnRate !== "number" || !(churnRate >= 0 && churnRate <= 1)) {
      throw new Error("knn state is corrupt: X, y and a churnRate in [0, 1] are required");
    }
    if (model.params.classWeight === "balanced" && !(churnRate > 0 && churnRate < 1)) {
      throw new Error('knn state is corrupt: classWeight "balanced" needs both classes');
    }
    const n = rows as number;
    if (model.params.k > n) throw new Error(`knn state is corrupt: k = ${model.params.k} exceeds its ${n} rows`);
    const labels = new Uint8Array(Buffer.from(y, "base64"));
    if (labels.length !== n || labels.some((v) => v > 1)) throw new Error("knn state is corrupt: labels");
    model.data = decodeFloat64(X, n * (columns as number));
    model.labels = labels;
    model.rows = n;
    model.columns = columns as number;
    model.churnRate = churnRate;
    return model;
  }
}

export function createKnn(params: Record<string, unknown> = {}): KnnModel {
  return new KnnModel(params);
}

export function loadKnn(serialized: SerializedClassifier): KnnModel {
  return KnnModel.load(serialized);
}
