// The one-standard-error rule: the simplest candidate within one standard error of the best mean fold ROC-AUC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { foldAucs, selectByOneStandardError } from "../../lib/training/selection";
import { makeCvData } from "../../lib/training/tuning";
import { rocAuc } from "../../lib/evaluation/metrics";
import { cleanFile } from "../../lib/cleaning";
import { rawFile } from "../support";

test("the simplest candidate within one standard error of the best is chosen, not the best", () => {
  // xgboost mean 0.850, sd 0.01 over 4 folds -> se 0.005, bar 0.845; logistic regression 0.846 is within it.
  const sel = selectByOneStandardError([
    { name: "xgboost", foldAucs: [0.84, 0.85, 0.86, 0.85] },
    { name: "random_forest", foldAucs: [0.83, 0.84, 0.85, 0.84] },
    { name: "logistic_regression", foldAucs: [0.836, 0.846, 0.856, 0.846] },
  ]);
  assert.equal(sel.best, "xgboost");
  assert.ok(Math.abs(sel.best_se_auc - Math.sqrt(0.0002 / 3) / 2) < 1e-12);
  assert.equal(sel.chosen, "logistic_regression");
  assert.deepEqual(
    sel.candidates.map((c) => [c.name, c.within_one_se]),
    [
      ["logistic_regression", true],
      ["xgboost", true],
      ["random_forest", false],
    ],
  );
});

test("the best is kept when no simpler candidate reaches the bar", () => {
  const sel = selectByOneStandardError([
    { name: "logistic_regression", foldAucs: [0.8, 0.81, 0.8] },
    { name: "ensemble", foldAucs: [0.86, 0.861, 0.86] },
  ]);
  assert.equal(sel.chosen, "ensemble");
  assert.equal(sel.chosen, sel.best);
});

test("unknown candidates, empty lists and single folds are refused by name", () => {
  assert.throws(() => selectByOneStandardError([]), /no candidate/);
  assert.throws(() => selectByOneStandardError([{ name: "svm", foldAucs: [0.8, 0.81] }]), /simplicity rank for candidate "svm"/);
  assert.throws(() => selectByOneStandardError([{ name: "knn", foldAucs: [0.8] }]), /knn has 1 fold/);
});

test("foldAucs scores each fold's held-out rows only, and refuses missing out-of-fold scores", () => {
  const customers = cleanFile(rawFile("telco-customer-churn.csv"))
    .customers.filter((c) => c.Churn !== null)
    .slice(0, 300);
  const data = makeCvData(customers, 3, 3);
  const oof = data.labels.map((y, i) => y * 0.3 + ((i * 7919) % 100) / 100);
  const aucs = foldAucs(data, oof);
  assert.equal(aucs.length, 3);
  data.folds.forEach((f, k) => {
    const expected = rocAuc(
      f.validation.map((i) => data.labels[i] as number),
      f.validation.map((i) => oof[i] as number),
    );
    assert.equal(aucs[k], expected);
  });
  const missing = [...oof];
  missing[data.folds[1]?.validation[0] as number] = Number.NaN;
  assert.throws(() => foldAucs(data, missing), /out-of-fold scores are missing/);
});
