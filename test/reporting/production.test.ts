// Notebook 05's views: API records, the service's answers as rows, warning tallies, the repeated-export batch run,
// drift verdicts side by side, novelty percentiles, the heavy-module check.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable, Writable } from "node:stream";
import { NoveltyScorer } from "../../lib/artifact/reference";
import { cleanFile } from "../../lib/cleaning";
import type { Customer } from "../../lib/core/schema";
import type { DriftReport, FeatureDrift } from "../../lib/monitoring/drift";
import { predictStream } from "../../lib/serving/batch";
import type { InputWarning } from "../../lib/serving/ood";
import { type PredictOutcome, type Prediction, PredictionService } from "../../lib/serving/service";
import {
  apiRecord,
  contractShare,
  driftComparisonRows,
  driftedFeatures,
  fieldErrorRows,
  heavyModulesLoaded,
  noveltyPercentiles,
  outcomeBody,
  outcomeRow,
  scoreRepeatedExport,
  warningShare,
  warningTally,
  withoutField,
} from "../../lib/reporting/production";
import { fixture } from "../fixtures";
import { memo, rawFile } from "../support";

const service = memo(async () => PredictionService.load(path.join(await fixture("export"), "model.json")));
const exportCustomers = memo(() => cleanFile(rawFile("customer_churn_data.csv")).customers);

function prediction(warnings: InputWarning[], probability = 0.42): Prediction {
  return {
    customerID: "0000-TEST",
    churn_probability: probability,
    churn: false,
    threshold: 0.5,
    risk_band: "medium",
    reasons: [],
    model_version: "stub@000000000000",
    warnings,
    novelty: 0.3,
  };
}

const warn = (code: InputWarning["code"], field: string | null): InputWarning => ({ code, field, message: `${code} ${field}` });
const scored = (warnings: InputWarning[]): PredictOutcome => ({ ok: true, prediction: prediction(warnings) });
const refused: PredictOutcome = {
  ok: false,
  errors: [
    { field: "tenure", message: "-5 is not a valid tenure" },
    { field: "MonthlyCharges", message: "unparseable" },
  ],
};

describe("records and outcomes", () => {
  test("apiRecord drops the label and keeps every other field, missing ones as null", () => {
    const c = exportCustomers().find((x) => x.Churn !== null && Object.values(x).includes(null)) as Customer;
    assert.ok(c, "the export has a labeled customer with a missing field");
    const r = apiRecord(c);
    assert.equal("Churn" in r, false);
    assert.deepEqual(
      Object.keys(r),
      Object.keys(c).filter((k) => k !== "Churn"),
    );
    for (const [k, v] of Object.entries(r)) assert.equal(v, c[k as keyof Customer]);
    assert.ok("Churn" in c, "the customer itself is not changed");
  });

  test("withoutField copies the record without one field", () => {
    const r = { a: 1, Contract: "One year", b: null };
    assert.deepEqual(withoutField(r, "Contract"), { a: 1, b: null });
    assert.deepEqual(r, { a: 1, Contract: "One year", b: null });
    assert.deepEqual(withoutField(r, "absent"), r);
  });

  test("outcomeBody, fieldErrorRows and outcomeRow show a scored and a refused answer", () => {
    const ok = scored([warn("missing_imputed", "tenure"), warn("novel_profile", null)]);
    assert.deepEqual(outcomeBody(ok), prediction([warn("missing_imputed", "tenure"), warn("novel_profile", null)]));
    assert.deepEqual(outcomeBody(refused), refused.ok ? null : refused.errors);
    assert.deepEqual(fieldErrorRows(ok), []);
    assert.deepEqual(fieldErrorRows(refused), [
      { field: "tenure", message: "-5 is not a valid tenure" },
      { field: "MonthlyCharges", message: "unparseable" },
    ]);
    assert.deepEqual(outcomeRow("case 1", ok), {
      case: "case 1",
      outcome: "scored",
      probability: 0.42,
      novelty: 0.3,
      warnings: "missing_imputed(tenure), novel_profile(record)",
    });
    assert.equal(outcomeRow("clean", scored([])).warnings, "none");
    assert.deepEqual(outcomeRow("bad", refused), {
      case: "bad",
      outcome: "refused (422)",
      probability: "",
      novelty: "",
      warnings: "tenure: -5 is not a valid tenure; MonthlyCharges: unparseable",
    });
  });
});

describe("warningTally", () => {
  test("counts customers with each code and warnings of it over the scored customers", () => {
    const answers = new Map<string, PredictOutcome>([
      ["a", scored([warn("missing_imputed", "tenure"), warn("missing_imputed", "TotalCharges"), warn("novel_profile", null)])],
      ["b", refused],
      ["c", scored([])],
      ["d", scored([warn("missing_imputed", "Contract")])],
      ["e", scored([])],
    ]);
    const seen: unknown[] = [];
    const stub = {
      predict: (record: Record<string, unknown>, options: unknown) => {
        seen.push(options);
        assert.equal("Churn" in record, false, "the label is not sent");
        return answers.get(record["customerID"] as string) as PredictOutcome;
      },
    } as unknown as PredictionService;
    const customers = [...answers.keys()].map((customerID) => ({ customerID, Churn: "No" }) as Customer);
    const t = warningTally(stub, customers);
    assert.equal(t.scored, 4);
    assert.equal(t.refused, 1);
    assert.deepEqual(t.rows, [
      { code: "missing_imputed", customers: 2, warnings: 3, share: 0.5 },
      { code: "novel_profile", customers: 1, warnings: 1, share: 0.25 },
    ]);
    assert.deepEqual(
      seen,
      Array.from({ length: 5 }, () => ({ reasons: 0 })),
    );
    assert.equal(warningShare(t, "novel_profile"), 0.25);
    assert.equal(warningShare(t, "unseen_category"), 0);
    assert.ok(Number.isNaN(warningShare(warningTally(stub, []), "novel_profile")));
  });
});

describe("scoreRepeatedExport", () => {
  test("streams the header once and the rows `times` times through predictStream, counting the bytes written", async () => {
    const svc = await service();
    const lines = fs
      .readFileSync(rawFile("customer_churn_data.csv"), "utf8")
      .split(/\r?\n/)
      .filter((l) => l !== "");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-repeat-"));
    try {
      const small = path.join(dir, "small.csv");
      fs.writeFileSync(small, lines.slice(0, 26).join("\r\n") + "\r\n\r\n");
      const { summary, outputBytes } = await scoreRepeatedExport(svc, small, 3);
      assert.equal(summary.rowsRead, 75);
      assert.equal(summary.scored + summary.refused, 75);
      assert.ok(summary.duplicateIds >= 50, `${summary.duplicateIds} repeated IDs`);

      // The same input written out and scored directly gives the same output, byte for byte.
      let text = "";
      const sink = new Writable({
        write(chunk: Buffer, _enc, done): void {
          text += chunk.toString("utf8");
          done();
        },
      });
      const body = lines.slice(1, 26).join("\n") + "\n";
      await predictStream(Readable.from([lines[0] + "\n", body, body, body]), sink, svc);
      assert.equal(outputBytes, Buffer.byteLength(text));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("drift and novelty views", () => {
  const feature = (psi: number, drift: boolean, p: number | null = 0.01): FeatureDrift => ({ psi, drift, p_value: p }) as FeatureDrift;
  const report = (features: DriftReport["features"]): DriftReport => ({ features }) as DriftReport;

  test("driftComparisonRows puts each feature's plain and shifted verdicts side by side, largest shifted PSI first", () => {
    const plain = report({ tenure: feature(0.01, false), Contract: feature(0.02, false) });
    const shifted = report({ tenure: feature(0.05, false, 0.3), Contract: feature(0.4, true, 1e-9), MonthlyCharges: feature(0.2, true) });
    assert.deepEqual(driftComparisonRows(plain, shifted), [
      { feature: "Contract", "plain PSI": 0.02, "plain drift": "no", "shifted PSI": 0.4, "shifted p": 1e-9, "shifted drift": "YES" },
      {
        feature: "MonthlyCharges",
        "plain PSI": undefined,
        "plain drift": "no",
        "shifted PSI": 0.2,
        "shifted p": 0.01,
        "shifted drift": "YES",
      },
      { feature: "tenure", "plain PSI": 0.01, "plain drift": "no", "shifted PSI": 0.05, "shifted p": 0.3, "shifted drift": "no" },
    ]);
    assert.deepEqual(driftedFeatures(shifted), [
      { feature: "Contract", psi: 0.4 },
      { feature: "MonthlyCharges", psi: 0.2 },
    ]);
    assert.deepEqual(driftedFeatures(plain), []);
  });

  test("contractShare is the share of customers on the contract", () => {
    const cs = ["Month-to-month", "One year", "Month-to-month", "Two year"].map((Contract) => ({ Contract }) as Customer);
    assert.equal(contractShare(cs, "Month-to-month"), 0.5);
    assert.equal(contractShare(cs, "Two year"), 0.25);
    assert.ok(Number.isNaN(contractShare([], "One year")));
  });

  test("noveltyPercentiles reads each customer against the model's novelty reference", async () => {
    const svc = await service();
    const customers = exportCustomers().slice(0, 40);
    const reference = svc.file.reference.novelty;
    const got = noveltyPercentiles(reference, customers);
    const scorer = new NoveltyScorer(reference);
    assert.deepEqual(
      got,
      customers.map((c) => scorer.percentile(scorer.distance(c))),
    );
    assert.ok(got.every((v) => v >= 0 && v <= 1));
    const odd = {
      ...(customers[0] as Customer),
      tenure: 72,
      MonthlyCharges: 19,
      TotalCharges: 9000,
      InternetService: "Fiber optic" as const,
    };
    assert.ok((noveltyPercentiles(reference, [odd])[0] as number) > 0.9, "an impossible bill is more unusual than most training customers");
  });

  test("heavyModulesLoaded finds danfojs or TensorFlow in the module cache", () => {
    const before = heavyModulesLoaded();
    const fake = path.join(os.tmpdir(), "node_modules", "danfojs-node", "dist", "index.js");
    require.cache[fake] = require.cache[__filename];
    try {
      assert.deepEqual(heavyModulesLoaded(), [...before, fake]);
    } finally {
      delete require.cache[fake];
    }
    assert.deepEqual(heavyModulesLoaded(), before);
  });
});
