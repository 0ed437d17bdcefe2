// CBPE: on calibrated scores the estimate lands within the sampling band of the realized figures; labels are never
// read by the estimate; the expected ROC-AUC is the realized one when the labels are the expectations themselves.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";
import { estimatePerformance, expectedRocAuc, performanceBands, performanceEstimate, realizedPerformance } from "../../lib/monitoring/cbpe";
import { rocAuc } from "../../lib/evaluation/metrics";

/** Calibrated by construction: y ~ Bernoulli(p). */
function calibrated(n: number, seed: string): { p: number[]; y: number[] } {
  const rng = seedrandom(seed);
  const p: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = Math.min(0.98, Math.max(0.02, rng() ** 1.8));
    p.push(v);
    y.push(rng() < v ? 1 : 0);
  }
  return { p, y };
}

describe("CBPE", () => {
  test("expected ROC-AUC equals the realized one on a population whose churn share per score is the score", () => {
    // Ten customers at each score s in {0.1, ..., 0.9}, of whom 10 s churned: the expectations are exact.
    const p: number[] = [];
    const y: number[] = [];
    for (let k = 1; k <= 9; k++)
      for (let i = 0; i < 10; i++) {
        p.push(k / 10);
        y.push(i < k ? 1 : 0);
      }
    assert.ok(Math.abs(expectedRocAuc(p) - rocAuc(y, p)) < 1e-12, `${expectedRocAuc(p)} vs ${rocAuc(y, p)}`);
    const est = estimatePerformance(p, 0.5);
    const real = realizedPerformance(y, p, 0.5);
    for (const k of ["precision", "recall", "f1", "churn_rate"] as const) assert.ok(Math.abs(est[k] - real[k]) < 1e-12, k);
  });

  test("on calibrated held-out customers every estimate is within its sampling band of the realized figure", () => {
    const reference = calibrated(3000, "reference");
    const fresh = calibrated(1400, "fresh");
    const report = performanceEstimate(fresh.p, fresh.y, 0.4, { scores: reference.p, labels: reference.y }, { chunkSize: 350 });
    assert.ok(report.realized, "labels present: realized figures reported");
    const bands = performanceBands({ scores: reference.p, labels: reference.y }, 0.4, 1400);
    for (const k of ["roc_auc", "precision", "recall", "f1", "churn_rate"] as const) {
      const diff = Math.abs(report.estimated[k] - (report.realized?.[k] ?? Number.NaN));
      assert.ok(
        diff <= 3 * bands[k].sd,
        `${k}: estimate ${report.estimated[k]}, realized ${report.realized?.[k]}, 3 sd ${3 * bands[k].sd}`,
      );
      const [low, high] = report.band[k];
      assert.ok(report.estimated[k] >= low && report.estimated[k] <= high, `${k} estimate inside its band`);
    }
    assert.equal(report.alert, false);
    assert.equal(report.chunks.length, 4);
    for (const c of report.chunks)
      assert.ok(
        c.realized && c.band.roc_auc[1] - c.band.roc_auc[0] > report.band.roc_auc[1] - report.band.roc_auc[0],
        "smaller chunks, wider bands",
      );
  });

  test("the estimates never read the labels: with, without or with flipped labels they are the same", () => {
    const reference = calibrated(2000, "reference");
    const fresh = calibrated(800, "fresh-2");
    const ref = { scores: reference.p, labels: reference.y };
    const withLabels = performanceEstimate(fresh.p, fresh.y, 0.4, ref, { chunkSize: 200 });
    const without = performanceEstimate(fresh.p, null, 0.4, ref, { chunkSize: 200 });
    const flipped = performanceEstimate(
      fresh.p,
      fresh.y.map((v) => 1 - v),
      0.4,
      ref,
      { chunkSize: 200 },
    );
    assert.deepEqual(without.estimated, withLabels.estimated);
    assert.deepEqual(flipped.estimated, withLabels.estimated);
    assert.deepEqual(
      without.chunks.map((c) => c.estimated),
      withLabels.chunks.map((c) => c.estimated),
    );
    assert.equal(without.realized, undefined);
    assert.ok(without.chunks.every((c) => c.realized === undefined));
  });

  test("a model that lost its ranking (scores squeezed towards the mean) alerts", () => {
    const reference = calibrated(2000, "reference");
    const rng = seedrandom("squash");
    // Scores squeezed towards the mean: the model no longer separates customers, the expected ROC-AUC falls.
    const squeezed = Array.from({ length: 1000 }, () => 0.3 + (rng() - 0.5) * 0.05);
    const report = performanceEstimate(squeezed, null, 0.4, { scores: reference.p, labels: reference.y });
    assert.equal(report.alert, true);
    assert.ok(report.estimated.roc_auc < report.band.roc_auc[0]);
  });

  test("warns when the held-out calibration was poor, and states its assumptions", () => {
    const reference = calibrated(2000, "reference");
    const overconfident = { scores: reference.p.map((v) => Math.min(1, v * 1.6)), labels: reference.y };
    const report = performanceEstimate(reference.p.slice(0, 500), null, 0.4, overconfident);
    assert.ok(report.reference_ece > 0.05);
    assert.match(report.warnings.join(" "), /poorly calibrated on its held-out customers \(ECE/);
    assert.match(report.assumptions.join(" "), /no concept drift/);
  });

  test("refuses what it cannot estimate, naming it", () => {
    assert.throws(() => estimatePerformance([], 0.5), /at least one scored customer/);
    assert.throws(() => estimatePerformance([0.2, 1.2], 0.5), /probability 1.2 at row 1 is not in \[0, 1\]/);
    assert.throws(
      () => performanceEstimate([0.2, 0.3], null, 0.5, { scores: [0.1, 0.9], labels: [0, 1] }, { chunkSize: 1 }),
      /chunk size must be an integer of at least 2/,
    );
  });
});
