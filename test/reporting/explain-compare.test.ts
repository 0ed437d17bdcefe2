// Comparing two attributions of the same customers: top-reason agreement, overlap, additivity, speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CustomerExplanation } from "../../lib/inspection/explain";
import { additivityError, attributionComparison, reasonOverlap, sameTopReasonShare } from "../../lib/reporting/explain-compare";
import type { TimedResults } from "../../lib/reporting/timing";

function explanation(fields: string[], values: Record<string, number> = {}, expectedValue = 0, output = 0): CustomerExplanation {
  return {
    scorer: "stub",
    method: "path",
    unit: "log-odds",
    probability: 0.5,
    expectedValue,
    output,
    fields: values,
    reasons: fields.map((field) => ({ field, value: "v", contribution: 1, unit: "log-odds", text: field })),
  };
}

const reference = [
  explanation(["Contract", "tenure", "MonthlyCharges"]),
  explanation(["tenure", "Contract"]),
  explanation([]),
  explanation(["PaymentMethod"]),
];
const candidate = [
  explanation(["Contract", "MonthlyCharges", "TechSupport"]),
  explanation(["Contract", "tenure"]),
  explanation([]),
  explanation(["tenure"]),
];

test("sameTopReasonShare counts customers whose first reason is the same field", () => {
  // Same: customer 0 (Contract) and customer 2 (no reasons on either side).
  assert.equal(sameTopReasonShare(reference, candidate), 0.5);
  assert.equal(sameTopReasonShare(reference, reference), 1);
  assert.ok(Number.isNaN(sameTopReasonShare([], [])));
  assert.throws(() => sameTopReasonShare(reference, candidate.slice(1)), RangeError);
});

test("reasonOverlap averages the share of the reference's fields the candidate also names", () => {
  // 2/3, 2/2, 0/1 (empty set counts as size 1), 0/1.
  assert.equal(reasonOverlap(reference, candidate), (2 / 3 + 1 + 0 + 0) / 4);
  assert.equal(reasonOverlap(reference, reference), (1 + 1 + 0 + 1) / 4);
});

test("additivityError is the largest gap between expected value plus contributions and the output", () => {
  assert.equal(additivityError([explanation([], { a: 0.5, b: -0.25 }, 0.1, 0.35)]), 0);
  const err = additivityError([
    explanation([], { a: 0.5 }, 0, 0.5),
    explanation([], { a: 0.2, b: 0.2 }, 0, 0.3),
    explanation([], {}, 1, 0.95),
  ]);
  assert.ok(Math.abs(err - 0.1) < 1e-12, String(err));
  assert.equal(additivityError([]), 0);
});

test("attributionComparison puts the agreement, the candidate's additivity and the speed ratios together", () => {
  const timed = (results: CustomerExplanation[], p50: number): TimedResults<CustomerExplanation> => ({
    results,
    n: results.length,
    p50_us: p50,
    p99_us: 2 * p50,
    p999_us: 3 * p50,
  });
  const off = candidate.map((e, i) => ({ ...e, fields: { x: i }, expectedValue: 0, output: i === 3 ? 3.5 : i }));
  const c = attributionComparison(timed(reference, 600), timed(off, 40), 2);
  assert.equal(c.sameTopShare, 0.5);
  assert.equal(c.topOverlap, (2 / 3 + 1) / 4);
  assert.equal(c.candidateAdditivityError, 0.5);
  assert.equal(c.speedup, 15);
  assert.equal(c.referenceOverScoring, 300);
  assert.equal(attributionComparison(timed(reference, 600), timed(off, 40)).referenceOverScoring, null);
});
