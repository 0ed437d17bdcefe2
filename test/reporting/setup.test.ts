// The notebooks' one setup: the run opened through locateRun, the model loaded, split.json's test customers looked up in
// the cleaned export, labeled and scored, and refusals when the run and the data do not belong together.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { RunMismatchError } from "../../lib/artifact/run";
import { TAKE_HOME_EXPORT } from "../../lib/data/acquire";
import { churnLabels } from "../../lib/core/labels";
import { openNotebookRun } from "../../lib/reporting/setup";
import type { Customer } from "../../lib/core/schema";
import { fixture, fixtureCopy } from "../fixtures";
import { rawFile, repoRoot } from "../support";

test("churnLabels is 1 for Yes and 0 otherwise", () => {
  assert.deepEqual(churnLabels([{ Churn: "Yes" }, { Churn: "No" }, { Churn: null }, { Churn: "Yes" }] as Customer[]), [1, 0, 0, 1]);
});

describe("openNotebookRun", () => {
  test("returns the model, the split and the labeled test customers of the export with their labels, scores and charges", async () => {
    const dir = await fixture("export");
    const run = openNotebookRun(repoRoot, { CHURN_ARTIFACTS: dir });
    assert.equal(run.dir, dir);
    assert.equal(run.inputs.exportFile, rawFile(TAKE_HOME_EXPORT.fileName));
    const model = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8")) as {
      name: string;
      checksum: string;
      threshold: number;
    };
    assert.equal(run.model.name, model.name);
    assert.equal(run.model.checksum, model.checksum);
    assert.equal(run.model.threshold, model.threshold);
    const split = JSON.parse(fs.readFileSync(path.join(dir, "split.json"), "utf8")) as { train: string[]; test: string[] };
    assert.deepEqual(run.split.test, split.test);
    assert.deepEqual(run.split.train, split.train);

    assert.equal(run.customersById.size, run.customers.length);
    for (const c of run.customers.slice(0, 50)) assert.equal(run.customersById.get(c.customerID), c);

    // Test customers: split.json's IDs in split order, only those the export has, the labeled ones among them.
    const expectedIds = split.test.filter((id) => run.customersById.has(id));
    assert.deepEqual(
      run.testCustomers.map((c) => c.customerID),
      expectedIds,
    );
    assert.deepEqual(
      run.test.map((c) => c.customerID),
      expectedIds.filter((id) => run.customersById.get(id)?.Churn !== null),
    );
    assert.ok(run.test.length > 100);
    assert.deepEqual(
      run.y,
      run.test.map((c) => (c.Churn === "Yes" ? 1 : 0)),
    );
    assert.equal(run.positives, run.test.filter((c) => c.Churn === "Yes").length);
    assert.ok(run.positives > 0 && run.positives < run.test.length);
    assert.equal(run.baseRate, run.positives / run.test.length);
    assert.deepEqual(
      run.charges,
      run.test.map((c) => c.MonthlyCharges ?? 0),
    );
    assert.equal(run.p.length, run.test.length);
    assert.deepEqual(Array.from(run.p), Array.from(run.scorer.score(run.test)));
    run.test.slice(0, 20).forEach((c, i) => assert.ok(Math.abs((run.p[i] as number) - run.scorer.scoreOne(c)) < 1e-12));
    assert.equal(run.report.customers.total, run.customers.length);
  });

  test("refuses the artifacts with another export, as locateRun does", async () => {
    const dir = await fixture("export");
    assert.throws(
      () => openNotebookRun(repoRoot, { CHURN_ARTIFACTS: dir, CHURN_EXPORT_FILE: rawFile("telco-customer-churn.csv") }),
      (err: Error) =>
        err instanceof RunMismatchError && err.message.includes("artifacts of one file are not combined with data of another"),
    );
  });

  test("refuses a split whose test customers are not labeled customers of the export", async () => {
    const dir = await fixtureCopy("export");
    const file = path.join(dir, "split.json");
    const split = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(file, JSON.stringify({ ...split, test: ["0000-NOSUCH", "0000-NOBODY"] }));
    assert.throws(
      () => openNotebookRun(repoRoot, { CHURN_ARTIFACTS: dir }),
      /none of the 2 test customers of .*split\.json is a labeled customer of /,
    );
  });
});
