// `churn drift`'s label-free performance estimate and `churn evaluate`'s EMPC on a trained model: on the model's own
// held-out customers the estimate lies within its band of the realized figures, the label column changes no estimate,
// and EMPC is reproduced by brute force to within 1%.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { driftFromFiles } from "../../lib/monitoring/drift";
import { evaluateModel } from "../../lib/monitoring/evaluate";
import { performanceBands } from "../../lib/monitoring/cbpe";
import { cleanFile, customersToRecords } from "../../lib/cleaning";
import { loadModelFile } from "../../lib/artifact/model-file";
import { COLUMN_NAMES } from "../../lib/core/schema";
import { churnLabels } from "../../lib/core/labels";
import { train } from "../../lib/training/train";
import { parseFamilies } from "../../lib/training/families";
import { fixture } from "../fixtures";
import { memo, rawFile } from "../support";
import { bruteForceEmpc } from "../evaluation/empc-brute";

const EXPORT = "customer_churn_data.csv";

/** The fixture's test customers as CSV files: with the Churn column, and without it. */
const testFiles = memo(async () => {
  const dir = await fixture("export");
  const split = JSON.parse(fs.readFileSync(path.join(dir, "split.json"), "utf8")) as { test: string[] };
  const ids = new Set(split.test);
  const customers = cleanFile(rawFile(EXPORT)).customers.filter((c) => ids.has(c.customerID));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "churn-cbpe-"));
  const header = [...COLUMN_NAMES];
  const rows = customersToRecords(customers);
  const churn = header.indexOf("Churn");
  const csv = (cells: string[][]): string => `${cells.map((r) => r.join(",")).join("\n")}\n`;
  const labeled = path.join(out, "test-labeled.csv");
  const unlabeled = path.join(out, "test-unlabeled.csv");
  fs.writeFileSync(labeled, csv([header, ...rows]));
  fs.writeFileSync(unlabeled, csv([header, ...rows].map((r) => r.filter((_, i) => i !== churn))));
  return { model: path.join(dir, "model.json"), labeled, unlabeled, customers };
});

describe("performance estimated without labels (churn drift)", () => {
  test("on the model's held-out customers the estimated ROC-AUC is within its band of the realized one", async () => {
    const { model, labeled } = await testFiles();
    const report = driftFromFiles(model, labeled, { chunkSize: 350 });
    const perf = report.performance;
    assert.ok(perf, "the model file carries a held-out reference");
    assert.ok(perf.realized, "labeled export: realized figures present");
    const { file } = loadModelFile(model);
    const bands = performanceBands(file.performanceReference as { scores: number[]; labels: number[] }, file.threshold, 1403, file.seed);
    for (const k of ["roc_auc", "precision", "recall", "f1", "churn_rate"] as const) {
      assert.ok(
        Math.abs(perf.estimated[k] - perf.realized[k]) <= 3 * bands[k].sd,
        `${k}: estimated ${perf.estimated[k]}, realized ${perf.realized[k]}`,
      );
    }
    const [low, high] = perf.band.roc_auc;
    assert.ok(perf.estimated.roc_auc >= low && perf.estimated.roc_auc <= high);
    assert.equal(perf.alert, false);
    assert.equal(perf.chunks.length, 4);
    for (const c of perf.chunks) assert.ok(c.realized, "each chunk is labeled");
  });

  test("removing the label column leaves every estimate unchanged; realized figures appear only with labels", async () => {
    const { model, labeled, unlabeled } = await testFiles();
    const a = driftFromFiles(model, labeled, { chunkSize: 350 }).performance;
    const b = driftFromFiles(model, unlabeled, { chunkSize: 350 }).performance;
    assert.ok(a && b);
    assert.deepEqual(b.estimated, a.estimated);
    assert.deepEqual(b.band, a.band);
    assert.deepEqual(
      b.chunks.map((c) => c.estimated),
      a.chunks.map((c) => c.estimated),
    );
    assert.equal(b.alert, a.alert);
    assert.equal(b.realized, undefined);
    const json = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json["estimated"] as object).sort(), ["churn_rate", "f1", "precision", "recall", "roc_auc"]);
    assert.equal((json["band"] as { roc_auc: unknown[] }).roc_auc.length, 2);
    assert.equal(typeof json["alert"], "boolean");
    assert.ok(!("realized" in json));
  });
});

describe("EMPC in churn evaluate and metrics.json", () => {
  test("churn evaluate's EMPC and EMPfrac are reproduced by brute force to within 1%", async () => {
    const { model, labeled, customers } = await testFiles();
    const e = evaluateModel(model, labeled, { bootstrap: 0 });
    const { scorer } = loadModelFile(model);
    const brute = bruteForceEmpc(churnLabels(customers), Array.from(scorer.score(customers)), e.empc_params);
    assert.ok(Math.abs(e.empc - brute.empc) <= 0.01 * Math.abs(brute.empc), `EMPC ${e.empc} vs ${brute.empc}`);
    assert.ok(Math.abs(e.empc_frac - brute.frac) <= 0.01 * brute.frac, `EMPfrac ${e.empc_frac} vs ${brute.frac}`);
    assert.deepEqual(e.empc_params, { alpha: 6, beta: 14, clv: 200, incentive: 10, contact: 1 });
    assert.ok(e.empc_value_model.params.clv > 0 && Number.isFinite(e.empc_value_model.empc));
  });

  test("every model's validation and test scorecards carry EMPC and EMPfrac; model.json stores the parameters", async () => {
    const dir = await fixture("export");
    const metrics = JSON.parse(fs.readFileSync(path.join(dir, "metrics.json"), "utf8")) as {
      models: Record<string, { validation: { empc: number; empc_frac: number }; test: { empc: number; empc_frac: number } }>;
    };
    for (const [name, m] of Object.entries(metrics.models)) {
      for (const set of [m.validation, m.test]) {
        assert.ok(Number.isFinite(set.empc) && set.empc > 0, `${name} EMPC`);
        assert.ok(set.empc_frac > 0 && set.empc_frac < 1, `${name} EMPfrac`);
      }
    }
    assert.deepEqual(loadModelFile(path.join(dir, "model.json")).file.business.empc, {
      alpha: 6,
      beta: 14,
      clv: 200,
      incentive: 10,
      contact: 1,
    });
  });

  test("churn train --select-by empc applies the one-standard-error rule to CV EMPC", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "churn-select-empc-"));
    const result = await train({
      data: rawFile(EXPORT),
      out,
      seed: 42,
      quick: true,
      workers: 2,
      families: parseFamilies("logistic_regression,xgboost"),
      selectBy: "empc",
    });
    const sel = result.metrics.selection;
    assert.equal(sel.metric, "empc");
    const rows = sel.candidates;
    assert.ok(rows.every((r) => typeof r.mean_empc === "number" && typeof r.se_empc === "number"));
    const best = rows.reduce((b, r) => ((r.mean_empc as number) > (b.mean_empc as number) ? r : b));
    assert.equal(sel.best, best.name);
    assert.ok(Math.abs(sel.bar - ((best.mean_empc as number) - (best.se_empc as number))) < 1e-12);
    for (const r of rows) assert.equal(r.within_one_se, (r.mean_empc as number) >= sel.bar);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
