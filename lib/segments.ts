// Performance and calibration by customer segment, and recall / false-positive-rate gaps between protected groups.
import { expectedCalibrationError } from "./calibration";
import { evaluate } from "./evaluation";
import { tenureBand } from "./features";
import type { Customer } from "./schema";

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
      const y = idx.map((i) => (customers[i]?.Churn === "Yes" ? 1 : 0));
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
  falsePositiveRateGap: number;
}

/** Recall and false-positive-rate differences between the two groups of gender and of senior status. */
export function fairnessGaps(rows: readonly SegmentRow[]): FairnessGap[] {
  const out: FairnessGap[] = [];
  for (const dimension of ["gender", "SeniorCitizen"]) {
    const [a, b] = rows.filter((r) => r.dimension === dimension);
    if (!a || !b) continue;
    out.push({
      dimension,
      groups: [a.segment, b.segment],
      recallGap: a.recall - b.recall,
      falsePositiveRateGap: a.falsePositiveRate - b.falsePositiveRate,
    });
  }
  return out;
}
