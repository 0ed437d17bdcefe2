// Holds lib/evaluation/evaluate.ts to lib/evaluation/metrics.ts and to brute-force definitions: the one-pass replicate walk, stratified
// resampling, bootstrap intervals, top-decile lift, and the curves' endpoints.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import {
  evaluate,
  gainsCurve,
  liftCurve,
  METRIC_NAMES,
  prCurve,
  replicateMetrics,
  rocCurve,
  stratifiedBootstrapCounts,
  thresholdSweep,
  topDecileLift,
} from "../../lib/evaluation/evaluate";
import { atThreshold, brier, logLoss, prAuc, rocAuc } from "../../lib/evaluation/metrics";
import { descendingOrder } from "../../lib/core/ranking";

/** Seeded labels and loosely informative scores; `decimals` rounds scores so many tie. */
function sample(seed: number, n: number, decimals = 3, rate = 0.27, signal = 0.3): { y: number[]; p: number[] } {
  const rng = seedrandom(`evaluation-test:${seed}`);
  const y: number[] = [];
  const p: number[] = [];
  const f = 10 ** decimals;
  for (let i = 0; i < n; i++) {
    const label = rng() < rate ? 1 : 0;
    y.push(label);
    p.push(Math.round(Math.min(1, Math.max(0, signal * label + (1 - signal) * rng())) * f) / f);
  }
  return { y, p };
}

/** All metrics of (y, p) straight from lib/evaluation/metrics.ts and the brute-force lift. */
function reference(y: number[], p: number[], threshold: number): Record<string, number> {
  const t = atThreshold(y, p, threshold);
  return {
    roc_auc: rocAuc(y, p),
    pr_auc: prAuc(y, p),
    log_loss: logLoss(y, p),
    brier: brier(y, p),
    accuracy: t.accuracy,
    precision: t.precision,
    recall: t.recall,
    f1: t.f1,
    specificity: t.specificity,
    top_decile_lift: bruteLift(y, p),
  };
}

/**
 * k = ceil(n/10) top rows: s* = the k-th highest score; every row above s* counts, and the places left go to the rows
 * at s* in proportion to their churn rate. Churn rate of those k over the overall rate.
 */
function bruteLift(y: number[], p: number[]): number {
  const k = Math.ceil(y.length / 10);
  const cut = [...p].sort((a, b) => b - a)[k - 1] as number;
  let above = 0;
  let abovePos = 0;
  let tied = 0;
  let tiedPos = 0;
  y.forEach((label, i) => {
    if ((p[i] as number) > cut) {
      above++;
      abovePos += label;
    } else if (p[i] === cut) {
      tied++;
      tiedPos += label;
    }
  });
  const top = (abovePos + ((k - above) * tiedPos) / tied) / k;
  return top / (y.reduce((s, v) => s + v, 0) / y.length);
}

const close = (a: number, b: number, tol = 1e-12, what = ""): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe("replicate walk", () => {
  test("with counts all 1 it equals lib/evaluation/metrics.ts and the brute-force lift (ties included)", () => {
    for (const decimals of [1, 2, 4]) {
      const { y, p } = sample(decimals, 700, decimals);
      const m = replicateMetrics(y, p, descendingOrder(p), new Uint32Array(y.length).fill(1), 0.4);
      const ref = reference(y, p, 0.4);
      for (const name of METRIC_NAMES) close(m[name], ref[name] as number, 1e-12, `${name} (decimals ${decimals})`);
    }
  });

  test("on a bootstrap draw it equals lib/evaluation/metrics.ts on the materialized resample", () => {
    const { y, p } = sample(7, 500, 2);
    const pos = y.flatMap((v, i) => (v === 1 ? [i] : []));
    const neg = y.flatMap((v, i) => (v === 0 ? [i] : []));
    const rng = seedrandom("walk");
    for (let r = 0; r < 5; r++) {
      const counts = stratifiedBootstrapCounts(pos, neg, y.length, rng);
      // materialize in row order: the stable (score desc, row asc) order keeps copies of a row together
      const yb: number[] = [];
      const pb: number[] = [];
      counts.forEach((c, i) => {
        for (let j = 0; j < c; j++) {
          yb.push(y[i] as number);
          pb.push(p[i] as number);
        }
      });
      const m = replicateMetrics(y, p, descendingOrder(p), counts, 0.5);
      const ref = reference(yb, pb, 0.5);
      for (const name of METRIC_NAMES) close(m[name], ref[name] as number, 1e-12, name);
    }
  });

  test("stratified resampling keeps the class counts", () => {
    const { y } = sample(3, 901);
    const pos = y.flatMap((v, i) => (v === 1 ? [i] : []));
    const neg = y.flatMap((v, i) => (v === 0 ? [i] : []));
    const rng = seedrandom("strata");
    for (let r = 0; r < 20; r++) {
      const counts = stratifiedBootstrapCounts(pos, neg, y.length, rng);
      assert.equal(
        pos.reduce((s, i) => s + (counts[i] as number), 0),
        pos.length,
      );
      assert.equal(
        neg.reduce((s, i) => s + (counts[i] as number), 0),
        neg.length,
      );
    }
  });
});

describe("top-decile lift", () => {
  test("matches the brute-force definition, with and without ties", () => {
    for (const [seed, n, decimals] of [
      [1, 1000, 1],
      [2, 1403, 3],
      [3, 57, 2],
    ] as const) {
      const { y, p } = sample(seed, n, decimals);
      close(topDecileLift(y, p), bruteLift(y, p), 1e-12, `n=${n}`);
    }
  });

  test("a perfect ranking at a 10% base rate gives lift 10; a constant score gives 1", () => {
    const y = Array.from({ length: 200 }, (_, i) => (i < 20 ? 1 : 0));
    close(
      topDecileLift(
        y,
        y.map((v, i) => v + i * 1e-6),
      ),
      10,
    );
    close(
      topDecileLift(
        y,
        y.map(() => 0.5),
      ),
      1,
      1e-12,
      "constant score, whatever the row order",
    );
  });
});

describe("evaluate", () => {
  // weak signal, so the top decile is not all churners (else its lift is constant under stratified resampling)
  const { y, p } = sample(11, 1400, 3, 0.27, 0.12);

  test("point estimates are lib/evaluation/metrics.ts; confusion matches; every interval contains its point estimate", () => {
    const e = evaluate(y, p, 0.5, { bootstrap: 400, seed: 1 });
    const ref = reference(y, p, 0.5);
    assert.equal(e.n, 1400);
    assert.equal(e.positives, y.filter((v) => v === 1).length);
    for (const name of METRIC_NAMES) {
      const m = e.metrics[name];
      close(m.value, ref[name] as number, 1e-12, name);
      assert.ok(m.ci95[0] <= m.value && m.value <= m.ci95[1], `${name} ${m.value} outside [${m.ci95.join(",")}]`);
      assert.ok(m.ci95[0] < m.ci95[1], `${name} interval is degenerate`);
    }
    const c = e.confusion;
    assert.equal(c.tp + c.fp + c.tn + c.fn, 1400);
    assert.equal(c.tp + c.fn, e.positives);
  });

  test("deterministic per seed, different across seeds", () => {
    const a = evaluate(y, p, 0.5, { bootstrap: 200, seed: 5 });
    const b = evaluate(y, p, 0.5, { bootstrap: 200, seed: 5 });
    const c = evaluate(y, p, 0.5, { bootstrap: 200, seed: 6 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.metrics.roc_auc.ci95, c.metrics.roc_auc.ci95);
  });

  test("intervals narrow with more data (about 1/sqrt(n))", () => {
    const small = sample(21, 400);
    const large = sample(21, 6400);
    const es = evaluate(small.y, small.p, 0.5, { bootstrap: 300, seed: 2 });
    const el = evaluate(large.y, large.p, 0.5, { bootstrap: 300, seed: 2 });
    for (const name of METRIC_NAMES) {
      const ws = es.metrics[name].ci95[1] - es.metrics[name].ci95[0];
      const wl = el.metrics[name].ci95[1] - el.metrics[name].ci95[0];
      assert.ok(wl < 0.5 * ws, `${name}: width ${wl} at n=6400 vs ${ws} at n=400`);
    }
  });

  test("bootstrap 0 gives point estimates only", () => {
    const e = evaluate(y, p, 0.5, { bootstrap: 0 });
    assert.ok(Number.isNaN(e.metrics.f1.ci95[0]));
    close(e.metrics.f1.value, atThreshold(y, p, 0.5).f1);
  });

  test("1000 replicates on 1400 rows well under 2 s", () => {
    evaluate(y, p, 0.5, { bootstrap: 50 }); // warm up
    const t0 = performance.now();
    evaluate(y, p, 0.5, { bootstrap: 1000, seed: 3 });
    const ms = performance.now() - t0;
    console.log(`evaluate: 1000 bootstrap replicates on 1400 rows in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test("refuses bad input", () => {
    assert.throws(() => evaluate([0, 1], [0.5], 0.5), RangeError);
    assert.throws(() => evaluate([0, 2], [0.5, 0.5], 0.5), RangeError);
    assert.throws(() => evaluate([0, 1], [0.5, Number.NaN], 0.5), RangeError);
  });
});

describe("curves", () => {
  const { y, p } = sample(31, 600, 2);

  test("ROC runs from (0, 0) to (1, 1), monotone, and its trapezoid area is the ROC-AUC", () => {
    const c = rocCurve(y, p);
    assert.deepEqual([c.fpr[0], c.tpr[0]], [0, 0]);
    assert.deepEqual([c.fpr.at(-1), c.tpr.at(-1)], [1, 1]);
    assert.equal(c.thresholds[0], Infinity);
    let area = 0;
    for (let i = 1; i < c.fpr.length; i++) {
      assert.ok((c.fpr[i] as number) >= (c.fpr[i - 1] as number) && (c.tpr[i] as number) >= (c.tpr[i - 1] as number));
      assert.ok((c.thresholds[i] as number) < (c.thresholds[i - 1] as number));
      area += (((c.fpr[i] as number) - (c.fpr[i - 1] as number)) * ((c.tpr[i] as number) + (c.tpr[i - 1] as number))) / 2;
    }
    close(area, rocAuc(y, p), 1e-12, "area");
  });

  test("PR starts at (0, 1), ends at recall 1 with precision = base rate; its step sum is the average precision", () => {
    const c = prCurve(y, p);
    assert.deepEqual([c.recall[0], c.precision[0]], [0, 1]);
    assert.equal(c.recall.at(-1), 1);
    close(c.precision.at(-1) as number, y.filter((v) => v === 1).length / y.length);
    let ap = 0;
    for (let i = 1; i < c.recall.length; i++) ap += ((c.recall[i] as number) - (c.recall[i - 1] as number)) * (c.precision[i] as number);
    close(ap, prAuc(y, p), 1e-12, "ap");
    // each point is atThreshold at its threshold
    const i = Math.floor(c.thresholds.length / 2);
    const t = atThreshold(y, p, c.thresholds[i] as number);
    close(t.recall, c.recall[i] as number);
    close(t.precision, c.precision[i] as number);
  });

  test("gains run from (0, 0) to (1, 1)", () => {
    const g = gainsCurve(y, p);
    assert.deepEqual([g.targeted[0], g.captured[0]], [0, 0]);
    assert.deepEqual([g.targeted.at(-1), g.captured.at(-1)], [1, 1]);
  });

  test("lift bins cover every row; first-bin lift matches the brute-force top-decile lift; last cumulative lift is 1", () => {
    const { y: y2, p: p2 } = sample(32, 1000, 6);
    const l = liftCurve(y2, p2);
    assert.equal(
      l.count.reduce((s, v) => s + v, 0),
      1000,
    );
    close(l.lift[0] as number, bruteLift(y2, p2), 1e-12, "first bin");
    close(l.cumulativeLift.at(-1) as number, 1, 1e-12, "all rows");
    assert.equal(l.targeted.at(-1), 1);
  });

  test("threshold sweep is atThreshold per threshold", () => {
    const ts = [0.1, 0.3, 0.5, 0.7];
    const s = thresholdSweep(y, p, ts);
    ts.forEach((t, i) => {
      const m = atThreshold(y, p, t);
      assert.deepEqual([s.precision[i], s.recall[i], s.f1[i]], [m.precision, m.recall, m.f1]);
    });
  });
});
