// The route schemas are the contract: Fastify validates with them, and they agree with the service's own structural
// checks (recordErrors) on every kind of body, so a request is refused by both or by neither.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import { FEATURE_COLUMNS } from "../../lib/core/schema";
import { buildApp, validators } from "../../lib/serving/app";
import { customerSchema, predictionSchema } from "../../lib/serving/schemas";
import { MAX_FIELDS, MAX_VALUE_LENGTH, PredictionService, recordErrors } from "../../lib/serving/service";
import { fixture } from "../fixtures";
import { exampleCustomer, memo, reasonProblems } from "../support";

const trained = memo(async () => path.join(await fixture("telco"), "model.json"));

const CUSTOMER: Record<string, unknown> = exampleCustomer();

const BODIES: [string, unknown][] = [
  ["a clean customer", CUSTOMER],
  [
    "messy spellings and numbers as text",
    { ...CUSTOMER, gender: "F", tenure: "12 months", MonthlyCharges: "$29,85", Contract: "month to month" },
  ],
  ["missing values as null", { ...CUSTOMER, tenure: null, TotalCharges: null }],
  ["booleans", { ...CUSTOMER, SeniorCitizen: true, Partner: false }],
  ["an unknown field", { ...CUSTOMER, note: "called twice" }],
  ["an empty object", {}],
  ["an array value", { ...CUSTOMER, tenure: [1] }],
  ["an object value", { ...CUSTOMER, Contract: { kind: "monthly" } }],
  ["a long string", { ...CUSTOMER, PaymentMethod: "x".repeat(MAX_VALUE_LENGTH + 1) }],
  ["a string at the limit", { ...CUSTOMER, PaymentMethod: "x".repeat(MAX_VALUE_LENGTH) }],
  ["a long field name", { ...CUSTOMER, ["k".repeat(MAX_VALUE_LENGTH + 1)]: 1 }],
  ["too many fields", Object.fromEntries(Array.from({ length: MAX_FIELDS + 1 }, (_, i) => [`f${i}`, i]))],
  ["as many fields as allowed", Object.fromEntries(Array.from({ length: MAX_FIELDS }, (_, i) => [`f${i}`, i]))],
  ["an array body", [CUSTOMER]],
  ["a string body", "tenure=1"],
  ["a number body", 7],
  ["null", null],
];

describe("the customer schema", () => {
  const validate = validators().body.compile(customerSchema);
  for (const [name, body] of BODIES) {
    test(`agrees with recordErrors: ${name}`, () => {
      const problems = recordErrors(body);
      assert.equal(
        validate(body),
        problems.length === 0,
        `schema ${validate(body) ? "accepts" : "refuses"}, recordErrors says ${JSON.stringify(problems)}`,
      );
    });
  }
});

describe("validation in the app", () => {
  let app: FastifyInstance;
  let service: PredictionService;
  before(async () => {
    service = PredictionService.load(await trained());
    app = await buildApp({ service });
  });
  after(async () => {
    await app.close();
  });
  const post = (url: string, payload: unknown) =>
    app.inject({ method: "POST", url, payload: JSON.stringify(payload), headers: { "content-type": "application/json" } });

  test("a structurally bad customer is a 422 naming every bad field, in the service's words", async () => {
    const body = { ...CUSTOMER, tenure: [1], Contract: { kind: "monthly" }, PaymentMethod: "x".repeat(MAX_VALUE_LENGTH + 1) };
    const r = await post("/predict", body);
    assert.equal(r.statusCode, 422);
    const answer = r.json<{ error: string; fields: { field: string; message: string }[] }>();
    assert.equal(answer.error, "invalid_customer");
    assert.deepEqual(answer.fields, recordErrors(body));
    assert.deepEqual(answer.fields.map((f) => f.field).sort(), ["Contract", "PaymentMethod", "tenure"]);
  });

  test("the reasons query string is validated by its schema: coerced from text, bounded, defaulted", async () => {
    const reasonsOf = async (query: string): Promise<number> =>
      (await post(`/predict${query}`, CUSTOMER)).json<{ reasons: unknown[] }>().reasons.length;
    assert.equal(await reasonsOf(""), 3);
    assert.equal(await reasonsOf("?reasons=1"), 1);
    for (const bad of ["?reasons=abc", "?reasons=-1", `?reasons=${FEATURE_COLUMNS.length + 1}`, "?reasons=1.5"]) {
      const r = await post(`/predict${bad}`, CUSTOMER);
      assert.equal(r.statusCode, 400, bad);
      const answer = r.json<{ error: string; fields: { field: string }[] }>();
      assert.equal(answer.error, "bad_query", bad);
      assert.deepEqual(
        answer.fields.map((f) => f.field),
        ["reasons"],
        bad,
      );
    }
    const batch = await post("/predict/batch?reasons=2", { customers: [CUSTOMER] });
    assert.equal(batch.json<{ results: { prediction: { reasons: unknown[] } }[] }>().results[0]?.prediction.reasons.length, 2);
  });

  test("answers agree with the prediction schema and the reason checks; a derived or one-hot reason fails both", async () => {
    const validate = validators().body.compile(predictionSchema);
    type Answer = { reasons: { field: string; value: string; contribution: number; unit: string; text: string }[] };
    const answer = (await post(`/predict?reasons=${FEATURE_COLUMNS.length}`, CUSTOMER)).json<Answer>();
    assert.ok(validate(answer), JSON.stringify(validate.errors));
    assert.deepEqual(reasonProblems(answer.reasons), []);
    const first = answer.reasons[0] as Answer["reasons"][number];
    const weakest = { ...first, contribution: 0 };
    for (const field of ["tenure_band", "contract_payment", "Contract=Month-to-month", "tenure_missing"]) {
      const doctored = { ...answer, reasons: [...answer.reasons.slice(1), { ...weakest, field }] };
      assert.equal(validate(doctored), false, `the schema refuses a reason on ${field}`);
      assert.notDeepEqual(reasonProblems(doctored.reasons), [], `the checks refuse a reason on ${field}`);
    }
    // A field named twice is something JSON Schema cannot state of an array of objects: the checks catch it.
    const twice = { ...answer, reasons: [...answer.reasons.slice(0, 2), { ...weakest, field: first.field }] };
    assert.deepEqual(reasonProblems(twice.reasons), [`${first.field} appears twice`]);
  });

  test("/docs is generated from the same schemas the app validates with", async () => {
    const docs = (await app.inject({ method: "GET", url: "/docs/json" })).json<{
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; schema: { maximum?: number } }[];
            requestBody?: { content: Record<string, { schema: { maxProperties?: number } }> };
          }
        >
      >;
    }>();
    const predict = docs.paths["/predict"]?.["post"];
    assert.equal(predict?.parameters?.find((p) => p.name === "reasons")?.schema.maximum, FEATURE_COLUMNS.length);
    assert.equal(predict?.requestBody?.content["application/json"]?.schema.maxProperties, MAX_FIELDS);
  });

  test("the docs UI is built on the first request for it, not at start, and is served whole", async () => {
    const fresh = await buildApp({ service });
    try {
      assert.equal(fresh.hasDecorator("swagger"), false, "the serving app registers no docs at start");
      const page = await fresh.inject({ method: "GET", url: "/docs/" });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers["content-type"]), /text\/html/);
      const script = /src="\.\/([^"]+\.js)"/.exec(page.body)?.[1];
      assert.ok(script, "the page loads a script");
      const asset = await fresh.inject({ method: "GET", url: `/docs/${script}` });
      assert.equal(asset.statusCode, 200, script);
      assert.ok(asset.rawPayload.length > 1000, `${script} has a body`);
      assert.equal((await fresh.inject({ method: "GET", url: "/docs/json" })).json<{ openapi: string }>().openapi.slice(0, 2), "3.");
    } finally {
      await fresh.close();
    }
  });
});
