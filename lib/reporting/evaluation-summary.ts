// What notebook 04 says about the held-out evaluation in words: whether an interval settles a sign, the weakest
// segment, the riskiest customers.
import type { Customer } from "../core/schema";
import type { SegmentRow } from "../evaluation/segments";
import { descendingOrder } from "../core/ranking";

/** True when the interval lies entirely above or below zero: the sign of the difference is established. */
export function excludesZero(interval: readonly [number, number]): boolean {
  return interval[0] > 0 || interval[1] < 0;
}

/** The segment with the lowest ROC-AUC among those of at least `minSize` customers (undefined when none is that large). */
export function weakestSegment(segments: readonly SegmentRow[], minSize = 100): SegmentRow | undefined {
  let weakest: SegmentRow | undefined;
  for (const s of segments) if (s.n >= minSize && (weakest === undefined || s.rocAuc < weakest.rocAuc)) weakest = s;
  return weakest;
}

/** The k customers with the highest scores, highest first (ties in customer order). */
export function riskiestCustomers(
  customers: readonly Customer[],
  scores: ArrayLike<number>,
  k = 3,
): { customer: Customer; score: number }[] {
  if (scores.length !== customers.length) throw new RangeError(`${customers.length} customers but ${scores.length} scores`);
  return Array.from(descendingOrder(scores).subarray(0, k), (i) => ({ customer: customers[i] as Customer, score: scores[i] as number }));
}
