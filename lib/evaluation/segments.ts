// Performance and calibration by customer segment, and recall / false-positive-rate gaps between protected groups.
import { expectedCalibrationError } from "./calibration";
import { evaluate } from "./evaluate";
import { tenureBand } from "../features/derived";
import type { Customer } from "../core/schema";
import seedrandom from "seedrandom";
import { ss } from "../core/stats";
import { churnLabel } from "../core/labels";

export interface SegmentRow {
  dimension: string;
  segment: string;
  n: number;
  churnRate: number;
  meanScore: number;
  rocAuc: number;
  rocAucCi95: [number, number];
  recall: number;
  recallCi95: [number, number];
  falsePositiveRate: number;
  falsePositiveRateCi95: [number, number];
  ece: number;
}

export const SEGMENT_DIMENSIONS: readonly { name: string; key: (c: Customer) => string | null }[] = [
  { name: "Contract", key: (c) => c.Contract },
  { name: "tenure band", key: (c) => tenureBand(c.tenure) },
  { name: "InternetService", key: (c) => c.InternetService },
  { name: "PaymentMethod", key: (c) => c.PaymentMethod },
  { name: "gender", key: (c) => c.gender },
  { name: "SeniorCitizen", key: (c) => (c.SeniorCitizen === null ? null : c.SeniorCitizen === 1 ? "senior" : "not senior") },
];

/** Metrics per segment of each dimension, with stratified bootstrap intervals; segments too small to score are skipped. */
export function segmentReport(
  customers: readonly Customer[],
  scores: ArrayLike<number>,
  threshold: number,
  options: { bootstrap?: number; seed?: number; minSize?: number } = {},
): SegmentRow[] {
  const rows: SegmentRow[] = [];
  for (const dim of SEGMENT_DIMENSIONS) {
    const groups = new Map<string, number[]>();
    customers.forEach((c, i) => {
      const k = dim.key(c);
      if (k === null || c.Churn === null) return;
      const g = groups.get(k);
      if (g) g.push(i);
      else groups.set(k, [i]);
    });
    for (const [segment, idx] of groups) {
      const y = idx.map((i) => churnLabel(customers[i] as Customer));
      const p = idx.map((i) => scores[i] as number);
      const positives = y.reduce((s: number, v) => s + v, 0);
      if (idx.length < (options.minSize ?? 30) || positives === 0 || positives === y.length) continue;
      const e = evaluate(y, p, threshold, { bootstrap: options.bootstrap ?? 500, seed: options.seed ?? 42 });
      const spec = e.metrics.specificity;
      rows.push({
        dimension: dim.name,
        segment,
        n: idx.length,
        churnRate: positives / y.length,
        meanScore: p.reduce((s, v) => s + v, 0) / p.length,
        rocAuc: e.metrics.roc_auc.value,
        rocAucCi95: e.metrics.roc_auc.ci95,
        recall: e.metrics.recall.value,
        recallCi95: e.metrics.recall.ci95,
        falsePositiveRate: 1 - spec.value,
        falsePositiveRateCi95: [1 - spec.ci95[1], 1 - spec.ci95[0]],
        ece: expectedCalibrationError(y, p),
      });
    }
  }
  return rows;
}

export interface FairnessGap {
  dimension: string;
  groups: [string, string];
  recallGap: number;
  recallGapCi95: [number, number];
  falsePositiveRateGap: number;
  falsePositiveRateGapCi95: [number, number];
}

const FAIRNESS_DIMENSIONS = ["gender", "SeniorCitizen"] as const;

/** Recall and false-positive rate of one group, from its churners' and stayers' predictions at the threshold. */
function rates(flagsPos: readonly number[], flagsNeg: readonly number[]): { recall: number; fpr: number } {
  const mean = (a: readonly number[]): number => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : Number.NaN);
  return { recall: mean(flagsPos), fpr: mean(flagsNeg) };
}

/**
 * Recall and false-positive-rate differences (first group minus second) for gender and senior status, each with a
 * bootstrap 95% interval: churners and stayers of each group resampled separately, seeded.
 */
export function fairnessGaps(
  customers: readonly Customer[],
  scores: ArrayLike<number>,
  threshold: number,
  options: { bootstrap?: number; seed?: number } = {},
): FairnessGap[] {
  const replicates = options.bootstrap ?? 1000;
  const out: FairnessGap[] = [];
  for (const name of FAIRNESS_DIMENSIONS) {
    const dim = SEGMENT_DIMENSIONS.find((d) => d.name === name);
    if (!dim) continue;
    const groups = new Map<string, { pos: number[]; neg: number[] }>();
    customers.forEach((c, i) => {
      const k = dim.key(c);
      if (k === null || c.Churn === null) return;
      const g = groups.get(k) ?? { pos: [], neg: [] };
      (c.Churn === "Yes" ? g.pos : g.neg).push((scores[i] as number) >= threshold ? 1 : 0);
      groups.set(k, g);
    });
    const [a, b] = [...groups.entries()].sort((x, y) => x[0].localeCompare(y[0]));
    if (!a || !b || !a[1].pos.length || !b[1].pos.length || !a[1].neg.length || !b[1].neg.length) continue;
    const ra = rates(a[1].pos, a[1].neg);
    const rb = rates(b[1].pos, b[1].neg);
    const rng = seedrandom(`fairness:${options.seed ?? 42}:${name}`);
    const resample = (v: readonly number[]): number[] => v.map(() => v[Math.floor(rng() * v.length)] as number);
    const recallGaps: number[] = [];
    const fprGaps: number[] = [];
    for (let r = 0; r < replicates; r++) {
      const xa = rates(resample(a[1].pos), resample(a[1].neg));
      const xb = rates(resample(b[1].pos), resample(b[1].neg));
      recallGaps.push(xa.recall - xb.recall);
      fprGaps.push(xa.fpr - xb.fpr);
    }
    const ci = (v: number[]): [number, number] => (v.length ? [ss.quantile(v, 0.025), ss.quantile(v, 0.975)] : [Number.NaN, Number.NaN]);
    out.push({
      dimension: name,
      groups: [a[0], b[0]],
      recallGap: ra.recall - rb.recall,
      recallGapCi95: ci(recallGaps),
      falsePositiveRateGap: ra.fpr - rb.fpr,
      falsePositiveRateGapCi95: ci(fprGaps),
    });
  }
  return out;
}
