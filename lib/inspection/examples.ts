// Example customers for a notebook or a deck: a few of the riskiest whose leading reasons differ, so that three examples
// show three different stories instead of the same month-to-month contract three times.
import { descendingOrder } from "../core/ranking";
import type { Reason } from "./reasons";

/** A scored customer with its reasons, strongest first (as explainCustomer or the API give them). */
export interface ExplainedScore {
  /** Churn score: higher is riskier. */
  score: number;
  reasons: readonly Pick<Reason, "field">[];
}

export interface DistinctExamplesOptions {
  /** How many of the riskiest customers the examples are drawn from (default 10 x n). */
  pool?: number;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
}

/**
 * n examples among the `pool` riskiest of `scored` (highest score first, equal scores in input order), each with a
 * different leading reason (reasons[0].field): walking down the ranking, a customer is taken when no example taken so
 * far leads with the same field. When the pool holds fewer than n distinct leading fields, the remaining places go to
 * the riskiest customers of the pool not taken yet, so the answer still has min(n, pool, scored.length) examples;
 * customers without reasons only ever fill such places. Deterministic: the same input gives the same examples, in
 * ranking order. Refuses a non-finite score, naming its position.
 */
export function distinctReasonExamples<T extends ExplainedScore>(scored: readonly T[], n = 3, options: DistinctExamplesOptions = {}): T[] {
  checkCount("n", n, 0);
  const pool = options.pool ?? Math.max(1, 10 * n);
  checkCount("pool", pool, 1);
  const scores = Float64Array.from(scored, (s, i) => {
    if (!Number.isFinite(s.score)) throw new RangeError(`scored customer ${i} has score ${s.score}; scores must be finite numbers`);
    return s.score;
  });
  const ranked = Array.from(descendingOrder(scores).subarray(0, pool));
  const chosen = new Set<number>();
  const leading = new Set<string>();
  for (const i of ranked) {
    if (chosen.size >= n) break;
    const field = (scored[i] as T).reasons[0]?.field;
    if (field === undefined || leading.has(field)) continue;
    leading.add(field);
    chosen.add(i);
  }
  for (const i of ranked) {
    if (chosen.size >= n) break;
    chosen.add(i);
  }
  return ranked.filter((i) => chosen.has(i)).map((i) => scored[i] as T);
}
