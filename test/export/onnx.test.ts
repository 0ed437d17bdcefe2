// Holds the ONNX export to its contract: every exportable family and their soft vote score all 7,043 cleaned customers
// of the take-home export in ONNX Runtime as `churn predict` does (largest difference <= 1e-5, the same decisions), the
// derived features and the pipeline match their TypeScript on every customer and on random ones with missing fields,
// calibrators, metadata and the interface are as documented, and k-NN is refused with its reason.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "csv-parse/sync";
import seedrandom from "seedrandom";
import { ExportError, exportOnnx, pipelineOnnx } from "../../lib/export/onnx";
import { OnnxSession, onnxMetadata } from "../../lib/export/runtime";
import { decodeModel } from "../../lib/export/graph";
import { PARITY_TOLERANCE, onnxParity } from "../../lib/export/parity";
import { LOWERED_FEATURES } from "../../lib/export/derived";
import { DERIVED_FEATURES } from "../../lib/features/derived";
import { FeaturePipeline } from "../../lib/features/pipeline";
import { cleanFile, writeCleanOutputs } from "../../lib/cleaning";
import { type Customer, FEATURE_COLUMNS, columnSpec } from "../../lib/core/schema";
import { loadModelFile } from "../../lib/artifact/model-file";
import { CalibratedScorer, PipelineScorer, type SerializedScorer, loadScorer } from "../../lib/artifact/scorer";
import { IsotonicCalibrator, PlattCalibrator } from "../../lib/models/calibrators";
import { churnLabel } from "../../lib/core/labels";
import type { ModelFile } from "../../lib/artifact/types";
import { predictFile } from "../../lib/serving/batch";
import { parseFamilies } from "../../lib/training/families";
import { type FixtureName, fixture } from "../fixtures";
import { memo, rawFile, testCustomer } from "../support";

const EXPORT_FILE = "customer_churn_data.csv";
const cleaned = memo(() => cleanFile(rawFile(EXPORT_FILE)).customers);
/** The cleaned export written as `churn clean` writes it, once. */
const cleanedCsv = memo(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-onnx-clean-"));
  return writeCleanOutputs(cleanFile(rawFile(EXPORT_FILE)), dir).cleaned;
});

const FAMILY_FIXTURES: { family: string; fixture: FixtureName }[] = [
  { family: "logistic_regression", fixture: "export-logistic_regression" },
  { family: "random_forest", fixture: "export-random_forest" },
  { family: "xgboost", fixture: "export-xgboost" },
  { family: "ensemble", fixture: "export-ensemble" },
];

type Row = Record<string, string>;
const readRows = (file: string): Row[] => parse<Row>(fs.readFileSync(file, "utf8"), { columns: true });

async function score(bytes: Uint8Array, customers: readonly Customer[]): Promise<Awaited<ReturnType<OnnxSession["run"]>>> {
  const session = await OnnxSession.create(bytes);
  try {
    return await session.run(customers);
  } finally {
    await session.close();
  }
}

/** Largest |a - b| over two arrays of equal length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe("ONNX export: parity with churn predict on every customer of the take-home export", () => {
  for (const { family, fixture: name } of FAMILY_FIXTURES) {
    test(`${family}: churn train --families, export, all 7,043 cleaned customers in ONNX Runtime and through churn predict`, async () => {
      const modelPath = path.join(await fixture(name), "model.json");
      const { file, scorer } = loadModelFile(modelPath);
      assert.equal(file.name, family, "the fixture trained with --families serves that family");
      const exported = exportOnnx(file);
      const customers = cleaned();
      assert.equal(customers.length, 7043);

      // Through the graph, at full precision against the model's own scorer.
      const parity = await onnxParity(file, scorer, exported.bytes, customers);
      assert.ok(parity.maxAbsDiff <= PARITY_TOLERANCE, `largest difference ${parity.maxAbsDiff}`);
      assert.equal(parity.decisionsDifferBeyondTolerance, 0);
      assert.ok(parity.ok);

      // Through churn predict (default engine) on the cleaned table, and churn predict --engine onnx on the same file.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `churn-onnx-${family}-`));
      const onnxFile = path.join(dir, "model.onnx");
      fs.writeFileSync(onnxFile, exported.bytes);
      const jsOut = path.join(dir, "js.csv");
      const onnxOut = path.join(dir, "onnx.csv");
      const jsSummary = await predictFile({ model: modelPath, data: cleanedCsv(), out: jsOut });
      const onnxSummary = await predictFile({ model: modelPath, data: cleanedCsv(), out: onnxOut, engine: "onnx", onnxFile });
      assert.equal(jsSummary.engine, "js");
      assert.equal(onnxSummary.engine, "onnx");
      const js = readRows(jsOut);
      const graph = readRows(onnxOut);
      assert.equal(js.length, 7043);
      assert.equal(graph.length, 7043);
      const graphScores = await score(exported.bytes, customers);
      const byId = new Map(customers.map((c, i) => [c.customerID, graphScores.probability[i] as number]));
      let largest = 0;
      js.forEach((a, i) => {
        const b = graph[i] as Row;
        const pa = Number(a["churn_probability"]);
        const pb = Number(b["churn_probability"]);
        largest = Math.max(largest, Math.abs(pa - pb));
        // The predict file (6 decimals) against the graph's own float output for the same customer.
        assert.ok(Math.abs(pa - (byId.get(a["customerID"] ?? "") as number)) <= PARITY_TOLERANCE, `${a["customerID"]}`);
        for (const column of ["row", "customerID", "warnings", "error"]) assert.equal(b[column], a[column], `${column} of row ${i + 1}`);
        if (Math.abs(pa - file.threshold) > PARITY_TOLERANCE) assert.equal(b["churn"], a["churn"], `decision of row ${i + 1}`);
        if (a["risk_band"] !== b["risk_band"]) {
          const { high, medium } = {
            high: file.business.campaign?.contactThreshold ?? file.threshold,
            medium: file.business.campaign?.watchThreshold ?? 0,
          };
          assert.ok(Math.min(Math.abs(pa - high), Math.abs(pa - medium)) <= PARITY_TOLERANCE, `risk band of row ${i + 1}`);
        }
      });
      assert.ok(largest <= PARITY_TOLERANCE, `predict files differ by ${largest}`);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }
});

describe("ONNX export: interface and metadata", () => {
  const lr = memo(async () => loadModelFile(path.join(await fixture("export-logistic_regression"), "model.json")));

  test("one [N,1] input per cleaned field (float or string), outputs churn_probability [N], churn and risk_band", async () => {
    const { file } = await lr();
    const exported = exportOnnx(file);
    const model = decodeModel(exported.bytes);
    const inputs = (model.graph?.input ?? []).map((i) => ({
      name: i.name,
      elem: i.type?.tensorType?.elemType,
      dims: (i.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue)),
    }));
    assert.deepEqual(
      inputs.map((i) => i.name),
      [...FEATURE_COLUMNS],
    );
    for (const i of inputs) {
      const numeric = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"].includes(i.name ?? "");
      assert.equal(i.elem, numeric ? 1 : 8, `${i.name} is ${numeric ? "float" : "string"}`);
      assert.deepEqual(i.dims, ["N", 1]);
    }
    assert.ok(!inputs.some((i) => i.name === "customerID" || i.name === "Churn"));
    const outputs = (model.graph?.output ?? []).map((o) => [
      o.name,
      o.type?.tensorType?.elemType,
      (o.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam),
    ]);
    assert.deepEqual(outputs, [
      ["churn_probability", 1, ["N"]],
      ["churn", 7, ["N"]],
      ["risk_band", 8, ["N"]],
    ]);
    const opsets = Object.fromEntries((model.opsetImport ?? []).map((o) => [o.domain ?? "", Number(o.version)]));
    assert.deepEqual(opsets, { "": 17, "ai.onnx.ml": 3 });
  });

  test("metadata: model version and checksum, threshold, training data sha256", async () => {
    const { file } = await lr();
    const meta = onnxMetadata(exportOnnx(file).bytes);
    assert.equal(meta.model_checksum, file.checksum);
    assert.equal(meta.model_version, `${file.name}@${file.checksum.slice(0, 12)}`);
    assert.equal(Number(meta.threshold), file.threshold);
    assert.equal(meta.training_data_sha256, file.training.dataSha256);
    assert.equal(meta.learners, "logistic_regression");
    assert.equal(meta.inputs?.split(",").length, FEATURE_COLUMNS.length);
  });

  test("the same model exports the same bytes", async () => {
    const { file } = await lr();
    assert.equal(exportOnnx(file).sha256, exportOnnx(file).sha256);
  });

  test("a spelling churn clean never writes counts as missing, as the API treats an unknown value", async () => {
    const { file, scorer } = await lr();
    const base = testCustomer({ Partner: "Yes", InternetService: "Fiber optic" });
    const odd = { ...base, Partner: "yes" as unknown as "Yes", InternetService: "fibre" as unknown as "DSL" };
    const asMissing = { ...base, Partner: null, InternetService: null };
    const out = await score(exportOnnx(file).bytes, [odd, asMissing]);
    assert.ok(Math.abs((out.probability[0] as number) - scorer.scoreOne(asMissing)) <= PARITY_TOLERANCE);
    assert.equal(out.probability[0], out.probability[1]);
  });

  test("churn predict --engine onnx refuses a graph exported from another model, naming both checksums", async () => {
    const other = loadModelFile(path.join(await fixture("export-xgboost"), "model.json")).file;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-onnx-other-"));
    const onnxFile = path.join(dir, "other.onnx");
    fs.writeFileSync(onnxFile, exportOnnx(other).bytes);
    const modelPath = path.join(await fixture("export-logistic_regression"), "model.json");
    await assert.rejects(
      predictFile({ model: modelPath, data: cleanedCsv(), out: path.join(dir, "x.csv"), engine: "onnx", onnxFile }),
      new RegExp(`was not exported from this model: its model_checksum is ${other.checksum.slice(0, 12)}`),
    );
    assert.ok(!fs.existsSync(path.join(dir, "x.csv")));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

/** A random cleaned customer: each field missing with probability 0.25, levels and two-decimal numbers drawn at random. */
function randomCustomer(rng: () => number, i: number): Customer {
  const c: Record<string, unknown> = { customerID: `R${i}`, Churn: null };
  for (const name of FEATURE_COLUMNS) {
    if (rng() < 0.25) {
      c[name] = null;
      continue;
    }
    if (name === "tenure") c[name] = rng() < 0.15 ? 0 : Math.floor(rng() * 73);
    else if (name === "MonthlyCharges") c[name] = Math.round((18 + rng() * 101) * 100) / 100;
    else if (name === "TotalCharges") c[name] = Math.round(rng() * 870000) / 100;
    else if (name === "SeniorCitizen") c[name] = rng() < 0.5 ? 0 : 1;
    else {
      const spec = columnSpec(name);
      const levels = spec.kind === "category" ? spec.levels : [];
      c[name] = levels[Math.floor(rng() * levels.length)] ?? null;
    }
  }
  return c as unknown as Customer;
}

describe("ONNX export: the derived features and the pipeline, column for column", () => {
  test("every derived feature has a lowering", () => {
    assert.deepEqual([...LOWERED_FEATURES].sort(), DERIVED_FEATURES.map((f) => f.name).sort());
  });

  for (const scale of ["none", "all"] as const) {
    test(`the pipeline graph (scale ${scale}, every missing indicator) equals FeaturePipeline.transform on the export and on 3,000 random customers`, async () => {
      const rng = seedrandom("onnx-pipeline");
      const random = Array.from({ length: 3000 }, (_, i) => randomCustomer(rng, i));
      // Fitted on a mix, so that unseen levels (a level only the random customers have) are exercised too.
      const pipeline = FeaturePipeline.fit([...cleaned().slice(0, 2000), ...random.slice(0, 500)], { scale, missingIndicators: "all" });
      const session = await OnnxSession.create(pipelineOnnx(pipeline.toJSON()));
      try {
        for (const customers of [
          cleaned(),
          random,
          [testCustomer({ tenure: 0, TotalCharges: null }), testCustomer({ tenure: 0, MonthlyCharges: null })],
        ]) {
          const out = await session.runAll(customers);
          const F = out["features"]?.data as Float64Array;
          const d = pipeline.featureNames.length;
          assert.equal(F.length, customers.length * d);
          customers.forEach((c, i) => {
            const x = pipeline.transform(c);
            for (let j = 0; j < d; j++) {
              if (x[j] !== F[i * d + j])
                assert.fail(`${c.customerID} ${pipeline.featureNames[j]}: TypeScript ${x[j]}, ONNX ${F[i * d + j]}`);
            }
          });
        }
      } finally {
        await session.close();
      }
    });
  }

  test("a float that is not a two-decimal value is used as its float32 widening", async () => {
    const pipeline = FeaturePipeline.fit(cleaned().slice(0, 500), { derived: [] });
    const session = await OnnxSession.create(pipelineOnnx(pipeline.toJSON()));
    try {
      const c = testCustomer({ MonthlyCharges: 70.123456 });
      const F = (await session.runAll([c]))["features"]?.data as Float64Array;
      const j = pipeline.featureNames.indexOf("MonthlyCharges");
      assert.equal(F[j], Math.fround(70.123456));
    } finally {
      await session.close();
    }
  });
});

describe("ONNX export: calibrators, and what cannot be exported", () => {
  const base = memo(async () => loadModelFile(path.join(await fixture("export-random_forest"), "model.json")));

  /** The model file with its scorer wrapped in a calibrator fitted on the export's labeled customers. */
  async function calibrated(kind: "platt" | "isotonic"): Promise<{ file: ModelFile; scorer: CalibratedScorer }> {
    const { file } = await base();
    const raw = file.scorer.type === "calibrated" ? file.scorer.base : file.scorer;
    const uncal = loadScorer(raw);
    const labeled = cleaned().filter((c) => c.Churn !== null);
    const p = uncal.score(labeled);
    const y = labeled.map(churnLabel);
    const calibrator = (kind === "platt" ? new PlattCalibrator() : new IsotonicCalibrator()).fit(y, p);
    const wrapped = new CalibratedScorer(uncal, calibrator);
    const serialized: SerializedScorer = wrapped.toJSON();
    return { file: { ...file, scorer: serialized }, scorer: wrapped };
  }

  for (const kind of ["platt", "isotonic"] as const) {
    test(`${kind} calibration: the graph matches on all 7,043 customers`, async () => {
      const { file, scorer } = await calibrated(kind);
      const out = await score(exportOnnx(file).bytes, cleaned());
      const diff = maxDiff(scorer.score(cleaned()), out.probability);
      assert.ok(diff <= PARITY_TOLERANCE, `largest difference ${diff}`);
    });
  }

  test("k-NN is refused with the reason", async () => {
    const { file } = await base();
    const train = cleaned()
      .filter((c) => c.Churn !== null)
      .slice(0, 300);
    const knn = PipelineScorer.fit("knn", "knn", { k: 5 }, { scale: "all" }, train, train.map(churnLabel));
    assert.throws(
      () => exportOnnx({ ...file, name: "knn", scorer: knn.toJSON() }),
      (err: unknown) =>
        err instanceof ExportError &&
        err.exitCode === 2 &&
        /k-NN cannot be exported to ONNX: it scores a customer by an exact scan of every training customer \(300 training customers/.test(
          err.message,
        ),
    );
  });
});

describe("churn train --families", () => {
  test("parses family lists and refuses what it cannot train, naming it", () => {
    assert.deepEqual(parseFamilies("xgboost"), { families: ["xgboost"], candidates: "families" });
    assert.deepEqual(parseFamilies(" random_forest , logistic_regression "), {
      families: ["logistic_regression", "random_forest"],
      candidates: "families",
    });
    assert.deepEqual(parseFamilies("logistic_regression,xgboost,ensemble"), {
      families: ["logistic_regression", "xgboost"],
      candidates: "ensemble",
    });
    assert.throws(
      () => parseFamilies("xgboost,svm"),
      /unknown family "svm"; known: logistic_regression, random_forest, knn, xgboost, ensemble/,
    );
    assert.throws(() => parseFamilies("xgboost,xgboost"), /names xgboost twice/);
    assert.throws(() => parseFamilies("xgboost,ensemble"), /an ensemble needs at least two member families, got xgboost/);
    assert.throws(() => parseFamilies(" , "), /needs at least one of/);
  });

  for (const { family, fixture: name } of FAMILY_FIXTURES) {
    test(`${family}: only the named candidates are tuned and selected`, async () => {
      const metrics = JSON.parse(fs.readFileSync(path.join(await fixture(name), "metrics.json"), "utf8")) as {
        best_model: string;
        selection: { candidates: { name: string }[] };
        tuning: { family: string }[];
      };
      assert.equal(metrics.best_model, family);
      const expected = family === "ensemble" ? ["ensemble"] : [family];
      assert.deepEqual(
        metrics.selection.candidates.map((c) => c.name),
        expected,
      );
      const tuned = new Set(metrics.tuning.map((t) => t.family));
      assert.deepEqual([...tuned].sort(), family === "ensemble" ? ["logistic_regression", "random_forest", "xgboost"] : [family]);
    });
  }
});
