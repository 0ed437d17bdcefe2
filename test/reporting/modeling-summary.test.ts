// The deck's modelling decisions: families ranked on validation, and the imbalance study of the selected family.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ImbalanceRow, MetricsFile, ModelReport, StudyFile } from "../../lib/artifact/types";
import { familyRanking, imbalanceEffect } from "../../lib/reporting/modeling-summary";

function report(validationAuc: number): ModelReport {
  return { validation: { roc_auc: validationAuc } } as unknown as ModelReport;
}

test("familyRanking orders the single families by validation ROC-AUC and measures the lead and the spread", () => {
  const metrics = {
    models: { logistic: report(0.84), xgboost: report(0.851), ensemble: report(0.9), forest: report(0.846), knn: report(0.81) },
  } as unknown as MetricsFile;
  const r = familyRanking(metrics);
  assert.deepEqual(
    r.ranked.map((f) => f.name),
    ["xgboost", "forest", "logistic", "knn"],
  );
  assert.ok(Math.abs(r.lead - 0.005) < 1e-12, String(r.lead));
  assert.ok(Math.abs(r.spread - 0.041) < 1e-12, String(r.spread));
  const one = familyRanking({ models: { logistic: report(0.8) } } as unknown as MetricsFile);
  assert.ok(Number.isNaN(one.lead));
  assert.equal(one.spread, 0);
});

function row(family: string, strategy: ImbalanceRow["strategy"], prAuc: number, recall: number): ImbalanceRow {
  return {
    family,
    strategy,
    roc_auc: 0.84,
    pr_auc: prAuc,
    threshold: strategy === "threshold moving" ? 0.3 : 0.5,
    precision: 0.5,
    recall,
    f1: 0.6,
  };
}

test("imbalanceEffect finds the three strategies of the family and the PR-AUC change of reweighting", () => {
  const study = {
    imbalance: [
      row("xgboost", "none", 0.65, 0.5),
      row("xgboost", "weights", 0.64, 0.7),
      row("xgboost", "threshold moving", 0.65, 0.8),
      row("logistic", "weights", 0.9, 0.9),
    ],
  } as unknown as StudyFile;
  const e = imbalanceEffect(study, "xgboost");
  assert.ok(e);
  assert.equal(e.none.recall, 0.5);
  assert.equal(e.weights.recall, 0.7);
  assert.equal(e.moved.threshold, 0.3);
  assert.ok(Math.abs(e.prAucChange + 0.01) < 1e-12, String(e.prAucChange));
  assert.equal(imbalanceEffect(study, "logistic"), null);
  assert.equal(imbalanceEffect(null, "xgboost"), null);
});
