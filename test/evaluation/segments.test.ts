// Checks segment metrics and fairness gaps against direct computations on real customers with synthetic scores.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";
import { cleanFile } from "../../lib/cleaning";
import { rocAuc } from "../../lib/evaluation/metrics";
import { fairnessGaps, segmentReport } from "../../lib/evaluation/segments";
import { memo, rawFile } from "../support";

const data = memo(() => {
  const customers = cleanFile(rawFile("telco-customer-churn.csv")).customers.slice(0, 2500);
  const rng = seedrandom("segments-test");
  // A noisy score that knows the label: a real ranking with errors, deterministic.
  const scores = Float64Array.from(customers, (c) => Math.min(1, Math.max(0, (c.Churn === "Yes" ? 0.6 : 0.3) + (rng() - 0.5) * 0.6)));
  return { customers, scores };
});

describe("segments", () => {
  test("each segment's size, churn rate and ROC-AUC equal a direct computation; intervals hold their estimates", () => {
    const { customers, scores } = data();
    const rows = segmentReport(customers, scores, 0.45, { bootstrap: 100, seed: 1 });
    const contract = rows.filter((r) => r.dimension === "Contract");
    assert.deepEqual(contract.map((r) => r.segment).sort(), ["Month-to-month", "One year", "Two year"]);
    for (const r of contract) {
      const idx = customers.map((c, i) => (c.Contract === r.segment ? i : -1)).filter((i) => i >= 0);
      const y = idx.map((i) => (customers[i]?.Churn === "Yes" ? 1 : 0));
      assert.equal(r.n, idx.length);
      assert.equal(r.churnRate, y.reduce((s: number, v) => s + v, 0) / y.length);
      assert.equal(
        r.rocAuc,
        rocAuc(
          y,
          idx.map((i) => scores[i] as number),
        ),
      );
      assert.ok(r.rocAucCi95[0] <= r.rocAuc && r.rocAuc <= r.rocAucCi95[1]);
      assert.ok(r.recallCi95[0] <= r.recall && r.recall <= r.recallCi95[1]);
      assert.ok(r.ece >= 0 && r.ece <= 1);
    }
    assert.ok(rows.some((r) => r.dimension === "tenure band") && rows.some((r) => r.dimension === "PaymentMethod"));
  });

  test("fairness gaps equal the difference of the groups' recall and FPR, with intervals around them", () => {
    const { customers, scores } = data();
    const gaps = fairnessGaps(customers, scores, 0.45, { bootstrap: 200, seed: 3 });
    const gender = gaps.find((g) => g.dimension === "gender");
    assert.ok(gender);
    const rate = (group: string, label: "Yes" | "No"): number => {
      const idx = customers.map((c, i) => (c.gender === group && c.Churn === label ? i : -1)).filter((i) => i >= 0);
      return idx.filter((i) => (scores[i] as number) >= 0.45).length / idx.length;
    };
    const [a, b] = gender.groups;
    assert.ok(Math.abs(gender.recallGap - (rate(a, "Yes") - rate(b, "Yes"))) < 1e-12);
    assert.ok(Math.abs(gender.falsePositiveRateGap - (rate(a, "No") - rate(b, "No"))) < 1e-12);
    assert.ok(gender.recallGapCi95[0] <= gender.recallGap && gender.recallGap <= gender.recallGapCi95[1]);
    assert.ok(gaps.some((g) => g.dimension === "SeniorCitizen"));
    assert.deepEqual(fairnessGaps(customers, scores, 0.45, { bootstrap: 200, seed: 3 }), gaps, "seeded: same result twice");
  });
});
