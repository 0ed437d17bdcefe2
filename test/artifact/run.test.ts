// The run's artifacts and its export are opened together, and refused with both files named when they do not belong.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { TAKE_HOME_EXPORT } from "../../lib/data/acquire";
import { modelVersion } from "../../lib/artifact/model-file";
import { RunMismatchError, dataRef, locateRun } from "../../lib/artifact/run";
import { fixtureCopy } from "../fixtures";
import { rawFile, repoRoot } from "../support";

const exportFile = (): string => rawFile(TAKE_HOME_EXPORT.fileName);

describe("locateRun", () => {
  test("opens artifacts of the export with the export, and every artifact records the export's sha256", async () => {
    const dir = await fixtureCopy("export");
    const run = locateRun(repoRoot, { CHURN_ARTIFACTS: dir });
    assert.equal(run.artifactsDir, dir);
    assert.equal(run.exportFile, exportFile());
    assert.equal(run.sha256, TAKE_HOME_EXPORT.sha256);
    assert.deepEqual(run.artifacts, ["model.json", "metrics.json", "split.json", "quality-report.json", "study.json"]);
  });

  test("artifacts of the export combined with another file are refused, naming both files and what to run", async () => {
    const dir = await fixtureCopy("export");
    const other = rawFile("telco-customer-churn.csv");
    assert.throws(
      () => locateRun(repoRoot, { CHURN_ARTIFACTS: dir, CHURN_EXPORT_FILE: other }),
      (err: Error) => {
        assert.ok(err instanceof RunMismatchError);
        assert.equal(err.exitCode, 2);
        assert.ok(err.message.startsWith(`${path.join(dir, "model.json")} came from ${TAKE_HOME_EXPORT.fileName} `), err.message);
        assert.ok(err.message.includes(other), err.message);
        assert.ok(err.message.includes(TAKE_HOME_EXPORT.sha256.slice(0, 12)), err.message);
        assert.ok(err.message.includes(dataRef(other).sha256.slice(0, 12)), err.message);
        assert.match(err.message, /npm start/);
        return true;
      },
    );
  });

  test("one artifact from another file is enough to refuse, and it is the one named", async () => {
    const dir = await fixtureCopy("export");
    const studyFile = path.join(dir, "study.json");
    const study = JSON.parse(fs.readFileSync(studyFile, "utf8")) as { data: { file: string; sha256: string } };
    study.data = dataRef(rawFile("telco-customer-churn.csv"));
    fs.writeFileSync(studyFile, JSON.stringify(study));
    assert.throws(
      () => locateRun(repoRoot, { CHURN_ARTIFACTS: dir }),
      (err: Error) => err.message.startsWith(`${studyFile} came from telco-customer-churn.csv`),
    );
  });

  test("a missing model, an artifact without a data fingerprint, and a benchmark of another model are refused", async () => {
    const dir = await fixtureCopy("export");
    const bench = path.join(dir, "bench", "bench-serve.json");
    fs.mkdirSync(path.dirname(bench));
    const model = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8")) as { name: string; checksum: string };
    const benchOf = (version: string): string => JSON.stringify({ model: { model_version: version }, data: dataRef(exportFile()) });
    fs.writeFileSync(bench, benchOf(modelVersion(model)));
    assert.ok(locateRun(repoRoot, { CHURN_ARTIFACTS: dir }).artifacts.includes(path.join("bench", "bench-serve.json")));
    fs.writeFileSync(bench, benchOf("xgboost@000000000000"));
    assert.throws(() => locateRun(repoRoot, { CHURN_ARTIFACTS: dir }), /measured model xgboost@000000000000, but .*model\.json is /);
    fs.rmSync(bench);

    const split = path.join(dir, "split.json");
    const { data: _data, ...ids } = JSON.parse(fs.readFileSync(split, "utf8")) as Record<string, unknown>;
    fs.writeFileSync(split, JSON.stringify(ids));
    assert.throws(() => locateRun(repoRoot, { CHURN_ARTIFACTS: dir }), /split\.json does not record the data file it came from/);

    fs.rmSync(path.join(dir, "model.json"));
    assert.throws(
      () => locateRun(repoRoot, { CHURN_ARTIFACTS: dir }),
      (err: Error) => err instanceof RunMismatchError && /model\.json is missing: run `npm start`/.test(err.message),
    );
  });
});
