// A/B testing a model update: sample size and power against published values (R's power.prop.test examples and a
// hand computation), round trips between sample size, power and minimum detectable effect, duration arithmetic,
// guardrails, the rollout plan, a worked plan, and input validation.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  DEFAULT_GUARDRAILS,
  armEffectFromRecall,
  checkGuardrails,
  experimentDuration,
  formatRolloutPlan,
  minimumDetectableEffect,
  planExperiment,
  powerTwoProportions,
  rolloutPlan,
  sampleSizeTwoProportions,
} from "../../lib/planning";

function close(a: number, b: number, tol: number): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);
}

describe("sampleSizeTwoProportions / powerTwoProportions", () => {
  test("p1 = 0.5, p2 = 0.6, two-sided alpha 0.05, power 0.8: 388 per arm (387.3 before rounding)", () => {
    // By hand: pbar = 0.55; [1.959964 sqrt(2 x 0.55 x 0.45) + 0.841621 sqrt(0.25 + 0.24)]^2 / 0.1^2
    //        = (1.378946 + 0.589135)^2 / 0.01 = 387.34 -> 388. R: power.prop.test(p1 = .5, p2 = .6, power = .8) gives
    // n = 387.3 (same pooled formula). The 385 seen in some tables is the unpooled-variance version
    // ((z_a + z_b)^2 (p1 q1 + p2 q2) / d^2 = 384.6); the continuity-corrected one (Fleiss, Levin & Paik 2003, eq. 4.15) is 408.
    const s = sampleSizeTwoProportions({ p1: 0.5, p2: 0.6 });
    close(s.n1Exact, 387.34, 0.01);
    assert.deepEqual([s.n1, s.n2, s.total], [388, 388, 776]);
    const cc = sampleSizeTwoProportions({ p1: 0.5, p2: 0.6, continuityCorrection: true });
    // n/4 (1 + sqrt(1 + 4 / (n d)))^2 with n = 387.34, d = 0.1: 96.835 x (1 + 1.050372)^2 = 407.09 -> 408.
    close(cc.n1Exact, 407.09, 0.01);
    assert.equal(cc.n1, 408);
    // Direction does not matter.
    assert.equal(sampleSizeTwoProportions({ p1: 0.6, p2: 0.5 }).n1, 388);
  });

  test("matches R's documented power.prop.test examples (R stats, power.prop.test help page)", () => {
    // power.prop.test(p1 = .50, p2 = .75, power = .90)  ## =>     n = 76.7
    close(sampleSizeTwoProportions({ p1: 0.5, p2: 0.75, power: 0.9 }).n1Exact, 76.7, 0.01);
    // power.prop.test(n = 50, p1 = .50, p2 = .75)       ## => power = 0.740
    close(powerTwoProportions({ p1: 0.5, p2: 0.75, n1: 50, n2: 50 }), 0.74, 0.0005);
    // power.prop.test(n = 50, p1 = .5, power = .90)     ## =>    p2 = 0.8026
    close(minimumDetectableEffect({ p1: 0.5, n: 50, power: 0.9, direction: "increase" }).p2, 0.8026, 0.00005);
  });

  test("power at the unrounded sample size is the requested power; more customers give more power", () => {
    for (const [p1, p2, ratio, sided] of [
      [0.2, 0.18, 1, 2],
      [0.265, 0.24, 2, 2],
      [0.05, 0.04, 0.5, 1],
    ] as const) {
      const s = sampleSizeTwoProportions({ p1, p2, ratio, sided, power: 0.85, alpha: 0.01 });
      const pw = powerTwoProportions({ p1, p2, n1: s.n1Exact, n2: ratio * s.n1Exact, sided, alpha: 0.01 });
      close(pw, 0.85, 1e-9);
      assert.ok(powerTwoProportions({ p1, p2, n1: s.n1, n2: s.n2, sided, alpha: 0.01 }) >= 0.85);
    }
    let last = 0;
    for (const n of [100, 500, 1000, 5000, 20000]) {
      const pw = powerTwoProportions({ p1: 0.2, p2: 0.18, n1: n, n2: n });
      assert.ok(pw > last);
      last = pw;
    }
  });

  test("ratio, sidedness and alpha move the size the right way", () => {
    const even = sampleSizeTwoProportions({ p1: 0.2, p2: 0.18 });
    const twoToOne = sampleSizeTwoProportions({ p1: 0.2, p2: 0.18, ratio: 2 });
    assert.ok(twoToOne.n1 < even.n1, "a larger treatment arm needs fewer controls");
    assert.ok(twoToOne.total > even.total, "an unbalanced split needs more customers in all");
    assert.equal(twoToOne.n2, Math.ceil(2 * twoToOne.n1Exact));
    assert.ok(sampleSizeTwoProportions({ p1: 0.2, p2: 0.18, sided: 1 }).n1 < even.n1);
    assert.ok(sampleSizeTwoProportions({ p1: 0.2, p2: 0.18, alpha: 0.01 }).n1 > even.n1);
  });

  test("bad inputs are RangeErrors naming the argument", () => {
    const bad: [() => unknown, RegExp][] = [
      [() => sampleSizeTwoProportions({ p1: 0, p2: 0.5 }), /p1/],
      [() => sampleSizeTwoProportions({ p1: 0.5, p2: 1.2 }), /p2/],
      [() => sampleSizeTwoProportions({ p1: 0.3, p2: 0.3 }), /p2 must differ/],
      [() => sampleSizeTwoProportions({ p1: 0.3, p2: 0.2, alpha: 0 }), /alpha/],
      [() => sampleSizeTwoProportions({ p1: 0.3, p2: 0.2, power: 1 }), /power/],
      [() => sampleSizeTwoProportions({ p1: 0.3, p2: 0.2, power: 0.02 }), /power must exceed/],
      [() => sampleSizeTwoProportions({ p1: 0.3, p2: 0.2, ratio: -1 }), /ratio/],
      [() => sampleSizeTwoProportions({ p1: 0.3, p2: 0.2, sided: 3 }), /sided/],
      [() => sampleSizeTwoProportions({ p1: Number.NaN, p2: 0.2 }), /p1/],
      [() => powerTwoProportions({ p1: 0.3, p2: 0.2, n1: 0, n2: 10 }), /n1/],
      [() => powerTwoProportions({ p1: 0.3, p2: 0.2, n1: 10, n2: Infinity }), /n2/],
    ];
    for (const [f, re] of bad) assert.throws(f, (e: unknown) => e instanceof RangeError && re.test(e.message));
  });
});

describe("minimumDetectableEffect", () => {
  test("inverts the sample size: the MDE at the planned n is the planned effect, slightly smaller after rounding up", () => {
    const s = sampleSizeTwoProportions({ p1: 0.2, p2: 0.18 });
    const exact = minimumDetectableEffect({ p1: 0.2, n: s.n1Exact });
    close(exact.p2, 0.18, 1e-8);
    close(exact.relative, -0.1, 1e-7);
    const rounded = minimumDetectableEffect({ p1: 0.2, n: s.n1 });
    assert.ok(rounded.p2 > 0.18 && rounded.p2 - 0.18 < 1e-5);
    assert.ok(minimumDetectableEffect({ p1: 0.2, n: 4 * s.n1 }).absolute > rounded.absolute, "more customers, smaller MDE");
  });

  test("too few customers is a RangeError", () => {
    assert.throws(() => minimumDetectableEffect({ p1: 0.2, n: 3 }), /too small/);
    assert.throws(() => minimumDetectableEffect({ p1: 0.2, n: 100, direction: "down" as never }), RangeError);
  });
});

describe("armEffectFromRecall", () => {
  test("s (r_new - r_old) / (1 - s r_old)", () => {
    // saveRate 0.3, recall 0.4 -> 0.5: 0.3 x 0.1 / (1 - 0.12) = 0.0340909.
    close(armEffectFromRecall({ saveRate: 0.3, recallOld: 0.4, recallNew: 0.5 }), 0.03 / 0.88, 1e-12);
    assert.throws(() => armEffectFromRecall({ saveRate: 1.2, recallOld: 0.4, recallNew: 0.5 }), /saveRate/);
  });
});

describe("experimentDuration", () => {
  test("enrollment in whole weeks plus one billing cycle of observation", () => {
    // 2 x 5,000 customers at 500/day x 0.5 = 250/day: 40 days -> 42 (6 weeks) + 30 = 72 days, 11 weeks.
    const d = experimentDuration({ perArm: 5000, eligiblePerDay: 500, allocation: 0.5 });
    assert.deepEqual(d, {
      customersNeeded: 10000,
      enrolledPerDay: 250,
      enrollmentDaysExact: 40,
      enrollmentDays: 42,
      observationDays: 30,
      totalDays: 72,
      totalWeeks: 11,
    });
    // Per month is per 30 days; a second observation cycle adds 30 days; a 2:1 split needs 3 x perArm.
    const m = experimentDuration({ perArm: 1000, ratio: 2, eligiblePerMonth: 3000, observationCycles: 2 });
    assert.equal(m.customersNeeded, 3000);
    assert.equal(m.enrolledPerDay, 100);
    assert.equal(m.enrollmentDays, 35); // 30 days -> 5 weeks
    assert.equal(m.totalDays, 95);
    // At least one week of enrollment even when a day would do.
    assert.equal(experimentDuration({ perArm: 10, eligiblePerDay: 1e6 }).enrollmentDays, 7);
  });

  test("bad inputs are RangeErrors", () => {
    assert.throws(() => experimentDuration({ perArm: 100 }), /exactly one/);
    assert.throws(() => experimentDuration({ perArm: 100, eligiblePerDay: 10, eligiblePerMonth: 300 }), /exactly one/);
    assert.throws(() => experimentDuration({ perArm: 100, eligiblePerDay: 10, allocation: 0 }), /allocation/);
    assert.throws(() => experimentDuration({ perArm: 100, eligiblePerDay: 10, observationCycles: 0 }), /observationCycles/);
    assert.throws(() => experimentDuration({ perArm: -1, eligiblePerDay: 10 }), /perArm/);
  });
});

describe("guardrails", () => {
  test("every guardrail is complete, and breaches are detected by kind", () => {
    assert.ok(DEFAULT_GUARDRAILS.length >= 6);
    for (const g of DEFAULT_GUARDRAILS) assert.ok(g.name && g.why && g.unit && g.threshold > 0, g.name);
    const breaches = checkGuardrails([
      { name: "contacts per 1,000 customers", control: 100, treatment: 106 }, // +6% > 5%
      { name: "retention-offer cost per 1,000 customers", control: 5000, treatment: 5100 }, // +2%
      { name: "out-of-distribution flags", control: 0.01, treatment: 0.025 }, // +1.5 points > 1
      { name: "prediction-distribution PSI against the training reference", treatment: 0.15 },
      { name: "scoring error rate", treatment: 0.002 },
    ]);
    assert.deepEqual(
      breaches.map((b) => b.name),
      ["contacts per 1,000 customers", "out-of-distribution flags", "scoring error rate"],
    );
    close(breaches[0]?.value ?? NaN, 0.06, 1e-12);
    assert.throws(() => checkGuardrails([{ name: "typo", treatment: 1 }]), /unknown guardrail/);
    assert.throws(() => checkGuardrails([{ name: "contacts per 1,000 customers", treatment: 1 }]), /control/);
  });
});

describe("rolloutPlan", () => {
  test("ordered stages with shares and criteria, as data and markdown", () => {
    const stages = rolloutPlan({ abDays: 37 });
    assert.deepEqual(
      stages.map((s) => s.name),
      ["shadow", "canary", "a/b test", "ramp to 100%", "long-term holdout"],
    );
    assert.deepEqual(
      stages.map((s) => s.newModelShare),
      [0, 0.05, 0.475, 0.95, 0],
    );
    assert.deepEqual(
      stages.map((s) => s.minDays),
      [7, 7, 37, 7, null],
    );
    for (const s of stages) assert.ok(s.entry.length && s.exit.length && s.rollback.length, s.name);
    assert.match(stages[1]?.rollback[0] ?? "", /automatically/);
    const md = formatRolloutPlan(stages);
    assert.match(md, /\| 3 \| a\/b test \| 47\.5% \| 37 days \|/);
    assert.match(md, /\| 5 \| long-term holdout \| 0% \| ongoing \|/);
    assert.match(md, /### 2\. canary/);
    assert.throws(() => rolloutPlan({ abDays: 30, allocation: 0.99, holdoutShare: 0.05 }), /allocation \+ holdoutShare/);
    assert.throws(() => rolloutPlan({ abDays: 0 }), /abDays/);
  });
});

describe("planExperiment", () => {
  test("worked example: 20% monthly churn, 10% relative reduction, 100,000 eligible a month", () => {
    // p2 = 0.2 x 0.9 = 0.18; pbar = 0.19.
    // n1 = [1.959964 sqrt(2 x 0.19 x 0.81) + 0.841621 sqrt(0.16 + 0.1476)]^2 / 0.02^2
    //    = (1.087382 + 0.466777)^2 / 0.0004 = 6038.5 -> 6039 per arm, 12,078 in all.
    // Enrollment: 100,000 / 30 x 0.95 = 3,166.7 a day -> 3.8 days -> one week; + 30 days = day 37, 6 weeks.
    const plan = planExperiment({ baseChurnRate: 0.2, relativeImprovement: 0.1, eligiblePerMonth: 100_000 });
    close(plan.p2, 0.18, 1e-12);
    close(plan.sampleSize.n1Exact, 6038.53, 0.01);
    assert.equal(plan.perArm, 6039);
    assert.equal(plan.total, 12078);
    close(plan.duration.enrolledPerDay, 3166.6667, 1e-4);
    assert.equal(plan.duration.enrollmentDays, 7);
    assert.equal(plan.duration.totalDays, 37);
    assert.equal(plan.duration.totalWeeks, 6);
    close(plan.mde.relative, -0.1, 1e-4);
    // Power curve: multiples 0.5 .. 2 of the expected effect, rising, at least 0.8 at the planned effect.
    assert.deepEqual(
      plan.powerCurve.map((p) => +p.relativeImprovement.toFixed(4)),
      [0.05, 0.075, 0.1, 0.125, 0.15, 0.2],
    );
    for (let i = 1; i < plan.powerCurve.length; i++) {
      assert.ok((plan.powerCurve[i]?.power ?? 0) > (plan.powerCurve[i - 1]?.power ?? 1));
    }
    const atPlan = plan.powerCurve[2]?.power ?? 0;
    assert.ok(atPlan >= 0.8 && atPlan < 0.801, `${atPlan}`);
    close(plan.powerCurve[0]?.power ?? 0, 0.283, 0.001); // half the effect: power 0.28
    assert.equal(plan.guardrails, DEFAULT_GUARDRAILS);
    assert.equal(plan.stages[2]?.minDays, 37);
    assert.match(plan.trace.join("\n"), /n1 = ceil\(6038\.53\) = 6039/);
    assert.match(plan.trace.join("\n"), /readout on day 37/);
  });

  test("defaults are reported and bad inputs are RangeErrors", () => {
    const plan = planExperiment({ baseChurnRate: 0.265, relativeImprovement: 0.05, eligiblePerMonth: 50_000 });
    assert.equal(plan.inputs.allocation, 0.95);
    assert.equal(plan.inputs.holdoutShare, 0.05);
    assert.throws(() => planExperiment({ baseChurnRate: 0.2, relativeImprovement: 0, eligiblePerMonth: 1000 }), /relativeImprovement/);
    assert.throws(() => planExperiment({ baseChurnRate: 1.5, relativeImprovement: 0.1, eligiblePerMonth: 1000 }), /baseChurnRate/);
    assert.throws(
      () => planExperiment({ baseChurnRate: 0.2, relativeImprovement: 0.1, eligiblePerMonth: 1000, allocation: 1 }),
      /allocation \+ holdoutShare/,
    );
    assert.throws(
      () => planExperiment({ baseChurnRate: 0.2, relativeImprovement: 0.6, eligiblePerMonth: 1000, effectMultiples: [2] }),
      /effectMultiples/,
    );
  });
});
