// Performance estimated before the labels arrive: confidence-based performance estimation (CBPE, as NannyML names
// it). A calibrated probability p is the chance that its customer churns, so over an unlabeled export the expected
// confusion matrix at the threshold t is
//   E[TP] = Σ p over customers scored >= t,   E[FP] = Σ (1 − p) over them,
//   E[FN] = Σ p over customers scored < t,    E[TN] = Σ (1 − p) over them,
// and the expected ROC curve puts, at every cut-off, E[TPR] = Σ_{s >= c} p / Σ p against E[FPR] = Σ_{s >= c} (1 − p) /
// Σ (1 − p). Labels are never read. The estimate holds while the probabilities stay calibrated and the features
// relate to churn as they did in training (no concept drift); both assumptions are stated in every report.
//
// Alert bands come from sampling error: the realized metric over many same-size samples of the model's own held-out
// customers (scores and labels kept in model.json), mean ± 3 sd. A chunk whose estimate leaves its band alerts.
import seedrandom from "seedrandom";
import { expectedCalibrationError } from "../evaluation/calibration";
import { atThreshold, rocAuc } from "../evaluation/metrics";

export const CBPE_METRICS = ["roc_auc", "precision", "recall", "f1", "churn_rate"] as const;
export type CbpeMetric = (typeof CBPE_METRICS)[number];
export type PerformanceFigures = Record<CbpeMetric, number>;

/** Expected calibration error on the held-out customers above which the report warns that estimates are unreliable. */
export const CALIBRATION_WARN_ECE = 0.05;
/** Samples drawn for each band, and the band's half-width in standard deviations. */
const BAND_SAMPLES = 500;
const BAND_SIGMAS = 3;

/** CBPE from probabilities alone: expected ROC-AUC, precision, recall, F1 at `threshold`, and the expected churn rate. */
export function estimatePerformance(p: ArrayLike<number>, threshold: number): PerformanceFigures {
  const n = p.length;
  if (n === 0) throw new RangeError("performance estimation needs at least one scored customer");
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = p[i] as number;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`probability ${v} at row ${i} is not in [0, 1]`);
    sum += v;
    if (v >= threshold) {
      tp += v;
      fp += 1 - v;
    } else fn += v;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return {
    roc_auc: expectedRocAuc(p),
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    churn_rate: sum / n,
  };
}

/**
 * The area under the expected ROC curve: cut-offs at every distinct score, high to low, expected TPR and FPR after
 * each, trapezoids between them (ties move both rates together, as rocAuc counts them as half).
 */
export function expectedRocAuc(p: ArrayLike<number>): number {
  const order = Array.from({ length: p.length }, (_, i) => i).sort((a, b) => (p[b] as number) - (p[a] as number));
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < p.length; i++) {
    pos += p[i] as number;
    neg += 1 - (p[i] as number);
  }
  if (pos <= 0 || neg <= 0) return Number.NaN;
  let tpr = 0;
  let fpr = 0;
  let area = 0;
  for (let k = 0; k < order.length;) {
    const s = p[order[k] as number] as number;
    let dp = 0;
    let dn = 0;
    while (k < order.length && p[order[k] as number] === s) {
      dp += s;
      dn += 1 - s;
      k++;
    }
    const nextTpr = tpr + dp / pos;
    const nextFpr = fpr + dn / neg;
    area += ((nextFpr - fpr) * (tpr + nextTpr)) / 2;
    tpr = nextTpr;
    fpr = nextFpr;
  }
  return area;
}

/** The realized figures, for when labels are there (computed after the estimate, never used by it). */
export function realizedPerformance(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number): PerformanceFigures {
  const t = atThreshold(y, p, threshold);
  let churned = 0;
  for (let i = 0; i < y.length; i++) churned += y[i] as number;
  return { roc_auc: rocAuc(y, p), precision: t.precision, recall: t.recall, f1: t.f1, churn_rate: churned / y.length };
}

/** Held-out customers of the model (its test split): calibrated scores and labels, as model.json stores them. */
export interface PerformanceReference {
  scores: number[];
  labels: number[];
}

export interface Band {
  low: number;
  high: number;
  /** Mean and sd of the realized metric over the samples. */
  mean: number;
  sd: number;
}

/**
 * Bands for an export of `size` customers: the realized metric over BAND_SAMPLES samples of that size drawn with
 * replacement from the held-out customers (the sampling distribution of the metric at that size), mean ± 3 sd.
 * Seeded: the same model and size give the same bands.
 */
export function performanceBands(reference: PerformanceReference, threshold: number, size: number, seed = 0): Record<CbpeMetric, Band> {
  const m = reference.scores.length;
  if (m === 0 || m !== reference.labels.length) throw new RangeError("the performance reference needs as many labels as scores");
  if (!Number.isInteger(size) || size < 2) throw new RangeError(`bands need a size of at least 2, got ${size}`);
  const rng = seedrandom(`cbpe:${seed}:${size}`);
  const values: Record<CbpeMetric, number[]> = { roc_auc: [], precision: [], recall: [], f1: [], churn_rate: [] };
  const y = new Float64Array(size);
  const p = new Float64Array(size);
  for (let s = 0; s < BAND_SAMPLES; s++) {
    for (let i = 0; i < size; i++) {
      const j = Math.floor(rng() * m);
      y[i] = reference.labels[j] as number;
      p[i] = reference.scores[j] as number;
    }
    let churned = 0;
    for (let i = 0; i < size; i++) churned += y[i] as number;
    if (churned === 0 || churned === size) continue;
    const r = realizedPerformance(y, p, threshold);
    for (const k of CBPE_METRICS) values[k].push(r[k]);
  }
  const band = (xs: number[]): Band => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
    // Every metric here is a share: the band is clipped to [0, 1].
    return { low: Math.max(0, mean - BAND_SIGMAS * sd), high: Math.min(1, mean + BAND_SIGMAS * sd), mean, sd };
  };
  return {
    roc_auc: band(values.roc_auc),
    precision: band(values.precision),
    recall: band(values.recall),
    f1: band(values.f1),
    churn_rate: band(values.churn_rate),
  };
}

export interface ChunkPerformance {
  /** Rows [start, end) of the export, in its order. */
  start: number;
  end: number;
  estimated: PerformanceFigures;
  band: Record<CbpeMetric, [number, number]>;
  /** The estimated ROC-AUC leaves its band. */
  alert: boolean;
  /** Present only when every customer of the chunk is labeled. */
  realized?: PerformanceFigures;
}

export interface PerformanceEstimate {
  method: "CBPE";
  threshold: number;
  estimated: PerformanceFigures;
  band: Record<CbpeMetric, [number, number]>;
  /** The estimated ROC-AUC of the whole export leaves its band (or any chunk's does). */
  alert: boolean;
  /** Present only when the export carries labels; computed after the estimates. */
  realized?: PerformanceFigures;
  chunks: ChunkPerformance[];
  /** Expected calibration error of the model on its held-out customers. */
  reference_ece: number;
  assumptions: string[];
  warnings: string[];
}

export interface EstimateOptions {
  /** Row-order chunks of this many customers (a remainder shorter than half a chunk joins the last full one). */
  chunkSize?: number;
  seed?: number;
}

const pairs = (b: Record<CbpeMetric, Band>): Record<CbpeMetric, [number, number]> =>
  Object.fromEntries(CBPE_METRICS.map((k) => [k, [b[k].low, b[k].high]])) as Record<CbpeMetric, [number, number]>;

/**
 * The report: CBPE of the whole export and of each chunk, their bands and alerts, and the realized figures where
 * `labels` (null for unlabeled customers) are complete. The estimates read `scores` only.
 */
export function performanceEstimate(
  scores: ArrayLike<number>,
  labels: readonly (number | null)[] | null,
  threshold: number,
  reference: PerformanceReference,
  options: EstimateOptions = {},
): PerformanceEstimate {
  const n = scores.length;
  const seed = options.seed ?? 0;
  const estimated = estimatePerformance(scores, threshold);
  // Bands depend only on the size (seeded): chunks of one size share theirs.
  const bands = new Map<number, Record<CbpeMetric, [number, number]>>();
  const bandFor = (size: number): Record<CbpeMetric, [number, number]> => {
    let b = bands.get(size);
    if (!b) bands.set(size, (b = pairs(performanceBands(reference, threshold, size, seed))));
    return b;
  };
  const band = bandFor(Math.max(2, n));
  const outside = (value: number, b: [number, number]): boolean => value < b[0] || value > b[1];
  const realizedOf = (start: number, end: number): PerformanceFigures | undefined => {
    if (!labels) return undefined;
    const y: number[] = [];
    for (let i = start; i < end; i++) {
      const v = labels[i];
      if (v === null || v === undefined) return undefined;
      y.push(v);
    }
    const positives = y.reduce((a, b) => a + b, 0);
    if (positives === 0 || positives === y.length) return undefined;
    return realizedPerformance(y, Array.prototype.slice.call(scores, start, end) as number[], threshold);
  };
  const chunks: ChunkPerformance[] = [];
  if (options.chunkSize !== undefined) {
    const size = options.chunkSize;
    if (!Number.isInteger(size) || size < 2) throw new RangeError(`chunk size must be an integer of at least 2, got ${size}`);
    const starts: number[] = [];
    for (let s = 0; s < n; s += size) starts.push(s);
    // A remainder shorter than half a chunk joins the chunk before it (its estimate and band would be noise).
    if (starts.length > 1 && n - (starts[starts.length - 1] as number) < size / 2) starts.pop();
    starts.forEach((start, k) => {
      const end = k + 1 < starts.length ? (starts[k + 1] as number) : n;
      const part = Array.prototype.slice.call(scores, start, end) as number[];
      const est = estimatePerformance(part, threshold);
      const b = bandFor(end - start);
      const realized = realizedOf(start, end);
      chunks.push({ start, end, estimated: est, band: b, alert: outside(est.roc_auc, b.roc_auc), ...(realized ? { realized } : {}) });
    });
  }
  const referenceEce = expectedCalibrationError(reference.labels, reference.scores);
  const warnings: string[] = [];
  if (referenceEce > CALIBRATION_WARN_ECE) {
    warnings.push(
      `the model's probabilities were poorly calibrated on its held-out customers (ECE ${referenceEce.toFixed(3)} > ${CALIBRATION_WARN_ECE}): the estimates inherit that error`,
    );
  }
  const realized = realizedOf(0, n);
  return {
    method: "CBPE",
    threshold,
    estimated,
    band,
    alert: outside(estimated.roc_auc, band.roc_auc) || chunks.some((c) => c.alert),
    ...(realized ? { realized } : {}),
    chunks,
    reference_ece: referenceEce,
    assumptions: [
      "the probabilities are calibrated: a score of p means a churn chance of p (checked on the held-out customers: reference_ece)",
      "features relate to churn as they did in training (no concept drift): a change in that relation moves real performance without moving the estimate",
    ],
    warnings,
  };
}
