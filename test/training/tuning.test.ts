// Holds cross-validated tuning to its contract: class balancing, out-of-fold probabilities for exactly the fold's
// validation rows (as an independent fit on the fold's training rows gives them), summaries whose OOF covers every
// row once, and worker threads that give the very same results as the main thread.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { cleanFile } from "../../lib/cleaning";
import { family } from "../../lib/training/families";
import { rocAuc } from "../../lib/evaluation/metrics";
import { modelsReady } from "../../lib/models/registry";
import type { Customer } from "../../lib/core/schema";
import { PipelineScorer } from "../../lib/artifact/scorer";
import type { Imbalance } from "../../lib/artifact/types";
import { shuffled } from "../../lib/core/split";
import {
  type CvData,
  FoldCache,
  type Task,
  type TaskResult,
  balancedWeights,
  foldTasks,
  makeCvData,
  oversample,
  runTask,
  runTasks,
  summarize,
} from "../../lib/training/tuning";

import { memo, rawFile } from "../support";

/** 600 labeled Telco customers in a seeded random order, 3 stratified folds. */
const sample = memo((): Customer[] => {
  const labeled = cleanFile(rawFile("telco-customer-churn.csv")).customers.filter((c) => c.Churn !== null);
  return shuffled(labeled, seedrandom("tuning-test")).slice(0, 600);
});
const cvData = memo((): CvData => makeCvData(sample(), 3, 11));

/** Small, quick parameter sets (the worker comparison needs determinism, not accuracy). */
const XGB = { nRounds: 60, eta: 0.1, maxDepth: 3, subsample: 0.8, colsampleByTree: 0.8, treeMethod: "hist", seed: 5 };
const XGB2 = { ...XGB, maxDepth: 2, subsample: 0.7, seed: 6 };

before(async () => {
  await modelsReady();
});

describe("balancedWeights", () => {
  test("gives each class half of the total weight, equal within a class", () => {
    const rng = seedrandom("weights");
    const labels = Array.from({ length: 997 }, () => (rng() < 0.27 ? 1 : 0));
    const w = balancedWeights(labels);
    assert.equal(w.length, labels.length);
    let w0 = 0;
    let w1 = 0;
    labels.forEach((y, i) => (y === 1 ? (w1 += w[i] as number) : (w0 += w[i] as number)));
    assert.ok(Math.abs(w0 - w1) < 1e-9, `class sums ${w0} vs ${w1}`);
    assert.ok(Math.abs(w0 + w1 - labels.length) < 1e-9, "total weight = number of rows");
    const pos = labels.filter((y) => y === 1).length;
    labels.forEach((y, i) => assert.equal(w[i], y === 1 ? labels.length / (2 * pos) : labels.length / (2 * (labels.length - pos))));
  });

  test("are all 1 when the classes are already balanced", () => {
    assert.deepEqual([...balancedWeights([1, 0, 0, 1])], [1, 1, 1, 1]);
  });
});

describe("oversample", () => {
  const rng = seedrandom("oversample-test");
  const labels = Array.from({ length: 500 }, () => (rng() < 0.25 ? 1 : 0));
  // A subset of the rows, as a training fold is.
  const rows = labels.map((_, i) => i).filter((i) => i % 3 !== 0);

  test("keeps every given row and adds churners from the given rows until the classes balance", () => {
    const out = oversample(rows, labels, 3);
    assert.deepEqual(out.slice(0, rows.length), rows, "the given rows first, unchanged");
    const extra = out.slice(rows.length);
    const given = new Set(rows);
    for (const r of extra) {
      assert.ok(given.has(r), `row ${r} was not in the given rows`);
      assert.equal(labels[r], 1, `row ${r} is not a churner`);
    }
    const pos = out.filter((r) => labels[r] === 1).length;
    assert.equal(pos, out.length - pos, "classes balance");
    // Repeats are spread over the churners rather than one row copied.
    assert.ok(new Set(extra).size > 0.5 * rows.filter((r) => labels[r] === 1).length);
  });

  test("is deterministic for a seed and changes with it", () => {
    assert.deepEqual(oversample(rows, labels, 3), oversample(rows, labels, 3));
    assert.notDeepEqual(oversample(rows, labels, 3), oversample(rows, labels, 4));
  });

  test("adds nothing when churners are not the minority", () => {
    assert.deepEqual(oversample([0, 1, 2, 3], [1, 0, 1, 0], 1), [0, 1, 2, 3]);
    assert.deepEqual(oversample([0, 1, 2], [1, 1, 0], 1), [0, 1, 2]);
  });

  test("a fold without churners has no churner to repeat: the rows come back unchanged", () => {
    // Every returned row must be one of the given rows; there is nothing to oversample from.
    assert.deepEqual(oversample([0, 1, 2], [0, 0, 0], 1), [0, 1, 2]);
  });
});

describe("runTask", () => {
  test("returns out-of-fold probabilities for exactly the fold's validation rows, as a fit on its training rows gives", () => {
    const data = cvData();
    const cache = new FoldCache(data);
    const fam = family("logistic_regression");
    for (let fold = 0; fold < data.folds.length; fold++) {
      const f = data.folds[fold] as CvData["folds"][number];
      const r = runTask(cache, { family: "logistic_regression", params: { C: 0.3 }, fold });
      assert.deepEqual(r.rows, f.validation);
      assert.equal(r.probabilities.length, f.validation.length);
      assert.ok(r.probabilities.every((p) => p >= 0 && p <= 1));
      const yVal = f.validation.map((i) => data.labels[i] as number);
      assert.equal(r.auc, rocAuc(yVal, r.probabilities));
      assert.ok(r.auc > 0.7, `fold ${fold} auc ${r.auc}`);
      assert.ok(r.seconds >= 0);
      // The same learner fitted independently on the fold's training customers only.
      const trainCustomers = f.train.map((i) => data.customers[i] as Customer);
      const reference = PipelineScorer.fit(
        "ref",
        fam.kind,
        { C: 0.3 },
        fam.pipeline,
        trainCustomers,
        f.train.map((i) => data.labels[i] as number),
      );
      const expected = reference.score(f.validation.map((i) => data.customers[i] as Customer));
      assert.deepEqual(r.probabilities, Array.from(expected), `fold ${fold}`);
    }
  });

  test("labels come from Churn, folds from stratifiedKFold over them", () => {
    const data = cvData();
    assert.deepEqual(
      data.labels,
      sample().map((c) => (c.Churn === "Yes" ? 1 : 0)),
    );
    assert.equal(data.folds.length, 3);
    assert.equal(data.seed, 11);
  });

  test("the fold cache builds a fold's matrices once per pipeline options", () => {
    const cache = new FoldCache(cvData());
    const a = cache.matrices({ scale: "all" }, 1);
    assert.equal(cache.matrices({ scale: "all" }, 1), a);
    assert.notEqual(cache.matrices({ scale: "none" }, 1), a);
    assert.equal(a.Xtrain.length, cvData().folds[1]?.train.length);
    assert.equal(a.Xval.length, cvData().folds[1]?.validation.length);
    assert.throws(() => cache.matrices({}, 7), RangeError);
  });

  const BALANCING: { fam: string; params: Record<string, unknown> }[] = [
    { fam: "logistic_regression", params: { C: 1 } },
    { fam: "knn", params: { k: 25, weights: "uniform" } },
    { fam: "random_forest", params: { nEstimators: 20, minNumSamples: 5, seed: 3 } },
    { fam: "xgboost", params: XGB },
  ];
  for (const { fam, params } of BALANCING) {
    for (const imbalance of ["weights", "oversample"] as Imbalance[]) {
      test(`imbalance "${imbalance}" works for ${fam} and raises the predicted churn rate toward balance`, () => {
        // A learner trained as if the classes were balanced predicts churn more often than one trained on the
        // ~27% churn rate; mean out-of-fold probabilities must move up clearly.
        const cache = new FoldCache(cvData());
        const plain = runTask(cache, { family: fam, params, fold: 0 });
        const balanced = runTask(cache, { family: fam, params, fold: 0, imbalance });
        const m = (r: TaskResult): number => r.probabilities.reduce((s, p) => s + p, 0) / r.probabilities.length;
        assert.ok(m(balanced) > m(plain) + 0.05, `mean probability ${m(balanced)} (balanced) vs ${m(plain)} (none)`);
        assert.ok(balanced.auc > 0.65, `auc ${balanced.auc}`);
        assert.deepEqual(balanced.rows, plain.rows);
      });
    }
  }
});

describe("summarize", () => {
  test("groups by candidate; each OOF vector covers every row exactly once with its fold's probabilities", () => {
    const data = cvData();
    const cache = new FoldCache(data);
    const tasks: Task[] = [
      ...foldTasks(data, { family: "logistic_regression", params: { C: 0.1 } }),
      ...foldTasks(data, { family: "logistic_regression", params: { C: 1 } }),
      ...foldTasks(data, { family: "logistic_regression", params: { C: 1 }, imbalance: "oversample" }),
    ];
    const results = tasks.map((t) => runTask(cache, t));
    // Interleave the results: grouping must not rely on order.
    const mixed = [
      results[0],
      results[3],
      results[6],
      results[1],
      results[4],
      results[7],
      results[2],
      results[5],
      results[8],
    ] as TaskResult[];
    const summaries = summarize(data, mixed);
    assert.deepEqual(
      summaries.map((s) => [s.params, s.imbalance]),
      [
        [{ C: 0.1 }, "none"],
        [{ C: 1 }, "none"],
        [{ C: 1 }, "oversample"],
      ],
    );
    summaries.forEach((s, g) => {
      const own = results.slice(3 * g, 3 * g + 3);
      assert.equal(s.family, "logistic_regression");
      assert.equal(s.oof.length, data.labels.length);
      const covered = new Uint8Array(data.labels.length);
      for (const r of own) {
        r.rows.forEach((row, i) => {
          covered[row] = (covered[row] as number) + 1;
          assert.equal(s.oof[row], r.probabilities[i]);
        });
      }
      assert.ok(
        covered.every((c) => c === 1),
        "the folds' validation rows cover every row once",
      );
      assert.ok(
        s.oof.every((p) => Number.isFinite(p) && p >= 0 && p <= 1),
        "no row left without an OOF probability",
      );
      const aucs = own.map((r) => r.auc);
      const mean = aucs.reduce((a, b) => a + b, 0) / 3;
      assert.ok(Math.abs(s.meanAuc - mean) < 1e-12);
      const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / 2);
      assert.ok(Math.abs(s.sdAuc - sd) < 1e-12, "sample standard deviation over folds");
      assert.ok(Math.abs(s.seconds - own.reduce((a, r) => a + r.seconds, 0)) < 1e-9);
    });
  });
});

describe("runTasks", () => {
  const tasks = memo((): Task[] => {
    const data = cvData();
    return [
      ...foldTasks(data, { family: "logistic_regression", params: { C: 0.1 } }),
      ...foldTasks(data, { family: "xgboost", params: XGB }),
      ...foldTasks(data, { family: "logistic_regression", params: { C: 1 } }),
      ...foldTasks(data, { family: "xgboost", params: XGB2 }),
    ];
  });
  let sequential: Promise<TaskResult[]> | undefined;
  const inThisThread = (): Promise<TaskResult[]> => (sequential ??= runTasks(cvData(), tasks(), { workers: 1 }));

  const comparable = (rs: readonly TaskResult[]): unknown =>
    rs.map((r) => ({ task: r.task, auc: r.auc, rows: r.rows, probabilities: r.probabilities }));

  test("in this thread: results in task order, one per task", async () => {
    const rs = await inThisThread();
    assert.equal(rs.length, tasks().length);
    rs.forEach((r, i) => {
      assert.deepEqual(r.task, tasks()[i]);
      assert.deepEqual(r.rows, cvData().folds[r.task.fold]?.validation);
    });
  });

  test("two worker threads give the very same AUCs and probabilities, in task order, as one thread", async () => {
    const progress: number[] = [];
    const parallel = await runTasks(cvData(), tasks(), {
      workers: 2,
      onProgress: (done, total) => {
        assert.equal(total, tasks().length);
        progress.push(done);
      },
    });
    assert.deepEqual(
      progress,
      tasks().map((_, i) => i + 1),
    );
    assert.deepEqual(comparable(parallel), comparable(await inThisThread()));
    // And the summaries built from them.
    const a = summarize(cvData(), parallel).map((s) => [s.family, s.params, s.meanAuc, s.sdAuc, [...s.oof]]);
    const b = summarize(cvData(), await inThisThread()).map((s) => [s.family, s.params, s.meanAuc, s.sdAuc, [...s.oof]]);
    assert.deepEqual(a, b);
  });

  test("a failing task rejects the run, in workers and in this thread", async () => {
    const bad: Task[] = [...tasks().slice(0, 2), { family: "logistic_regression", params: { C: -1 }, fold: 0 }];
    await assert.rejects(runTasks(cvData(), bad, { workers: 2 }), /tuning task failed/);
    await assert.rejects(runTasks(cvData(), bad, { workers: 1 }));
  });

  test("no tasks, no results", async () => {
    assert.deepEqual(await runTasks(cvData(), [], { workers: 2 }), []);
  });
});
