// Two ways of explaining the same customers compared, as the deck's deep dive does: exact TreeSHAP (the reference)
// against the decision-path attribution the API serves (the candidate), on agreement, additivity and speed.
import type { CustomerExplanation } from "../inspection/explain";
import type { TimedResults } from "./timing";

/** Share of customers whose top reason is the same field under both explanations (both without reasons counts as same). */
export function sameTopReasonShare(
  reference: readonly Pick<CustomerExplanation, "reasons">[],
  candidate: readonly Pick<CustomerExplanation, "reasons">[],
): number {
  checkPaired(reference, candidate);
  if (reference.length === 0) return Number.NaN;
  let same = 0;
  reference.forEach((r, i) => {
    if (r.reasons[0]?.field === candidate[i]?.reasons[0]?.field) same++;
  });
  return same / reference.length;
}

/**
 * Mean over customers of the share of the reference's reason fields the candidate also names (candidate reasons in the
 * reference's set, over the reference's set size, at least 1).
 */
export function reasonOverlap(
  reference: readonly Pick<CustomerExplanation, "reasons">[],
  candidate: readonly Pick<CustomerExplanation, "reasons">[],
): number {
  checkPaired(reference, candidate);
  if (reference.length === 0) return Number.NaN;
  let total = 0;
  reference.forEach((r, i) => {
    const fields = new Set(r.reasons.map((x) => x.field));
    const shared = (candidate[i]?.reasons ?? []).filter((x) => fields.has(x.field)).length;
    total += shared / Math.max(1, fields.size);
  });
  return total / reference.length;
}

/** Largest |expectedValue + sum of field contributions - output| over the explanations: 0 for additive ones. */
export function additivityError(explanations: readonly Pick<CustomerExplanation, "expectedValue" | "fields" | "output">[]): number {
  let worst = 0;
  for (const e of explanations) {
    const sum = Object.values(e.fields).reduce((s, v) => s + v, 0);
    worst = Math.max(worst, Math.abs(e.expectedValue + sum - e.output));
  }
  return worst;
}

function checkPaired(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length) throw new RangeError(`explanations of ${a.length} and ${b.length} customers cannot be paired`);
}

export interface AttributionComparison {
  /** sameTopReasonShare(reference, candidate). */
  sameTopShare: number;
  /** reasonOverlap(reference, candidate). */
  topOverlap: number;
  /** additivityError of the candidate's explanations. */
  candidateAdditivityError: number;
  /** Reference p50 latency over the candidate's: how many times faster the candidate is. */
  speedup: number;
  /** Reference p50 latency over scoring one customer (when a scoring p50 is given), else null. */
  referenceOverScoring: number | null;
}

/** Timed explanations of the same customers (reference and candidate, from timeEach) compared. */
export function attributionComparison(
  reference: TimedResults<CustomerExplanation>,
  candidate: TimedResults<CustomerExplanation>,
  scoringP50Us?: number,
): AttributionComparison {
  return {
    sameTopShare: sameTopReasonShare(reference.results, candidate.results),
    topOverlap: reasonOverlap(reference.results, candidate.results),
    candidateAdditivityError: additivityError(candidate.results),
    speedup: reference.p50_us / candidate.p50_us,
    referenceOverScoring: scoringP50Us === undefined ? null : reference.p50_us / scoringP50Us,
  };
}
