// What notebook 04 says in words: intervals that settle a sign, the weakest segment, the riskiest customers.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Customer } from "../../lib/core/schema";
import type { SegmentRow } from "../../lib/evaluation/segments";
import { excludesZero, riskiestCustomers, weakestSegment } from "../../lib/reporting/evaluation-summary";

test("excludesZero: only an interval entirely on one side of zero settles the sign", () => {
  assert.equal(excludesZero([0.01, 0.2]), true);
  assert.equal(excludesZero([-0.3, -0.001]), true);
  assert.equal(excludesZero([-0.1, 0.1]), false);
  assert.equal(excludesZero([0, 0.2]), false);
  assert.equal(excludesZero([-0.2, 0]), false);
});

function segment(name: string, n: number, rocAuc: number): SegmentRow {
  return {
    dimension: "d",
    segment: name,
    n,
    churnRate: 0.3,
    meanScore: 0.3,
    rocAuc,
    rocAucCi95: [rocAuc - 0.05, rocAuc + 0.05],
    recall: 0.5,
    recallCi95: [0.4, 0.6],
    falsePositiveRate: 0.2,
    falsePositiveRateCi95: [0.1, 0.3],
    ece: 0.02,
  };
}

test("weakestSegment takes the lowest ROC-AUC among segments large enough", () => {
  const rows = [
    segment("big good", 500, 0.85),
    segment("small bad", 40, 0.6),
    segment("big weak", 120, 0.7),
    segment("big weaker", 100, 0.69),
  ];
  assert.equal(weakestSegment(rows)?.segment, "big weaker");
  assert.equal(weakestSegment(rows, 101)?.segment, "big weak");
  assert.equal(weakestSegment(rows, 10)?.segment, "small bad");
  assert.equal(weakestSegment(rows, 1000), undefined);
});

test("riskiestCustomers returns the k highest scores, highest first, ties in customer order", () => {
  const customers = ["a", "b", "c", "d", "e"].map((customerID) => ({ customerID }) as Customer);
  const top = riskiestCustomers(customers, Float64Array.from([0.2, 0.9, 0.5, 0.9, 0.1]), 3);
  assert.deepEqual(
    top.map((t) => [t.customer.customerID, t.score]),
    [
      ["b", 0.9],
      ["d", 0.9],
      ["c", 0.5],
    ],
  );
  assert.equal(riskiestCustomers(customers, [1, 2, 3, 4, 5], 10).length, 5);
  assert.throws(() => riskiestCustomers(customers, [1, 2]), RangeError);
});
