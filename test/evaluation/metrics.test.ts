// Holds the classification metrics to brute-force references and their definitions: ROC-AUC by counting pairs,
// average precision by walking every distinct threshold, F1 by trying every threshold.
import { EMPC_PAPER_PARAMS, empc } from "../../lib/evaluation/empc";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { atThreshold, bestF1Threshold, brier, confusion, logLoss, prAuc, rocAuc, scorecard } from "../../lib/evaluation/metrics";

interface Sample {
  y: number[];
  p: number[];
}

/** Seeded labels and scores; `decimals` rounds scores so that many tie. Scores are loosely informative. */
function sample(seed: number, n: number, decimals: number, positiveRate = 0.3): Sample {
  const rng = seedrandom(`metrics-test:${seed}`);
  const y: number[] = [];
  const p: number[] = [];
  const f = 10 ** decimals;
  for (let i = 0; i < n; i++) {
    const label = rng() < positiveRate ? 1 : 0;
    const raw = Math.min(1, Math.max(0, 0.35 * label + 0.65 * rng()));
    y.push(label);
    p.push(Math.round(raw * f) / f);
  }
  return { y, p };
}

/** P(score of a random positive > score of a random negative) + half the ties, over all pairs. */
function pairwiseAuc(y: readonly number[], s: readonly number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] === 1) continue;
      pairs++;
      const a = s[i] as number;
      const b = s[j] as number;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Counts at "predict churn when score >= t", computed directly. */
function counts(y: readonly number[], s: readonly number[], t: number): { tp: number; fp: number; tn: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < y.length; i++) {
    const predicted = (s[i] as number) >= t;
    if (y[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/** Distinct scores, highest first. */
function thresholds(s: readonly number[]): number[] {
  return [...new Set(s)].sort((a, b) => b - a);
}

/**
 * scikit-learn's average_precision_score: AP = sum_k (R_k - R_{k-1}) P_k over the distinct thresholds, highest first,
 * where a threshold admits every sample scoring at least that much (tied samples enter together).
 */
function bruteAveragePrecision(y: readonly number[], s: readonly number[]): number {
  const positives = y.filter((v) => v === 1).length;
  let ap = 0;
  let previousRecall = 0;
  for (const t of thresholds(s)) {
    const { tp, fp } = counts(y, s, t);
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  }
  return ap;
}

function f1Of(c: { tp: number; fp: number; fn: number }): number {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs expected ${expected} (tolerance ${tol})`);
}

const SAMPLES: { name: string; s: Sample }[] = [
  { name: "many ties (1 decimal)", s: sample(1, 400, 1) },
  { name: "some ties (2 decimals)", s: sample(2, 600, 2) },
  { name: "almost no ties", s: sample(3, 500, 12) },
  { name: "rare positives with ties", s: sample(4, 300, 1, 0.05) },
  { name: "mostly positives with ties", s: sample(5, 250, 1, 0.85) },
];

describe("rocAuc", () => {
  for (const { name, s } of SAMPLES) {
    test(`equals the brute-force pairwise count, ties counting one half: ${name}`, () => {
      close(rocAuc(s.y, s.p), pairwiseAuc(s.y, s.p), 1e-12, name);
    });
  }

  test("accepts typed arrays and gives the same value as plain arrays", () => {
    const { y, p } = SAMPLES[0]!.s;
    assert.equal(rocAuc(Float64Array.from(y), Float64Array.from(p)), rocAuc(y, p));
  });

  test("is 1 for a perfect ranking, 0 for a reversed one, 0.5 for constant scores", () => {
    const y = [0, 1, 0, 1, 1, 0, 0, 1];
    const perfect = y.map((v, i) => v + i / 100);
    assert.equal(rocAuc(y, perfect), 1);
    assert.equal(
      rocAuc(
        y,
        perfect.map((v) => -v),
      ),
      0,
    );
    assert.equal(
      rocAuc(
        y,
        y.map(() => 0.3),
      ),
      0.5,
    );
  });

  test("matches scikit-learn's documented roc_auc_score example (0.75)", () => {
    close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75, 1e-15, "sklearn example");
  });

  test("depends only on the ranking of the scores", () => {
    const { y, p } = SAMPLES[1]!.s;
    const monotone = p.map((v) => Math.exp(3 * v) - 7);
    close(rocAuc(y, monotone), rocAuc(y, p), 1e-15, "monotone transform");
  });

  test("is not defined (NaN) when only one class is present", () => {
    assert.ok(Number.isNaN(rocAuc([1, 1, 1], [0.1, 0.5, 0.9])));
    assert.ok(Number.isNaN(rocAuc([0, 0], [0.1, 0.5])));
  });
});

describe("prAuc (average precision)", () => {
  for (const { name, s } of SAMPLES) {
    test(`equals the brute-force step-wise average precision over distinct thresholds: ${name}`, () => {
      close(prAuc(s.y, s.p), bruteAveragePrecision(s.y, s.p), 1e-12, name);
    });
  }

  test("matches scikit-learn's documented average_precision_score example (0.8333...)", () => {
    close(prAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 5 / 6, 1e-15, "sklearn example");
  });

  test("groups ties: all samples tied gives the positive rate, not an order-dependent value", () => {
    const y = [1, 0, 0, 1, 0];
    assert.equal(prAuc(y, [0.5, 0.5, 0.5, 0.5, 0.5]), 2 / 5);
    // A tie between the top positive and a negative: precision 1/2 at recall 1/2, then 2/3 at recall 1.
    close(prAuc([1, 0, 1, 0], [0.9, 0.9, 0.5, 0.1]), 0.5 * 0.5 + 0.5 * (2 / 3), 1e-15, "tie at the top");
  });

  test("is 1 for a perfect ranking", () => {
    assert.equal(prAuc([0, 1, 0, 1, 1], [0.1, 0.9, 0.2, 0.8, 0.7]), 1);
  });

  test("is not defined (NaN) without positives", () => {
    assert.ok(Number.isNaN(prAuc([0, 0, 0], [0.2, 0.3, 0.4])));
  });
});

describe("logLoss and brier", () => {
  test("logLoss is the mean negative log-likelihood", () => {
    for (const { name, s } of SAMPLES) {
      const p = s.p.map((v) => 0.01 + 0.98 * v); // strictly inside (0, 1): no clipping involved
      let sum = 0;
      s.y.forEach((label, i) => (sum += label === 1 ? -Math.log(p[i] as number) : -Math.log(1 - (p[i] as number))));
      close(logLoss(s.y, p), sum / s.y.length, 1e-12, name);
    }
  });

  test("logLoss of hand-computed cases, and stays finite for confident mistakes", () => {
    close(logLoss([1, 0], [0.8, 0.4]), -(Math.log(0.8) + Math.log(0.6)) / 2, 1e-15, "two rows");
    close(logLoss([1, 0, 1], [0.5, 0.5, 0.5]), Math.LN2, 1e-15, "coin flip");
    const wrong = logLoss([1, 0], [0, 1]);
    assert.ok(Number.isFinite(wrong) && wrong > 30, `confident mistakes should be clipped to a large finite loss, got ${wrong}`);
    assert.ok(logLoss([1, 0], [1, 0]) < 1e-12, "perfect confident predictions lose (almost) nothing");
  });

  test("brier is the mean squared error of the probabilities", () => {
    for (const { name, s } of SAMPLES) {
      let sum = 0;
      s.y.forEach((label, i) => (sum += ((s.p[i] as number) - label) ** 2));
      close(brier(s.y, s.p), sum / s.y.length, 1e-12, name);
    }
    close(brier([1, 0, 1, 0], [0.9, 0.2, 0.4, 0]), (0.01 + 0.04 + 0.36 + 0) / 4, 1e-15, "hand-computed");
  });
});

describe("confusion and atThreshold", () => {
  test("confusion counts predictions at score >= threshold", () => {
    for (const { name, s } of SAMPLES) {
      for (const t of [0, 0.2, 0.5, 0.7, 1, 1.5]) {
        const c = confusion(s.y, s.p, t);
        assert.deepEqual(c, counts(s.y, s.p, t), `${name} at ${t}`);
        assert.equal(c.tp + c.fp + c.tn + c.fn, s.y.length);
      }
    }
  });

  test("a score equal to the threshold is predicted as churn", () => {
    assert.deepEqual(confusion([1, 0], [0.5, 0.5], 0.5), { tp: 1, fp: 1, tn: 0, fn: 0 });
  });

  test("atThreshold derives precision, recall, F1, accuracy and specificity from the counts", () => {
    const y = [1, 1, 1, 0, 0, 0, 0, 1, 0, 0];
    const p = [0.9, 0.6, 0.2, 0.7, 0.1, 0.3, 0.5, 0.5, 0.05, 0.4];
    // At 0.5: predicted churn = rows 0,1,3,6,7 -> tp 3 (0,1,7), fp 2 (3,6), fn 1 (2), tn 4.
    const m = atThreshold(y, p, 0.5);
    assert.equal(m.threshold, 0.5);
    close(m.precision, 3 / 5, 1e-15, "precision");
    close(m.recall, 3 / 4, 1e-15, "recall");
    close(m.f1, (2 * 3) / (2 * 3 + 2 + 1), 1e-15, "f1");
    close(m.accuracy, 7 / 10, 1e-15, "accuracy");
    close(m.specificity, 4 / 6, 1e-15, "specificity");
  });

  test("atThreshold with nothing predicted positive reports zeros rather than NaN", () => {
    const m = atThreshold([1, 0, 1], [0.2, 0.1, 0.3], 0.9);
    assert.deepEqual(
      { precision: m.precision, recall: m.recall, f1: m.f1, accuracy: m.accuracy, specificity: m.specificity },
      { precision: 0, recall: 0, f1: 0, accuracy: 1 / 3, specificity: 1 },
    );
  });
});

describe("bestF1Threshold", () => {
  for (const { name, s } of SAMPLES) {
    test(`finds the F1 maximum of a brute-force search over every distinct threshold: ${name}`, () => {
      let bestF1 = -1;
      for (const t of thresholds(s.p)) bestF1 = Math.max(bestF1, f1Of(counts(s.y, s.p, t)));
      const got = bestF1Threshold(s.y, s.p);
      close(got.f1, bestF1, 1e-12, "best F1");
      assert.ok(s.p.includes(got.threshold), "the threshold is one of the predicted probabilities");
      // The reported metrics are those of the reported threshold.
      const c = counts(s.y, s.p, got.threshold);
      close(got.f1, f1Of(c), 1e-12, "F1 at the reported threshold");
      close(got.precision, c.tp / (c.tp + c.fp), 1e-12, "precision at the reported threshold");
      close(got.recall, c.tp / (c.tp + c.fn), 1e-12, "recall at the reported threshold");
      // No threshold outside the data can do better: above the top score nothing is predicted (F1 0), below the
      // lowest score everything is (the same as the lowest score).
      assert.ok(got.f1 >= f1Of(counts(s.y, s.p, Math.min(...s.p) - 1)) - 1e-12);
    });
  }

  test("a perfectly separable sample gets F1 1 at the lowest positive score", () => {
    const got = bestF1Threshold([0, 1, 0, 1, 1], [0.1, 0.9, 0.3, 0.6, 0.7]);
    assert.equal(got.f1, 1);
    assert.equal(got.threshold, 0.6);
  });
});

describe("scorecard", () => {
  test("bundles the individual metrics at the given threshold", () => {
    const { y, p } = SAMPLES[1]!.s;
    const card = scorecard(y, p, 0.45);
    const t = atThreshold(y, p, 0.45);
    assert.deepEqual(card, {
      roc_auc: rocAuc(y, p),
      pr_auc: prAuc(y, p),
      log_loss: logLoss(y, p),
      brier: brier(y, p),
      f1: t.f1,
      precision: t.precision,
      recall: t.recall,
      accuracy: t.accuracy,
      threshold: 0.45,
      empc: empc(y, p).empc,
      empc_frac: empc(y, p).empcFrac,
    });
  });

  test("EMPC is NaN when the labels hold one class, and follows the parameters given", () => {
    const card = scorecard([1, 1, 1], [0.2, 0.5, 0.9], 0.5);
    assert.ok(Number.isNaN(card.empc) && Number.isNaN(card.empc_frac));
    const { y, p } = SAMPLES[1]!.s;
    const rich = scorecard(y, p, 0.45, { ...EMPC_PAPER_PARAMS, clv: 2000 });
    assert.ok(rich.empc > scorecard(y, p, 0.45).empc);
  });
});
