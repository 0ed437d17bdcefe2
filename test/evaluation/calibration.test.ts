// Holds lib/evaluation/calibration.ts to synthetic data whose calibration is known: ECE near 0 when labels are drawn from p,
// Platt recovering the (a, b) of a logistic link, isotonic monotone and Brier-reducing, the cross-fitted choice, JSON.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { chooseCalibrator, expectedCalibrationError, reliabilityCurve } from "../../lib/evaluation/calibration";
import { type CalibratorState, IsotonicCalibrator, loadCalibrator, logit, PlattCalibrator } from "../../lib/models/calibrators";
import { brier, rocAuc } from "../../lib/evaluation/metrics";

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Scores p uniform-ish on (0, 1); labels drawn with P(y = 1) = truth(p). */
function drawn(seed: string, n: number, truth: (p: number) => number): { y: number[]; p: number[] } {
  const rng = seedrandom(`calibration-test:${seed}`);
  const y: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = 0.005 + 0.99 * rng();
    p.push(s);
    y.push(rng() < truth(s) ? 1 : 0);
  }
  return { y, p };
}

/** Miscalibrated: the truth is a logistic link a·logit(p) + b with a = 2, b = -1 (overconfident in the middle). */
const A = 2;
const B = -1;
const miscalibrated = (seed: string, n: number) => drawn(seed, n, (s) => sigmoid(A * logit(s) + B));

describe("reliability and ECE", () => {
  test("ECE is near 0 when y is drawn from p, large when miscalibrated", () => {
    const good = drawn("good", 50_000, (s) => s);
    const bad = miscalibrated("bad", 50_000);
    const eGood = expectedCalibrationError(good.y, good.p);
    const eBad = expectedCalibrationError(bad.y, bad.p);
    assert.ok(eGood < 0.01, `calibrated ECE ${eGood}`);
    assert.ok(eBad > 0.1, `miscalibrated ECE ${eBad}`);
  });

  test("ECE is exactly 0 when every bin's rate equals its mean prediction", () => {
    // bins of p = 0.25 and 0.75 with observed rates 1/4 and 3/4
    const p = [0.25, 0.25, 0.25, 0.25, 0.75, 0.75, 0.75, 0.75];
    const y = [1, 0, 0, 0, 1, 1, 1, 0];
    assert.equal(expectedCalibrationError(y, p), 0);
  });

  test("bins: uniform edges, counts sum to n, p = 1 lands in the last bin; quantile bins hold about equal counts", () => {
    const { y, p } = drawn("bins", 2000, (s) => s);
    p[0] = 1;
    p[1] = 0;
    const u = reliabilityCurve(y, p, 10);
    assert.equal(u.length, 10);
    assert.equal(
      u.reduce((s, b) => s + b.count, 0),
      2000,
    );
    u.forEach((b, k) => {
      assert.ok(Math.abs(b.lower - k / 10) < 1e-12 && Math.abs(b.upper - (k + 1) / 10) < 1e-12);
      assert.ok(b.meanPredicted >= b.lower && b.meanPredicted <= b.upper);
    });
    const q = reliabilityCurve(y, p, 5, "quantile");
    assert.equal(q.length, 5);
    assert.equal(
      q.reduce((s, b) => s + b.count, 0),
      2000,
    );
    for (const b of q) assert.ok(Math.abs(b.count - 400) <= 2, `quantile bin of ${b.count}`);
  });
});

describe("Platt scaling", () => {
  test("recovers a and b of a logistic link", () => {
    const { y, p } = miscalibrated("platt", 40_000);
    const c = new PlattCalibrator().fit(y, p);
    assert.ok(Math.abs(c.a - A) < 0.08, `a = ${c.a}`);
    assert.ok(Math.abs(c.b - B) < 0.08, `b = ${c.b}`);
    assert.ok(expectedCalibrationError(y, c.apply(p)) < 0.015);
  });

  test("JSON round trip scores identically; corrupt state is refused", () => {
    const { y, p } = miscalibrated("platt-json", 2000);
    const c = new PlattCalibrator().fit(y, p);
    const back = loadCalibrator(JSON.parse(JSON.stringify(c)) as CalibratorState);
    assert.equal(back.kind, "platt");
    assert.deepEqual(back.apply(p), c.apply(p));
    assert.throws(() => loadCalibrator({ kind: "platt", a: Number.NaN, b: 0 }));
  });
});

describe("isotonic regression", () => {
  test("output is monotone non-decreasing, in [0, 1], and lowers Brier on miscalibrated data", () => {
    const train = miscalibrated("iso-train", 5000);
    const test_ = miscalibrated("iso-test", 5000);
    const c = new IsotonicCalibrator().fit(train.y, train.p);
    for (let i = 1; i < c.y.length; i++) assert.ok((c.y[i] as number) >= (c.y[i - 1] as number));
    const grid = Array.from({ length: 1001 }, (_, i) => -0.1 + (1.2 * i) / 1000);
    const out = c.apply(grid);
    for (let i = 0; i < out.length; i++) {
      assert.ok((out[i] as number) >= 0 && (out[i] as number) <= 1);
      if (i > 0) assert.ok((out[i] as number) >= (out[i - 1] as number), `not monotone at ${grid[i]}`);
    }
    const before = brier(test_.y, test_.p);
    const after = brier(test_.y, c.apply(test_.p));
    assert.ok(after < before - 0.005, `Brier ${before} -> ${after} on held-out data`);
  });

  test("PAV on a hand-worked case: pooled blocks are weighted means, equal scores pooled first", () => {
    // hand-worked: ties pooled first (0.3 -> 0.5, weight 2); 0.1 -> 1 and 0.2 -> 0 violate, pooled to 0.5; then 0.5, 1
    const c = new IsotonicCalibrator().fit([1, 0, 0, 1, 1], [0.1, 0.2, 0.3, 0.3, 0.4]);
    assert.deepEqual(c.x, [0.1, 0.2, 0.3, 0.4]);
    assert.deepEqual(c.y, [0.5, 0.5, 0.5, 1]);
    assert.ok(Math.abs(c.applyOne(0.35) - 0.75) < 1e-12); // interpolated
    assert.equal(c.applyOne(0), 0.5); // clipped to the end values
    assert.equal(c.applyOne(1), 1);
    // already monotone data is returned as is
    const m = new IsotonicCalibrator().fit([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]);
    assert.deepEqual(m.y, [0, 0, 1, 1]);
  });

  test("PAV equals the min-max formula of isotonic regression, brute force", () => {
    // with distinct x sorted, the fit at i is max over j <= i of min over k >= i of mean(y[j..k])
    const rng = seedrandom("pav-brute");
    for (let trial = 0; trial < 20; trial++) {
      const n = 40;
      const p = Array.from({ length: n }, (_, i) => (i + 1) / (n + 1));
      const y = p.map((s) => (rng() < s ? 1 : 0));
      const c = new IsotonicCalibrator().fit(y, p);
      const fit = c.apply(p);
      for (let i = 0; i < n; i++) {
        let best = -Infinity;
        for (let j = 0; j <= i; j++) {
          let worst = Infinity;
          for (let k = i; k < n; k++) {
            let sum = 0;
            for (let t = j; t <= k; t++) sum += y[t] as number;
            worst = Math.min(worst, sum / (k - j + 1));
          }
          best = Math.max(best, worst);
        }
        assert.ok(Math.abs((fit[i] as number) - best) < 1e-12, `trial ${trial}, row ${i}: ${fit[i]} vs ${best}`);
      }
    }
  });

  test("JSON round trip scores identically; corrupt state is refused", () => {
    const { y, p } = miscalibrated("iso-json", 2000);
    const c = new IsotonicCalibrator().fit(y, p);
    const back = loadCalibrator(JSON.parse(JSON.stringify(c)) as CalibratorState);
    assert.equal(back.kind, "isotonic");
    assert.deepEqual(back.apply(p), c.apply(p));
    assert.throws(() => loadCalibrator({ kind: "isotonic", x: [0.2, 0.1], y: [0, 1] }));
    assert.throws(() => loadCalibrator({ kind: "isotonic", x: [0.1, 0.2], y: [1, 0] }));
  });
});

describe("chooseCalibrator", () => {
  test("calibrated scores: keeps none", () => {
    const { y, p } = drawn("choose-good", 3000, (s) => s);
    const d = chooseCalibrator(y, p, { seed: 1 });
    assert.equal(d.choice, "none");
    assert.equal(d.calibrator, null);
  });

  test("miscalibrated by a logistic link: picks a calibrator that lowers Brier, within the AUC tolerance, and reports test", () => {
    const val = miscalibrated("choose-val", 3000);
    const tst = miscalibrated("choose-test", 3000);
    const d = chooseCalibrator(val.y, val.p, { seed: 1, test: tst });
    assert.notEqual(d.choice, "none");
    const s = d.crossFitted[d.choice];
    assert.ok(s.brier < d.crossFitted.none.brier);
    assert.ok(s.roc_auc >= d.crossFitted.none.roc_auc - 0.001);
    assert.ok(d.calibrator !== null);
    assert.ok(d.test !== undefined && d.test[d.choice].brier < d.test.none.brier);
    // the refitted calibrator is the one reported on test
    assert.equal(d.test[d.choice].brier, brier(tst.y, d.calibrator.apply(tst.p)));
    assert.ok(Math.abs(rocAuc(tst.y, d.calibrator.apply(tst.p)) - d.test.none.roc_auc) < 0.01);
  });

  test("deterministic per seed", () => {
    const val = miscalibrated("choose-seed", 1500);
    assert.deepEqual(chooseCalibrator(val.y, val.p, { seed: 3 }).crossFitted, chooseCalibrator(val.y, val.p, { seed: 3 }).crossFitted);
  });
});
