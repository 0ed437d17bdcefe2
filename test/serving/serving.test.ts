// The serving path: model-file integrity, the prediction service's rules, out-of-distribution checks, and the HTTP API
// through Fastify's inject (no socket).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import { cleanFile } from "../../lib/cleaning";
import { explainCustomer } from "../../lib/inspection/explain";
import { ModelFileError, loadModelFile, modelChecksum, modelVersion, parseModelFile } from "../../lib/artifact/model-file";
import { NOVELTY_WARN_PERCENTILE } from "../../lib/serving/ood";
import { NoveltyScorer, chargesRatio, quantileRank } from "../../lib/artifact/reference";
import { type Customer, FEATURE_COLUMNS } from "../../lib/core/schema";
import { buildApp } from "../../lib/serving/app";
import { jsonDepth } from "../../lib/serving/body";
import { MAX_BATCH } from "../../lib/serving/schemas";
import { PredictionService } from "../../lib/serving/service";
import { fixture } from "../fixtures";
import { exampleCustomer, memo, rawFile, reasonProblems } from "../support";

const trained = memo(async () => path.join(await fixture("telco"), "model.json"));
const customers = memo(() => cleanFile(rawFile("telco-customer-churn.csv")).customers);

/** A customer as the API receives it: IBM names, JSON types. */
function asRecord(c: Customer): Record<string, unknown> {
  const { Churn: _label, ...rest } = c;
  return { ...rest };
}

/** The first customer of the IBM file, with its ID, as an API client sends it. */
const FIRST: Record<string, unknown> = { customerID: "7590-VHVEG", ...exampleCustomer() };

describe("model file", () => {
  test("carries a checksum over its content, a version, a creation time and a data fingerprint", async () => {
    const text = fs.readFileSync(await trained(), "utf8");
    const file = JSON.parse(text) as Record<string, unknown>;
    assert.match(String(file["checksum"]), /^[0-9a-f]{64}$/);
    assert.equal(file["checksum"], modelChecksum(file));
    assert.ok(!Number.isNaN(Date.parse(String(file["createdAt"]))));
    assert.match(String((file["training"] as Record<string, unknown>)["dataSha256"]), /^[0-9a-f]{64}$/);
    const { file: loaded } = parseModelFile(text, "test");
    assert.equal(modelVersion(loaded), `${loaded.name}@${loaded.checksum.slice(0, 12)}`);
  });

  test("refuses a flipped digit, a truncated file, a missing file and a missing field, naming the problem", async () => {
    const modelPath = await trained();
    const text = fs.readFileSync(modelPath, "utf8");
    const file = JSON.parse(text) as Record<string, unknown>;
    const threshold = file["threshold"] as number;
    const tampered = JSON.stringify({ ...file, threshold: threshold / 2 });
    assert.throws(
      () => parseModelFile(tampered, "t"),
      (e: unknown) => e instanceof ModelFileError && /checksum does not match/.test(e.message),
    );
    assert.throws(
      () => parseModelFile(text.slice(0, text.length / 2), "half"),
      (e: unknown) => e instanceof ModelFileError && /cannot read model half/.test(e.message),
    );
    assert.throws(() => loadModelFile(path.join(os.tmpdir(), "no-such-model.json")), /no such file/);
    const { training: _t, ...noFingerprint } = file;
    const resealed = { ...noFingerprint, checksum: modelChecksum(noFingerprint) };
    assert.throws(() => parseModelFile(JSON.stringify(resealed), "x"), /no training-data fingerprint/);
    // Pretty-printing or compacting the file keeps it valid: the checksum is over content, not bytes.
    assert.doesNotThrow(() => parseModelFile(JSON.stringify(file), "compact"));
  });
});

describe("reference statistics used by the out-of-distribution checks", () => {
  test("quantileRank inverts a quantile table and clamps outside it", () => {
    const levels = [0, 0.5, 1];
    const values = [10, 20, 40];
    assert.equal(quantileRank(values, levels, 5), 0);
    assert.equal(quantileRank(values, levels, 15), 0.25);
    assert.equal(quantileRank(values, levels, 30), 0.75);
    assert.equal(quantileRank(values, levels, 99), 1);
  });

  test("chargesRatio is TotalCharges over tenure x MonthlyCharges, null when undefined", () => {
    assert.equal(chargesRatio({ tenure: 10, MonthlyCharges: 50, TotalCharges: 400 }), 0.8);
    assert.equal(chargesRatio({ tenure: 0, MonthlyCharges: 50, TotalCharges: 0 }), null);
    assert.equal(chargesRatio({ tenure: 5, MonthlyCharges: null, TotalCharges: 100 }), null);
  });

  test("novelty: training-like customers score like training (few flagged), distorted ones are flagged", async () => {
    const { file } = loadModelFile(await trained());
    const novelty = new NoveltyScorer(file.reference.novelty);
    const all = customers();
    const percentiles = all.map((c) => novelty.percentile(novelty.distance(c)));
    const flagged = percentiles.filter((p) => p > NOVELTY_WARN_PERCENTILE).length / all.length;
    // The training rows are 80% of this file: the flag rate must stay near the 0.5% the threshold is set for.
    assert.ok(flagged < 0.02, `flag rate ${flagged} on the training distribution`);
    // A fiber customer paying a DSL-without-services price, with everything else typical, is far from training.
    const odd = {
      ...(all[0] as Customer),
      InternetService: "Fiber optic",
      MonthlyCharges: 19,
      TotalCharges: 19 * 70,
      tenure: 70,
      StreamingTV: "Yes",
      StreamingMovies: "Yes",
      TechSupport: "Yes",
      OnlineSecurity: "Yes",
      DeviceProtection: "Yes",
      OnlineBackup: "Yes",
    } as Customer;
    assert.ok(novelty.percentile(novelty.distance(odd)) > NOVELTY_WARN_PERCENTILE);
  });
});

describe("prediction service", () => {
  const service = memo(async () => PredictionService.load(await trained()));

  test("scores exactly what the model scores on the cleaned customer, for every IBM customer", async () => {
    const s = await service();
    for (const c of customers().slice(0, 500)) {
      const out = s.predict(asRecord(c), { reasons: 0 });
      assert.ok(out.ok, JSON.stringify(!out.ok && out.errors));
      assert.equal(out.prediction.churn_probability, s.scorer.scoreOne(c));
      assert.equal(out.prediction.churn, out.prediction.churn_probability >= s.threshold);
    }
  });

  test("messy spellings give the same answer as IBM spellings", async () => {
    const s = await service();
    const clean = s.predict(FIRST);
    const messy = s.predict({
      "Customer ID": "7590 vhveg",
      Gender: "F",
      senior_citizen: "no",
      partner: "Y",
      dependents: "N",
      "Tenure (months)": "1 month",
      phone_service: "no",
      MultipleLines: "no phone service",
      InternetService: "dsl",
      OnlineSecurity: "No",
      OnlineBackup: "yes",
      DeviceProtection: "no",
      TechSupport: "no",
      StreamingTV: "no",
      StreamingMovies: "no",
      Contract: "month to month",
      PaperlessBilling: "yes",
      PaymentMethod: "electronic check",
      MonthlyCharges: "$29.85",
      TotalCharges: "29,85 €".replace(",", "."),
    });
    assert.ok(clean.ok && messy.ok, JSON.stringify(messy));
    assert.equal(messy.prediction.churn_probability, clean.prediction.churn_probability);
    assert.equal(messy.prediction.customerID, "7590-VHVEG");
  });

  test("reasons add up with the model's own explanation and name real fields", async () => {
    const s = await service();
    const out = s.predict(FIRST, { reasons: 5 });
    assert.ok(out.ok);
    assert.equal(out.prediction.reasons.length, 5);
    const sizes = out.prediction.reasons.map((r) => Math.abs(r.contribution));
    assert.deepEqual(
      sizes,
      [...sizes].sort((a, b) => b - a),
      "strongest first",
    );
    for (const r of out.prediction.reasons) assert.ok(r.text.startsWith(`${r.field} is ${r.value}`));
    // The API's lean path gives exactly explainCustomer's reasons (decision-path method).
    for (const c of customers().slice(0, 60)) {
      const api = s.predict(asRecord(c), { reasons: 4 });
      assert.ok(api.ok);
      const full = explainCustomer(s.scorer, c, 4, { trees: "path" }).reasons.map((r) => ({
        field: r.field,
        value: r.value,
        contribution: r.contribution,
        unit: r.unit,
        text: r.text,
      }));
      assert.deepEqual(api.prediction.reasons, full);
    }
  });

  test("reasons name raw customer fields, each once, strongest first, and add up to the whole attribution", async () => {
    const s = await service();
    const all = FEATURE_COLUMNS.length;
    for (const c of customers().slice(0, 200)) {
      const out = s.predict(asRecord(c), { reasons: all });
      assert.ok(out.ok);
      const { reasons } = out.prediction;
      assert.deepEqual(reasonProblems(reasons), [], String(c.customerID));
      // No derived feature or one-hot level is left out of the sum either: every raw field's share adds up to the
      // model's output minus its expected value, the total of the per-column contributions.
      const e = explainCustomer(s.scorer, c, 0, { trees: "path" });
      const total = reasons.reduce((t, r) => t + r.contribution, 0);
      assert.ok(Math.abs(total - (e.output - e.expectedValue)) < 1e-9, `${c.customerID}: ${total} vs ${e.output - e.expectedValue}`);
      const top = s.predict(asRecord(c));
      assert.ok(top.ok);
      assert.deepEqual(top.prediction.reasons, reasons.slice(0, 3), "the default three are the strongest of the full list");
    }
  });

  test("risk bands follow the campaign plan saved with the model, and the threshold and churn rate without one", async () => {
    const s = await service();
    const { file } = loadModelFile(await trained());
    const plan = file.business.campaign;
    assert.ok(plan, "churn train saves the campaign plan");
    assert.ok(plan.watchThreshold <= plan.contactThreshold);
    assert.equal(s.riskBand(plan.contactThreshold), "high");
    if (plan.watchThreshold < plan.contactThreshold) assert.equal(s.riskBand(plan.watchThreshold), "medium");
    assert.equal(s.riskBand(Math.max(0, plan.watchThreshold - 1e-6)), "low");
    const { campaign: _dropped, ...business } = file.business;
    const old = new PredictionService({ ...file, business }, s.scorer);
    assert.equal(old.riskBand(old.threshold), "high");
    assert.equal(old.riskBand(Math.max(0, old.baseRate - 0.01)), "low");
    if (old.threshold > old.baseRate) assert.equal(old.riskBand((old.threshold + old.baseRate) / 2), "medium");
  });

  test("refuses impossible values and wrong types, naming every bad field at once", async () => {
    const s = await service();
    const out = s.predict({ ...FIRST, tenure: -5, MonthlyCharges: "abc", TotalCharges: { x: 1 }, Contract: ["a"] });
    assert.ok(!out.ok);
    assert.deepEqual(out.errors.map((e) => e.field).sort(), ["Contract", "MonthlyCharges", "TotalCharges", "tenure"]);
    assert.match(out.errors.find((e) => e.field === "tenure")?.message ?? "", /out of range/);
    const notObject = s.predict([FIRST]);
    assert.ok(!notObject.ok && notObject.errors[0]?.field === "(body)");
    const tooFew = s.predict({ tenure: 3, Contract: "One year" });
    assert.ok(!tooFew.ok && /at least \d+ are needed/.test(tooFew.errors[0]?.message ?? ""));
    const twice = s.predict({ ...FIRST, "Tenure (months)": 4 });
    assert.ok(!twice.ok && /name tenure/.test(twice.errors[0]?.message ?? ""));
  });

  test("scores with warnings: missing (imputed), unknown category, unknown field, impossible combination, charges mismatch, out of range", async () => {
    const s = await service();
    const { TechSupport: _dropped, ...withoutTechSupport } = FIRST;
    const out = s.predict({
      ...withoutTechSupport,
      PaymentMethod: "Crypto",
      loyalty_tier: "gold",
      InternetService: "No",
      OnlineBackup: "Yes",
      tenure: 70,
      MonthlyCharges: 20,
      TotalCharges: 5000,
    });
    assert.ok(out.ok, JSON.stringify(out));
    const codes = new Map(out.prediction.warnings.map((w) => [`${w.code}:${w.field}`, w.message]));
    assert.ok(codes.has("unseen_category:PaymentMethod"), [...codes.keys()].join(" "));
    assert.ok(codes.has("missing_imputed:PaymentMethod") === false, "an unknown value is reported once, as unseen");
    assert.ok(codes.has("unknown_field:loyalty_tier"));
    assert.ok(codes.has("inconsistent_combination:OnlineBackup"));
    assert.ok(codes.has("total_charges_mismatch:TotalCharges"), [...codes.keys()].join(" "));
    const beyond = s.predict({ ...FIRST, tenure: 300, TotalCharges: 300 * 29.85 });
    assert.ok(beyond.ok && beyond.prediction.warnings.some((w) => w.code === "outside_training_range" && w.field === "tenure"));
    const plain = s.predict(FIRST);
    assert.ok(plain.ok);
    assert.deepEqual(plain.prediction.warnings, [], "an ordinary IBM customer gets no warning");
  });

  test("a missing field is imputed and flagged; the answer equals the model on the customer with that field missing", async () => {
    const s = await service();
    const { TechSupport: _dropped, ...partial } = FIRST;
    const out = s.predict(partial, { reasons: 0 });
    assert.ok(out.ok);
    assert.ok(out.prediction.warnings.some((w) => w.code === "missing_imputed" && w.field === "TechSupport"));
    assert.equal(
      out.prediction.churn_probability,
      s.scorer.scoreOne({ ...(FIRST as unknown as Customer), Churn: null, TechSupport: null }),
    );
  });
});

describe("HTTP API (inject)", () => {
  let app: FastifyInstance;
  before(async () => {
    app = await buildApp({ service: PredictionService.load(await trained()) });
  });
  after(async () => {
    await app.close();
  });
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: "POST",
      url,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      headers: { "content-type": "application/json", ...headers },
    });

  test("POST /predict answers the documented fields and a request id", async () => {
    const r = await post("/predict", FIRST, { "x-request-id": "abc-123" });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers["x-request-id"], "abc-123");
    const body = r.json<Record<string, unknown>>();
    for (const key of ["churn_probability", "churn", "threshold", "risk_band", "reasons", "model_version", "warnings"])
      assert.ok(key in body, key);
    assert.ok((body["reasons"] as unknown[]).length === 3);
    const absurd = await post("/predict", FIRST, { "x-request-id": "x".repeat(500) });
    assert.match(String(absurd.headers["x-request-id"]), /^[0-9a-f-]{36}$/, "an overlong id is replaced by a UUID");
    const every = await post(`/predict?reasons=${FEATURE_COLUMNS.length}`, FIRST);
    assert.deepEqual(reasonProblems(every.json<{ reasons: { field: string; contribution: number }[] }>().reasons), []);
    const batch = await post(`/predict/batch?reasons=${FEATURE_COLUMNS.length}`, {
      customers: customers()
        .slice(0, 20)
        .map((c) => asRecord(c)),
    });
    for (const result of batch.json<{ results: { prediction: { reasons: { field: string; contribution: number }[] } }[] }>().results)
      assert.deepEqual(reasonProblems(result.prediction.reasons), []);
    const none = await post("/predict?reasons=0", FIRST);
    assert.deepEqual(none.json<Record<string, unknown>>()["reasons"], []);
    assert.equal((await post("/predict?reasons=-1", FIRST)).statusCode, 400);
  });

  test("every bad-input class gets a 4xx JSON body naming the problem, never a 5xx", async () => {
    const cases: [string, () => Promise<{ statusCode: number; json: () => unknown }>, number, RegExp][] = [
      ["malformed JSON", () => post("/predict", '{"tenure": 1,'), 400, /malformed_json/],
      ["empty body", () => post("/predict", ""), 400, /empty_body/],
      ["__proto__", () => post("/predict", '{"__proto__": {"polluted": true}, "tenure": 1}'), 400, /forbidden_key/],
      ["constructor.prototype", () => post("/predict", '{"constructor": {"prototype": {"polluted": true}}}'), 400, /forbidden_key/],
      ["nesting", () => post("/predict", "[".repeat(3000) + "]".repeat(3000)), 400, /too_deep/],
      ["wrong type", () => post("/predict", { ...FIRST, tenure: [1] }), 422, /tenure/],
      ["impossible value", () => post("/predict", { ...FIRST, MonthlyCharges: -20 }), 422, /MonthlyCharges/],
      ["array body", () => post("/predict", [FIRST]), 422, /JSON object/],
      ["oversized body", () => post("/predict", { ...FIRST, note: "x".repeat(20_000) }), 413, /body_too_large/],
      [
        "oversized batch",
        () => post("/predict/batch", { customers: Array.from({ length: MAX_BATCH + 1 }, () => ({ tenure: 1 })) }),
        413,
        /batch_too_large/,
      ],
      ["batch not an array", () => post("/predict/batch", { customers: "all" }), 422, /customers/],
      [
        "text body",
        () => app.inject({ method: "POST", url: "/predict", payload: "tenure=1", headers: { "content-type": "text/plain" } }),
        415,
        /unsupported_media_type/,
      ],
      ["unknown route", () => app.inject({ method: "GET", url: "/predictions" }), 404, /not_found/],
      ["wrong method", () => app.inject({ method: "GET", url: "/predict" }), 405, /method_not_allowed.*POST/],
    ];
    for (const [name, send, status, pattern] of cases) {
      const r = await send();
      assert.equal(r.statusCode, status, name);
      assert.match(JSON.stringify(r.json()), pattern, name);
      assert.match(JSON.stringify(r.json()), /request_id/, name);
    }
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined, "no prototype was polluted");
    assert.equal((await app.inject({ method: "GET", url: "/health" })).statusCode, 200);
  });

  test("POST /predict/batch scores good rows and reports bad ones by index", async () => {
    const r = await post("/predict/batch", { customers: [FIRST, { ...FIRST, tenure: "x" }, 7, { ...FIRST, customerID: "0002-ORFBO" }] });
    assert.equal(r.statusCode, 200);
    const body = r.json<{ scored: number; refused: number; results: { index: number; ok: boolean; errors?: { field: string }[] }[] }>();
    assert.equal(body.scored, 2);
    assert.equal(body.refused, 2);
    assert.deepEqual(
      body.results.map((x) => x.ok),
      [true, false, false, true],
    );
    assert.equal(body.results[1]?.errors?.[0]?.field, "tenure");
  });

  test("GET /health, /ready, /model, /docs/json and /metrics", async () => {
    assert.deepEqual((await app.inject({ method: "GET", url: "/health" })).json(), { status: "ok" });
    assert.equal((await app.inject({ method: "GET", url: "/ready" })).statusCode, 200);
    const model = (await app.inject({ method: "GET", url: "/model" })).json<Record<string, unknown>>();
    assert.equal((model["features"] as unknown[]).length, 19);
    assert.equal(typeof model["threshold"], "number");
    // The bands /model describes are the ones /predict applies.
    const bands = model["risk_bands"] as { high: string; medium: string };
    const limit = (text: string): number => Number(/>= ([0-9.e-]+)/.exec(text)?.[1]);
    const answered = (await post("/predict", FIRST)).json<{ churn_probability: number; risk_band: string }>();
    const p = answered.churn_probability;
    assert.equal(answered.risk_band, p >= limit(bands.high) ? "high" : p >= limit(bands.medium) ? "medium" : "low");
    assert.ok(limit(bands.high) > limit(bands.medium), JSON.stringify(bands));
    const docs = (await app.inject({ method: "GET", url: "/docs/json" })).json<{ paths: Record<string, unknown> }>();
    for (const p of ["/predict", "/predict/batch", "/health", "/ready", "/model", "/metrics"]) assert.ok(p in docs.paths, p);
    await post("/predict", { ...FIRST, PaymentMethod: "Crypto" });
    const metrics = (await app.inject({ method: "GET", url: "/metrics" })).body;
    assert.match(metrics, /churn_http_requests_total\{route="\/predict",method="POST",status="200"\} \d+/);
    assert.match(metrics, /churn_http_request_duration_seconds_bucket/);
    assert.match(metrics, /churn_prediction_probability_bucket/);
    assert.match(metrics, /churn_input_warnings_total\{code="unseen_category"\} [1-9]/);
  });

  test("jsonDepth counts nesting and stops early", () => {
    assert.equal(jsonDepth(1), 0);
    assert.equal(jsonDepth({ a: [1, { b: 2 }] }), 3);
    assert.equal(jsonDepth(JSON.parse("[".repeat(500) + "]".repeat(500)), 8), 9);
  });
});
