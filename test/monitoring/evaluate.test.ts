// Checks `churn evaluate`'s library: model-file validation, metrics with intervals on a messy export, the business view.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bestOperatingPoint } from "../../lib/evaluation/business";
import { cleanFile } from "../../lib/cleaning";
import { evaluateModel } from "../../lib/monitoring/evaluate";
import { rocAuc } from "../../lib/evaluation/metrics";
import { ModelFileError, loadModelFile, modelChecksum } from "../../lib/artifact/model-file";
import { fixture } from "../fixtures";
import { memo, rawFile } from "../support";

const trained = memo(async () => path.join(await fixture("export"), "model.json"));

describe("churn evaluate", () => {
  test("scores a messy export: metrics equal a recomputation, every interval holds its estimate, value is optimal", async () => {
    const modelPath = await trained();
    const data = rawFile("customer_churn_data.csv");
    const e = evaluateModel(modelPath, data, { bootstrap: 200 });
    const labeled = cleanFile(data).customers.filter((c) => c.Churn !== null);
    const y = labeled.map((c) => (c.Churn === "Yes" ? 1 : 0));
    const p = loadModelFile(modelPath).scorer.score(labeled);
    assert.equal(e.data.labeled, labeled.length);
    assert.equal(e.roc_auc, rocAuc(y, p));
    for (const [name, m] of Object.entries(e.metrics)) {
      assert.ok(m.ci95[0] <= m.value && m.value <= m.ci95[1], `${name} ${m.value} outside [${m.ci95.join(", ")}]`);
    }
    const c = e.confusion;
    assert.equal(c.tp + c.fp + c.tn + c.fn, labeled.length);
    const best = bestOperatingPoint(
      y,
      p,
      labeled.map((x) => x.MonthlyCharges ?? 0),
      e.business.assumptions,
    );
    assert.equal(e.business.net_value, best.net);
    assert.ok(e.business.net_value >= 0, "contacting nobody is always an option");
    assert.ok(e.business.statements.length >= 3);
  });

  test("refuses what is not a churn model, another schema version, and a corrupt scorer, naming the problem", async () => {
    const modelPath = await trained();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-badmodel-"));
    const write = (name: string, value: unknown): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, typeof value === "string" ? value : JSON.stringify(value));
      return f;
    };
    const good = JSON.parse(fs.readFileSync(modelPath, "utf8")) as Record<string, unknown>;
    assert.throws(
      () => loadModelFile(write("garbage.json", "{not json")),
      (err: unknown) => err instanceof ModelFileError && /cannot read/.test(err.message),
    );
    assert.throws(() => loadModelFile(write("other.json", { schema: "something" })), /not a churn model/);
    assert.throws(() => loadModelFile(write("future.json", { ...good, schemaVersion: 99 })), /schema version 99/);
    const scorer = good["scorer"] as Record<string, unknown>;
    const broken = {
      ...good,
      scorer: { ...scorer, type: "pipeline", pipeline: { version: 1, steps: [], center: [0], scale: [1], featureNames: [] } },
    };
    assert.throws(
      () => loadModelFile(write("edited.json", broken)),
      (err: unknown) => err instanceof ModelFileError && /checksum does not match/.test(err.message),
    );
    // Even with a checksum recomputed over the broken content, the scorer itself is checked.
    assert.throws(
      () => loadModelFile(write("corrupt.json", { ...broken, checksum: modelChecksum(broken) })),
      (err: unknown) => err instanceof ModelFileError && /corrupt/.test(err.message),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
