// Holds `churn train` to its contract on the messy take-home export: one quick run (memoized), then its artifacts are
// checked against cleaning, the split, the tuning, each other, and a WASM-free reload in a fresh process.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

import { CLEANING_RULES, cleanFile } from "../../lib/cleaning";
import { FAMILIES, FAMILY_NAMES } from "../../lib/training/families";
import type { Scorecard } from "../../lib/evaluation/metrics";
import { rocAuc } from "../../lib/evaluation/metrics";
import type { Customer } from "../../lib/core/schema";
import { loadScorer } from "../../lib/artifact/scorer";
import { stratifiedSplit } from "../../lib/core/split";
import { MODEL_SCHEMA, type MetricsFile, type ModelFile, type SplitFile } from "../../lib/artifact/types";
import { type TrainResult } from "../../lib/training/train";
import { SIMPLICITY_ORDER } from "../../lib/training/selection";
import { modelsReady } from "../../lib/models/registry";
import { foldTasks, makeCvData, runTasks, summarize } from "../../lib/training/tuning";

import { fixture, fixtureSpec } from "../fixtures";
import { memo, repoRoot } from "../support";

const SEED = fixtureSpec("export").seed;
const MODEL_NAMES = [...FAMILY_NAMES, "ensemble"];
const SCORE_FIELDS = ["roc_auc", "pr_auc", "f1", "precision", "recall", "brier"] as const;

const dataFile = memo(() => fixtureSpec("export").dataFile);

interface Run {
  out: string;
  result: TrainResult;
  metrics: MetricsFile;
  model: ModelFile;
  split: SplitFile;
}

/** The one quick training run every test looks at: the export fixture, trained once per code version (fixtures.ts). */
const run = memo(async (): Promise<Run> => {
  const out = await fixture("export");
  const read = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(out, name), "utf8")) as T;
  return {
    out,
    result: read<TrainResult>("train-result.json"),
    metrics: read<MetricsFile>("metrics.json"),
    model: read<ModelFile>("model.json"),
    split: read<SplitFile>("split.json"),
  };
});

/** The export cleaned independently of the training run. */
const cleaned = memo(() => {
  const { customers, report } = cleanFile(dataFile());
  const labeled = customers.filter((c) => c.Churn !== null);
  return { customers, report, labeled, byId: new Map(labeled.map((c) => [c.customerID, c])) };
});

const jsonRoundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe("train (quick, seed 42, 2 workers) on the messy export", () => {
  test("writes model.json, metrics.json, split.json and quality-report.json, which parse and match what it returns", async () => {
    const r = await run();
    for (const name of ["model.json", "metrics.json", "split.json", "quality-report.json"]) {
      assert.ok(fs.existsSync(path.join(r.out, name)), `${name} written`);
    }
    assert.deepEqual(r.metrics, jsonRoundTrip(r.result.metrics));
    assert.deepEqual(r.model, jsonRoundTrip(r.result.model));
    assert.deepEqual(r.split, jsonRoundTrip(r.result.split));
    const report: unknown = JSON.parse(fs.readFileSync(path.join(r.out, "quality-report.json"), "utf8"));
    assert.deepEqual(report, jsonRoundTrip(cleaned().report), "the quality report is cleaning's report of the same file");
  });

  test("dataset counts agree with cleaning: labeled customers only, split into disjoint train/validation/test", async () => {
    const { metrics, split } = await run();
    const { customers, labeled } = cleaned();
    const d = metrics.dataset;
    assert.equal(d.file, "customer_churn_data.csv");
    assert.equal(d.sha256, createHash("sha256").update(fs.readFileSync(dataFile())).digest("hex"));
    assert.equal(d.customers, customers.length);
    assert.equal(d.labeled, labeled.length);
    assert.ok(labeled.length < customers.length, "the export has unlabeled customers, which training must leave out");
    const churners = labeled.filter((c) => c.Churn === "Yes").length;
    assert.ok(Math.abs(d.churn_rate - churners / labeled.length) < 1e-12);
    assert.equal(d.train, split.train.length);
    assert.equal(d.validation, split.validation.length);
    assert.equal(d.test, split.test.length);
    assert.equal(d.train + d.validation + d.test, d.labeled);
    const all = [...split.train, ...split.validation, ...split.test];
    assert.equal(new Set(all).size, all.length, "parts are disjoint");
    assert.deepEqual(new Set(all), new Set(labeled.map((c) => c.customerID)), "exactly the labeled customers");
    assert.equal(split.seed, SEED);
  });

  test("split.json is the seeded stratified split of the labeled customers (same seed, same split) and names its file", async () => {
    const { split: withData } = await run();
    const { data, ...split } = withData;
    assert.deepEqual(data, {
      file: path.basename(dataFile()),
      sha256: createHash("sha256").update(fs.readFileSync(dataFile())).digest("hex"),
    });
    const { labeled, byId } = cleaned();
    const again = stratifiedSplit(labeled.map((c) => c.customerID).reverse(), (id) => (byId.get(id)?.Churn === "Yes" ? 1 : 0), SEED);
    assert.deepEqual(split, jsonRoundTrip(again));
  });

  test("metrics report every model with validation and test scores in [0, 1] and a fit time", async () => {
    const { metrics } = await run();
    assert.deepEqual(Object.keys(metrics.models).sort(), [...MODEL_NAMES].sort());
    for (const name of MODEL_NAMES) {
      const m = metrics.models[name];
      assert.ok(m, name);
      for (const part of ["validation", "test"] as const) {
        const card: Scorecard = m[part];
        for (const field of SCORE_FIELDS) {
          const v = card[field];
          assert.ok(typeof v === "number" && v >= 0 && v <= 1, `${name} ${part} ${field} = ${v}`);
        }
        assert.equal(card.threshold, m.validation.threshold, `${name}: test is scored at the validation threshold`);
      }
      assert.ok(Number.isFinite(m.fit_seconds) && m.fit_seconds >= 0, `${name} fit_seconds ${m.fit_seconds}`);
    }
    assert.ok(MODEL_NAMES.includes(metrics.best_model), `best_model ${metrics.best_model}`);
    assert.ok(metrics.threshold > 0 && metrics.threshold < 1, `threshold ${metrics.threshold}`);
    assert.equal(metrics.threshold, metrics.calibration.validation.threshold);
    if (metrics.calibration.choice === "none") assert.equal(metrics.threshold, metrics.models[metrics.best_model]?.validation.threshold);
    const bestTest = metrics.models[metrics.best_model]?.test.roc_auc as number;
    assert.ok(bestTest > 0.8, `best test ROC-AUC ${bestTest} (Telco is about 0.84)`);
    assert.equal(metrics.seed, SEED);
    assert.equal(metrics.quick, true);
    assert.ok(metrics.seconds.total >= metrics.seconds.tuning && metrics.seconds.tuning >= 0);
  });

  test("tuning: every quick candidate of every family cross-validated (successive halving); each family reports its best one", async () => {
    const { metrics } = await run();
    const key = (p: unknown): string => JSON.stringify(p);
    for (const f of FAMILIES) {
      const rows = metrics.tuning.filter((t) => t.family === f.name);
      assert.deepEqual(
        rows.map((t) => key(t.params)).sort(),
        jsonRoundTrip(f.candidates(SEED, true)).map(key).sort(),
        `${f.name} candidates`,
      );
      for (const t of rows) {
        assert.ok(t.mean_auc > 0.6 && t.mean_auc <= 1 && t.sd_auc >= 0, `${f.name} cv auc ${t.mean_auc}`);
        assert.ok(t.folds >= 2 && t.folds <= 3, `${f.name} folds ${t.folds}`);
      }
      const complete = rows.filter((t) => t.folds === 3);
      assert.ok(complete.length >= 1, `${f.name}: at least one candidate reaches every fold`);
      const report = metrics.models[f.name];
      assert.ok(report);
      const bestAuc = Math.max(...complete.map((t) => t.mean_auc));
      assert.equal(report.cv.mean_auc, bestAuc);
      assert.deepEqual(report.params, jsonRoundTrip(f.final(complete.find((t) => t.mean_auc === bestAuc)?.params ?? {})));
      assert.equal(report.cv.candidates, rows.length);
      assert.equal(report.cv.folds, 3);
    }
  });

  test("selection is the simplest candidate within one standard error of the best CV ROC-AUC; the vote is a top-k prefix by CV", async () => {
    const { metrics } = await run();
    const sel = metrics.selection;
    const names = sel.candidates.map((c) => c.name);
    assert.deepEqual(new Set(names), new Set([...FAMILY_NAMES, "ensemble"]));
    for (const n of FAMILY_NAMES) {
      const c = sel.candidates.find((x) => x.name === n);
      assert.ok(c && Math.abs(c.mean_auc - (metrics.models[n]?.cv.mean_auc as number)) < 1e-9, `${n}: the rule sees the reported CV mean`);
    }
    const best = sel.candidates.reduce((b, c) => (c.mean_auc > b.mean_auc ? c : b));
    assert.equal(sel.best_mean_auc, best.mean_auc);
    assert.ok(Math.abs(sel.bar - (best.mean_auc - best.se_auc)) < 1e-12);
    const rank = (n: string): number => (SIMPLICITY_ORDER as readonly string[]).indexOf(n);
    const eligible = sel.candidates.filter((c) => c.mean_auc >= sel.bar).sort((a, b) => rank(a.name) - rank(b.name));
    assert.equal(sel.chosen, eligible[0]?.name);
    assert.equal(metrics.best_model, sel.chosen);
    const byCv = FAMILY_NAMES.map((n) => [n, metrics.models[n]?.cv.mean_auc as number] as const).sort((a, b) => b[1] - a[1]);
    const e = metrics.ensemble;
    assert.ok(e.members.length >= 2);
    assert.deepEqual(
      e.members,
      byCv.slice(0, e.members.length).map(([n]) => n),
      "members are the top-k families by CV",
    );
    assert.equal(e.kept, sel.chosen === "ensemble");
    assert.ok(Math.abs(e.validation_auc - (metrics.models["ensemble"]?.validation.roc_auc as number)) < 1e-12);
  });

  test("model.json is self-describing and carries the best model's numbers", async () => {
    const { metrics, model, split } = await run();
    const { byId } = cleaned();
    assert.equal(model.schema, MODEL_SCHEMA);
    assert.equal(model.name, metrics.best_model);
    assert.equal(model.seed, SEED);
    assert.equal(model.threshold, metrics.threshold);
    assert.deepEqual(model.cleaningRules, [...CLEANING_RULES]);
    assert.deepEqual(model.metrics.test, metrics.calibration.test);
    assert.deepEqual(model.metrics.validation, metrics.calibration.validation);
    if (metrics.calibration.choice === "none") assert.deepEqual(model.metrics.test, metrics.models[metrics.best_model]?.test);
    const trainVal = [...split.train, ...split.validation];
    assert.equal(model.training.rows, trainVal.length);
    assert.equal(model.training.positives, trainVal.filter((id) => byId.get(id)?.Churn === "Yes").length);
    assert.equal(model.training.dataSha256, metrics.dataset.sha256);
    assert.equal(model.scorer.name, metrics.best_model);
  });

  test("model.json loads in a fresh process without modelsReady and reproduces the reported test scores", async () => {
    const { out, metrics } = await run();
    const lib = path.join(repoRoot, "dist", "lib");
    const script = `
      const fs = require("node:fs");
      const path = require("node:path");
      const { loadScorer } = require(${JSON.stringify(path.join(lib, "artifact", "scorer.js"))});
      const { cleanFile } = require(${JSON.stringify(path.join(lib, "cleaning", "table.js"))});
      const { scorecard } = require(${JSON.stringify(path.join(lib, "evaluation", "metrics.js"))});
      const { isXGBoostReady } = require(${JSON.stringify(path.join(lib, "models", "xgboost-wasm.js"))});
      const [out, data] = process.argv.slice(1);
      const model = JSON.parse(fs.readFileSync(path.join(out, "model.json"), "utf8"));
      const split = JSON.parse(fs.readFileSync(path.join(out, "split.json"), "utf8"));
      const byId = new Map(cleanFile(data).customers.map((c) => [c.customerID, c]));
      const test = split.test.map((id) => byId.get(id));
      const scorer = loadScorer(model.scorer);
      const p = scorer.score(test);
      let maxOneVsBatch = 0;
      test.forEach((c, i) => (maxOneVsBatch = Math.max(maxOneVsBatch, Math.abs(scorer.scoreOne(c) - p[i]))));
      const y = test.map((c) => (c.Churn === "Yes" ? 1 : 0));
      process.stdout.write(JSON.stringify({ card: scorecard(y, p, model.threshold), maxOneVsBatch, wasm: isXGBoostReady(), n: test.length }));
    `;
    const child = spawnSync(process.execPath, ["-e", script, out, dataFile()], { encoding: "utf8" });
    assert.equal(child.status, 0, `child failed: ${child.stderr}`);
    const got = JSON.parse(child.stdout) as { card: Scorecard; maxOneVsBatch: number; wasm: boolean; n: number };
    assert.equal(got.wasm, false, "scoring must not have loaded XGBoost's WASM");
    assert.equal(got.n, metrics.dataset.test);
    assert.ok(got.maxOneVsBatch < 1e-12, `scoreOne and score differ by ${got.maxOneVsBatch}`);
    const reported = metrics.calibration.test;
    for (const field of [...SCORE_FIELDS, "log_loss", "accuracy", "threshold"] as const) {
      assert.ok(Math.abs(got.card[field] - reported[field]) < 1e-9, `${field}: reloaded ${got.card[field]} vs reported ${reported[field]}`);
    }
  });

  test("determinism: tuning the same training rows again, in this thread, reproduces the run's CV AUCs", async () => {
    // A second full run costs as much as the first; instead re-run the tuning of logistic regression and of the
    // cheapest XGBoost candidate in this thread (the run used 2 workers) and require the very same numbers.
    const { metrics, split } = await run();
    await modelsReady(); // the run may come from the fixture cache, trained by another process
    const { byId } = cleaned();
    const trainRows = split.train.map((id) => byId.get(id) as Customer);
    const data = makeCvData(trainRows, 3, SEED);
    const xgb = FAMILIES.find((f) => f.name === "xgboost")?.candidates(SEED, true) ?? [];
    const cheapest = [...xgb].sort(
      (a, b) => (a["nRounds"] as number) * 2 ** (a["maxDepth"] as number) - (b["nRounds"] as number) * 2 ** (b["maxDepth"] as number),
    )[0];
    assert.ok(cheapest);
    const lr = FAMILIES.find((f) => f.name === "logistic_regression")?.candidates(SEED, true) ?? [];
    // Candidates cut by successive halving were scored on their first folds only: recompute exactly those.
    const foldsOf = (family: string, params: unknown): number =>
      metrics.tuning.find((t) => t.family === family && JSON.stringify(t.params) === JSON.stringify(params))?.folds ?? 3;
    const tasks = [
      ...lr.flatMap((params) =>
        foldTasks(data, { family: "logistic_regression", params }).slice(0, foldsOf("logistic_regression", params)),
      ),
      ...foldTasks(data, { family: "xgboost", params: cheapest }).slice(0, foldsOf("xgboost", cheapest)),
    ];
    const again = summarize(data, await runTasks(data, tasks, { workers: 1 }));
    assert.equal(again.length, lr.length + 1);
    for (const s of again) {
      const key = JSON.stringify(s.params);
      const reported = metrics.tuning.find((t) => t.family === s.family && JSON.stringify(t.params) === key);
      assert.ok(reported, `${s.family} ${key} in metrics.tuning`);
      assert.equal(s.meanAuc, reported.mean_auc, `${s.family} ${key} mean AUC`);
      assert.equal(s.sdAuc, reported.sd_auc, `${s.family} ${key} sd AUC`);
    }
  });

  test("the reloaded best model's test ROC-AUC, recomputed here from split.json, is the reported one", async () => {
    // In-process counterpart of the child-process check (this process has the WASM loaded: same numbers either way).
    const { metrics, model, split } = await run();
    const { byId } = cleaned();
    const test = split.test.map((id) => byId.get(id) as Customer);
    const p = loadScorer(model.scorer).score(test);
    const auc = rocAuc(
      test.map((c) => (c.Churn === "Yes" ? 1 : 0)),
      p,
    );
    assert.ok(Math.abs(auc - metrics.calibration.test.roc_auc) < 1e-9);
  });
});
