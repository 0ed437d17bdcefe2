// The campaign plan: the best threshold within capacity and budget, its bootstrap interval and margin range; and the
// risk bands the plan defines.
import { test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";
import { bestOperatingPoint, campaignPlan, expectedValue, riskBands, DEFAULT_ASSUMPTIONS } from "../../lib/evaluation";

/** 2,000 customers whose churn probability rises with the score, bills 20-120. */
function population(seed: number): { y: number[]; p: number[]; mc: number[] } {
  const rng = seedrandom(`campaign-test:${seed}`);
  const p = Array.from({ length: 2000 }, () => rng());
  const y = p.map((s) => (rng() < s * 0.6 ? 1 : 0));
  const mc = p.map(() => 20 + rng() * 100);
  return { y, p, mc };
}

test("the plan contacts no more than the capacity or the budget allows and is the best point within that limit", () => {
  const { y, p, mc } = population(1);
  const plan = campaignPlan(y, p, mc, { limits: { capacityShare: 0.2, budgetPer1000: 5000 }, samples: 200 });
  assert.equal(plan.binding, "budget"); // 5,000 / 50 = 100 per 1,000 < 200 per 1,000
  assert.equal(plan.maxContactsPer1000, 100);
  assert.ok(plan.point.contacted <= 200, `contacted ${plan.point.contacted}`);
  // No threshold contacting at most 200 customers (100 per 1,000 of 2,000) is worth more (brute force).
  const sorted = [...p].sort((a, b) => b - a);
  for (let k = 1; k <= 200; k++) {
    const v = expectedValue(y, p, mc, sorted[k - 1] as number, DEFAULT_ASSUMPTIONS);
    assert.ok(v.net <= plan.point.net + 1e-9, `contacting the top ${k} is worth ${v.net} > ${plan.point.net}`);
  }
  const unconstrained = bestOperatingPoint(y, p, mc, DEFAULT_ASSUMPTIONS);
  assert.ok(unconstrained.contacted > 200, "the limit binds in this population");
  assert.ok(plan.point.net <= unconstrained.net);
  const capacityBound = campaignPlan(y, p, mc, { limits: { capacityShare: 0.05, budgetPer1000: 1e6 }, samples: 10 });
  assert.equal(capacityBound.binding, "capacity");
  assert.ok(capacityBound.point.contacted <= 100);
});

test("the value interval brackets the point value and the margin range brackets the central margin", () => {
  const { y, p, mc } = population(2);
  const plan = campaignPlan(y, p, mc, { samples: 400, seed: 5 });
  const [lo, hi] = plan.netPer1000Interval;
  assert.ok(lo < plan.point.netPer1000 && plan.point.netPer1000 < hi, `${lo} < ${plan.point.netPer1000} < ${hi}`);
  const [atLow, atHigh] = plan.netPer1000AtMargin;
  assert.ok(atLow < plan.point.netPer1000 && plan.point.netPer1000 < atHigh);
  assert.deepEqual(
    campaignPlan(y, p, mc, { samples: 50, seed: 5 }).netPer1000Interval,
    campaignPlan(y, p, mc, { samples: 50, seed: 5 }).netPer1000Interval,
  );
});

test("bad limits are refused by name", () => {
  const { y, p, mc } = population(3);
  assert.throws(() => campaignPlan(y, p, mc, { limits: { capacityShare: 0 } }), /capacityShare/);
  assert.throws(() => campaignPlan(y, p, mc, { limits: { budgetPer1000: -1 } }), /budgetPer1000/);
  assert.throws(() => campaignPlan(y, p, mc, { limits: { marginRange: [0.9, 0.5] } }), /marginRange/);
});

test("risk bands: contact is the plan, watch the next group of the same size, low the rest; churn rate falls band by band", () => {
  const { y, p, mc } = population(4);
  const plan = campaignPlan(y, p, mc, { samples: 10 });
  const bands = riskBands(y, p, plan);
  assert.deepEqual(
    bands.map((b) => b.band),
    ["contact", "watch", "low"],
  );
  assert.equal(bands[0]?.customers, plan.point.contacted);
  assert.equal(bands[1]?.customers, plan.point.contacted);
  assert.equal(
    bands.reduce((s, b) => s + b.customers, 0),
    p.length,
  );
  assert.ok(bands[0]?.churnRate > bands[1]?.churnRate);
  assert.ok(bands[1]?.churnRate > (bands[2]?.churnRate as number));
});

test("a threshold chosen elsewhere is evaluated, not searched: the point is that threshold's value on these customers", () => {
  const chosenOn = population(3);
  const judgedOn = population(4);
  const chosen = campaignPlan(chosenOn.y, chosenOn.p, chosenOn.mc, { samples: 1 });
  assert.equal(chosen.thresholdGiven, false);
  const t = chosen.point.threshold as number;
  const judged = campaignPlan(judgedOn.y, judgedOn.p, judgedOn.mc, { threshold: t, samples: 200, seed: 1 });
  assert.equal(judged.thresholdGiven, true);
  assert.equal(judged.point.threshold, t);
  const v = expectedValue(judgedOn.y, judgedOn.p, judgedOn.mc, t, DEFAULT_ASSUMPTIONS);
  assert.equal(judged.point.contacted, v.contacted);
  assert.ok(Math.abs(judged.point.net - v.net) < 1e-9);
  assert.ok(judged.netPer1000Interval[0] <= judged.point.netPer1000 && judged.point.netPer1000 <= judged.netPer1000Interval[1]);
  assert.throws(() => campaignPlan(judgedOn.y, judgedOn.p, judgedOn.mc, { threshold: Number.NaN }), /threshold must be a finite number/);
});
