// Held-out evaluation of churn probabilities: point metrics with stratified-bootstrap 95% intervals, and curves as
// plain column data (ROC, precision-recall, gains, lift, threshold sweep) ready for plotly traces.
//
// Speed: the rows are sorted by descending score once per call. A bootstrap replicate is a vector of multiplicities
// (how often each row was drawn); walking the one global order with those weights yields the resample already
// sorted, so a replicate costs O(n) and no sort at all. `replicateMetrics` is that walk; the tests hold it to
// lib/evaluation/metrics.ts on materialized resamples.
import seedrandom from "seedrandom";
import { atThreshold, brier, confusion, logLoss, prAuc, rocAuc, type Confusion } from "./metrics";
import { descendingOrder, tieGroupEnd } from "../core/ranking";
import { ss } from "../core/stats";

export const METRIC_NAMES = [
  "roc_auc",
  "pr_auc",
  "log_loss",
  "brier",
  "accuracy",
  "precision",
  "recall",
  "f1",
  "specificity",
  "top_decile_lift",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type MetricValues = Record<MetricName, number>;

export interface Estimate {
  value: number;
  /** Percentile 95% interval of the bootstrap replicates; [NaN, NaN] (null in JSON) when bootstrap = 0. */
  ci95: [number, number];
}

export interface EvaluationReport {
  n: number;
  positives: number;
  threshold: number;
  /** Number of bootstrap replicates and the seed they were drawn with. */
  bootstrap: { replicates: number; seed: number | string };
  metrics: Record<MetricName, Estimate>;
  confusion: Confusion;
}

export interface EvaluateOptions {
  /** Bootstrap replicates (default 1000); 0 gives point estimates only. */
  bootstrap?: number;
  /** Seed of the resampling (default 42). */
  seed?: number | string;
}

const LOG_EPS = 1e-15; // as lib/evaluation/metrics.ts logLoss

function checkInputs(y: ArrayLike<number>, p: ArrayLike<number>): void {
  if (y.length !== p.length) throw new RangeError(`y has ${y.length} labels but p has ${p.length} scores`);
  if (y.length === 0) throw new RangeError("cannot evaluate zero rows");
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`labels must be 0 or 1, got ${y[i]} at row ${i}`);
    if (!Number.isFinite(p[i])) throw new RangeError(`score ${i} is not a finite number`);
  }
}

/** Number of rows in the top decile: ceil(n / 10). */
export function topDecileSize(n: number): number {
  return Math.ceil(n / 10);
}

/**
 * Churn rate among the ceil(n/10) highest-scored rows divided by the overall churn rate. When rows tied in score
 * straddle the cut, the places left are filled pro rata from the tied group (its churn rate times the places), so the
 * value does not depend on row order.
 */
export function topDecileLift(y: ArrayLike<number>, p: ArrayLike<number>): number {
  const counts = new Uint32Array(y.length).fill(1);
  return replicateMetrics(y, p, descendingOrder(p), counts, 0.5).top_decile_lift;
}

/**
 * All metrics of the resample that takes row i counts[i] times, in one pass over `order` (= descendingOrder(p)).
 * With counts all 1 it equals lib/evaluation/metrics.ts on (y, p).
 */
export function replicateMetrics(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  order: Uint32Array,
  counts: ArrayLike<number>,
  threshold: number,
): MetricValues {
  let n = 0;
  let pos = 0;
  for (let i = 0; i < y.length; i++) {
    n += counts[i] as number;
    if (y[i] === 1) pos += counts[i] as number;
  }
  const neg = n - pos;
  const top = topDecileSize(n);
  let area = 0; // ROC: sum over positives of negatives below + half the tied ones
  let ap = 0;
  let prevRecall = 0;
  let tpAll = 0; // running true/false positives over score groups (for AUC/AP)
  let fpAll = 0;
  let ll = 0;
  let sq = 0;
  let tp = 0; // at the threshold
  let fp = 0;
  let taken = 0; // rows into the top decile so far
  let topPos = 0;
  for (let k = 0; k < order.length;) {
    const end = tieGroupEnd(order, p, k);
    const s = p[order[k] as number] as number;
    let gPos = 0;
    let gNeg = 0;
    for (; k < end; k++) {
      const i = order[k] as number;
      const c = counts[i] as number;
      if (c === 0) continue;
      const label = y[i] as number;
      const q = Math.min(1 - LOG_EPS, Math.max(LOG_EPS, s));
      if (label === 1) {
        gPos += c;
        ll -= c * Math.log(q);
      } else {
        gNeg += c;
        ll -= c * Math.log(1 - q);
      }
      sq += c * (s - label) ** 2;
    }
    if (gPos + gNeg === 0) continue;
    if (taken < top) {
      // a tied group straddling the cut counts pro rata (the expected value over tie orders)
      const t = Math.min(gPos + gNeg, top - taken);
      taken += t;
      topPos += (t * gPos) / (gPos + gNeg);
    }
    area += gPos * (neg - fpAll - gNeg) + 0.5 * gPos * gNeg;
    tpAll += gPos;
    fpAll += gNeg;
    const recall = pos === 0 ? 0 : tpAll / pos;
    ap += (recall - prevRecall) * (tpAll / (tpAll + fpAll));
    prevRecall = recall;
    if (s >= threshold) {
      tp += gPos;
      fp += gNeg;
    }
  }
  const tn = neg - fp;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = pos === 0 ? 0 : tp / pos;
  return {
    roc_auc: pos === 0 || neg === 0 ? Number.NaN : area / (pos * neg),
    pr_auc: pos === 0 ? Number.NaN : ap,
    log_loss: ll / n,
    brier: sq / n,
    accuracy: (tp + tn) / n,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    specificity: neg === 0 ? 0 : tn / neg,
    top_decile_lift: pos === 0 ? Number.NaN : topPos / top / (pos / n),
  };
}

/**
 * Stratified bootstrap draw: as many positives as there are positives, drawn with replacement among the positives,
 * and likewise for negatives. Returns multiplicities per row (counts[i] = times row i was drawn).
 */
export function stratifiedBootstrapCounts(
  positives: ArrayLike<number>,
  negatives: ArrayLike<number>,
  n: number,
  rng: () => number,
  into: Uint32Array = new Uint32Array(n),
): Uint32Array {
  into.fill(0);
  for (const group of [positives, negatives]) {
    const m = group.length;
    for (let j = 0; j < m; j++) (into[group[Math.floor(rng() * m)] as number] as number)++;
  }
  return into;
}

/** Point estimates (lib/evaluation/metrics.ts) with stratified, seeded bootstrap percentile 95% intervals. */
export function evaluate(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number, options: EvaluateOptions = {}): EvaluationReport {
  checkInputs(y, p);
  const replicates = options.bootstrap ?? 1000;
  const seed = options.seed ?? 42;
  if (!Number.isInteger(replicates) || replicates < 0) throw new RangeError(`bootstrap must be an integer >= 0, got ${replicates}`);
  const n = y.length;
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < n; i++) (y[i] === 1 ? pos : neg).push(i);
  const t = atThreshold(y, p, threshold);
  const point: MetricValues = {
    roc_auc: rocAuc(y, p),
    pr_auc: prAuc(y, p),
    log_loss: logLoss(y, p),
    brier: brier(y, p),
    accuracy: t.accuracy,
    precision: t.precision,
    recall: t.recall,
    f1: t.f1,
    specificity: t.specificity,
    top_decile_lift: topDecileLift(y, p),
  };
  const draws = Object.fromEntries(METRIC_NAMES.map((m) => [m, new Float64Array(replicates)])) as Record<MetricName, Float64Array>;
  if (replicates > 0) {
    const order = descendingOrder(p);
    const rng = seedrandom(`bootstrap:${seed}`);
    const counts = new Uint32Array(n);
    for (let r = 0; r < replicates; r++) {
      const m = replicateMetrics(y, p, order, stratifiedBootstrapCounts(pos, neg, n, rng, counts), threshold);
      for (const name of METRIC_NAMES) draws[name][r] = m[name];
    }
  }
  const metrics = {} as Record<MetricName, Estimate>;
  for (const name of METRIC_NAMES) {
    const finite = Array.from(draws[name]).filter(Number.isFinite);
    const ci95: [number, number] =
      finite.length === 0 ? [Number.NaN, Number.NaN] : (ss.quantile(finite, [0.025, 0.975]) as [number, number]);
    metrics[name] = { value: point[name], ci95 };
  }
  return {
    n,
    positives: pos.length,
    threshold,
    bootstrap: { replicates, seed },
    metrics,
    confusion: confusion(y, p, threshold),
  };
}

// ---------------------------------------------------------------- curves

/** Cumulative true/false positives per distinct score, from the highest score down. */
function cumulative(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
): { thresholds: number[]; tp: number[]; fp: number[]; pos: number; n: number } {
  checkInputs(y, p);
  const order = descendingOrder(p);
  const thresholds: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length;) {
    const end = tieGroupEnd(order, p, k);
    const s = p[order[k] as number] as number;
    for (; k < end; k++) {
      if (y[order[k] as number] === 1) tp++;
      else fp++;
    }
    thresholds.push(s);
    tps.push(tp);
    fps.push(fp);
  }
  return { thresholds, tp: tps, fp: fps, pos: tp, n: y.length };
}

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Score >= threshold is "churn"; the first point (0, 0) has threshold Infinity (null in JSON), as scikit-learn. */
  thresholds: number[];
}

/** ROC curve, one point per distinct score plus the origin; runs from (0, 0) to (1, 1). */
export function rocCurve(y: ArrayLike<number>, p: ArrayLike<number>): RocCurve {
  const c = cumulative(y, p);
  const neg = c.n - c.pos;
  return {
    fpr: [0, ...c.fp.map((v) => (neg === 0 ? 0 : v / neg))],
    tpr: [0, ...c.tp.map((v) => (c.pos === 0 ? 0 : v / c.pos))],
    thresholds: [Infinity, ...c.thresholds],
  };
}

export interface PrCurve {
  recall: number[];
  precision: number[];
  /** The first point (recall 0, precision 1) has threshold Infinity (null in JSON). */
  thresholds: number[];
}

/** Precision-recall curve by descending threshold; starts at (recall 0, precision 1), ends at recall 1. */
export function prCurve(y: ArrayLike<number>, p: ArrayLike<number>): PrCurve {
  const c = cumulative(y, p);
  return {
    recall: [0, ...c.tp.map((v) => (c.pos === 0 ? 0 : v / c.pos))],
    precision: [1, ...c.tp.map((v, i) => v / (v + (c.fp[i] as number)))],
    thresholds: [Infinity, ...c.thresholds],
  };
}

export interface GainsCurve {
  /** Share of customers targeted, highest scores first (0 to 1). */
  targeted: number[];
  /** Share of all churners among those targeted (0 to 1). */
  captured: number[];
}

/** Cumulative gains: one point per distinct score plus (0, 0); ends at (1, 1). */
export function gainsCurve(y: ArrayLike<number>, p: ArrayLike<number>): GainsCurve {
  const c = cumulative(y, p);
  return {
    targeted: [0, ...c.tp.map((v, i) => (v + (c.fp[i] as number)) / c.n)],
    captured: [0, ...c.tp.map((v) => (c.pos === 0 ? 0 : v / c.pos))],
  };
}

export interface LiftCurve {
  /** 1-based bin number, bin 1 = highest scores. */
  bin: number[];
  /** Share targeted at the end of the bin (cumulative). */
  targeted: number[];
  count: number[];
  /** Churn rate in the bin. */
  rate: number[];
  /** Rate in the bin / overall rate. */
  lift: number[];
  /** Rate among all rows up to and including the bin / overall rate. */
  cumulativeLift: number[];
}

/**
 * Lift by score bins of (nearly) equal size: rows sorted by descending score (ties in row order, so with many ties
 * bins at a tie boundary depend on row order; topDecileLift splits ties pro rata instead), bin b holds rows
 * [round(b·n/bins), round((b+1)·n/bins)).
 */
export function liftCurve(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): LiftCurve {
  checkInputs(y, p);
  if (!Number.isInteger(bins) || bins < 1 || bins > y.length) throw new RangeError(`bins must be an integer in [1, n], got ${bins}`);
  const order = descendingOrder(p);
  const n = y.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += y[i] as number;
  const overall = total / n;
  const out: LiftCurve = { bin: [], targeted: [], count: [], rate: [], lift: [], cumulativeLift: [] };
  let cumPos = 0;
  for (let b = 0; b < bins; b++) {
    const lo = Math.round((b * n) / bins);
    const hi = Math.round(((b + 1) * n) / bins);
    let binPos = 0;
    for (let k = lo; k < hi; k++) binPos += y[order[k] as number] as number;
    cumPos += binPos;
    const rate = hi > lo ? binPos / (hi - lo) : Number.NaN;
    out.bin.push(b + 1);
    out.targeted.push(hi / n);
    out.count.push(hi - lo);
    out.rate.push(rate);
    out.lift.push(rate / overall);
    out.cumulativeLift.push(cumPos / hi / overall);
  }
  return out;
}

export interface ThresholdSweep {
  thresholds: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  accuracy: number[];
  specificity: number[];
  /** Customers at or above each threshold: where it is 0, precision is undefined (atThreshold reports 0). */
  flagged: number[];
}

/** lib/evaluation/metrics.ts atThreshold at each threshold, as columns. */
export function thresholdSweep(y: ArrayLike<number>, p: ArrayLike<number>, thresholds: readonly number[]): ThresholdSweep {
  checkInputs(y, p);
  const out: ThresholdSweep = {
    thresholds: [...thresholds],
    precision: [],
    recall: [],
    f1: [],
    accuracy: [],
    specificity: [],
    flagged: [],
  };
  for (const t of thresholds) {
    const m = atThreshold(y, p, t);
    let flagged = 0;
    for (let i = 0; i < p.length; i++) if ((p[i] as number) >= t) flagged++;
    out.flagged.push(flagged);
    out.precision.push(m.precision);
    out.recall.push(m.recall);
    out.f1.push(m.f1);
    out.accuracy.push(m.accuracy);
    out.specificity.push(m.specificity);
  }
  return out;
}
