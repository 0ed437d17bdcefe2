// Bounded load and fault tests of the HTTP API on loopback: concurrent keep-alive load, every class of bad input
// answered with a named 4xx (and the server healthy afterward), a stalled client that does not block others and is cut
// off, and a graceful SIGTERM that lets an in-flight batch finish. No external load tools: Node's http and net only.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../lib/serving/app";
import { MAX_BATCH } from "../../lib/serving/schemas";
import { PredictionService } from "../../lib/serving/service";
import { fixture } from "../fixtures";
import { exampleCustomer, freePort, memo, repoRoot } from "../support";

const trained = memo(async () => path.join(await fixture("telco"), "model.json"));

/** One customer in IBM field names, as an API client sends it (the first of the IBM file). */
const CUSTOMER: Record<string, unknown> = { customerID: "7590-VHVEG", ...exampleCustomer() };
const CUSTOMER_JSON = JSON.stringify(CUSTOMER);

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/** One request on its own connection (or on `agent`); the body is sent as given, with the given content type. */
function send(
  port: number,
  method: string,
  urlPath: string,
  body?: string | Buffer,
  contentType: string | null = "application/json",
  agent?: http.Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = {};
    if (body !== undefined) {
      if (contentType !== null) headers["content-type"] = contentType;
      headers["content-length"] = Buffer.byteLength(body);
    }
    const req = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function listening(options: { requestTimeoutMs?: number } = {}): Promise<{ app: FastifyInstance; port: number }> {
  const service = PredictionService.load(await trained());
  const app = await buildApp({ service, logger: false, ...options });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, port: (app.server.address() as net.AddressInfo).port };
}

function assertPrediction(a: Answer, what: string): void {
  assert.equal(a.status, 200, `${what}: ${a.status} ${a.text.slice(0, 200)}`);
  assert.match(String(a.headers["x-request-id"] ?? ""), /\S/, `${what}: x-request-id header`);
  const p = (a.json as { churn_probability?: unknown }).churn_probability;
  assert.ok(typeof p === "number" && p >= 0 && p <= 1, `${what}: churn_probability ${String(p)}`);
}

describe("HTTP API under load and faults (loopback)", () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    ({ app, port } = await listening());
  });
  after(async () => {
    await app.close();
  });

  test("2,000 POST /predict over 16 concurrent keep-alive connections: all 200, valid, with request ids", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const sockets = new Set<unknown>();
    agent.on("free", (s) => sockets.add(s));
    const total = 2000;
    const ids = new Set<string>();
    const failures: string[] = [];
    let next = 0;
    const t0 = Date.now();
    // 16 loops, each sending its next request as soon as the previous one is answered.
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < total) {
          const i = next++;
          // Every fourth request asks for no reasons, the rest for the default 3: both paths under load.
          const a = await send(port, "POST", i % 4 === 0 ? "/predict?reasons=0" : "/predict", CUSTOMER_JSON, "application/json", agent);
          try {
            assertPrediction(a, `request ${i}`);
            const reasons = (a.json as { reasons: unknown[] }).reasons;
            assert.equal(reasons.length, i % 4 === 0 ? 0 : 3, `request ${i}: reasons`);
            ids.add(String(a.headers["x-request-id"]));
          } catch (err) {
            failures.push((err as Error).message);
          }
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    agent.destroy();
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests`);
    assert.equal(ids.size, total, "every response has its own request id");
    assert.ok(sockets.size <= 16 && sockets.size >= 1, `${sockets.size} sockets used`);
    // Generous bound (a loaded 2-core machine does >1,000/s); catches a server that serializes or stalls.
    assert.ok(seconds < 15, `${total} requests took ${seconds.toFixed(1)} s`);
  });

  test("every bad-input class gets a 4xx JSON naming the problem, never a 5xx, and the server stays healthy", async () => {
    // /predict takes 16 KB, so 10,000 levels go to /predict/batch (1 MB); /predict gets as deep as fits.
    const deepArray = "[".repeat(10_000) + "]".repeat(10_000);
    const deepObject = '{"a":'.repeat(2500) + "1" + "}".repeat(2500);
    const cases: {
      name: string;
      path?: string;
      body?: string;
      type?: string | null;
      status: number;
      error?: string | RegExp;
      field?: string;
    }[] = [
      { name: "malformed JSON", body: '{"tenure": 1,', status: 400, error: "malformed_json" },
      { name: "truncated string", body: '{"gender": "Fem', status: 400, error: "malformed_json" },
      {
        name: "tenure of the wrong type (object)",
        body: JSON.stringify({ ...CUSTOMER, tenure: { years: 1 } }),
        status: 422,
        error: "invalid_customer",
        field: "tenure",
      },
      {
        name: "tenure of the wrong type (array)",
        body: JSON.stringify({ ...CUSTOMER, tenure: [1] }),
        status: 422,
        error: "invalid_customer",
        field: "tenure",
      },
      {
        name: "MonthlyCharges not a number",
        body: JSON.stringify({ ...CUSTOMER, MonthlyCharges: "lots" }),
        status: 422,
        error: "invalid_customer",
        field: "MonthlyCharges",
      },
      {
        name: "impossible tenure -5",
        body: JSON.stringify({ ...CUSTOMER, tenure: -5 }),
        status: 422,
        error: "invalid_customer",
        field: "tenure",
      },
      {
        name: "impossible TotalCharges",
        body: JSON.stringify({ ...CUSTOMER, TotalCharges: -1 }),
        status: 422,
        error: "invalid_customer",
        field: "TotalCharges",
      },
      {
        name: "fractional tenure",
        body: JSON.stringify({ ...CUSTOMER, tenure: 1.5 }),
        status: 422,
        error: "invalid_customer",
        field: "tenure",
      },
      {
        name: "infinite-looking number",
        body: JSON.stringify({ ...CUSTOMER }).replace('"tenure":1', '"tenure":1e999'),
        status: 422,
        error: "invalid_customer",
        field: "tenure",
      },
      {
        name: "value longer than 200 characters",
        body: JSON.stringify({ ...CUSTOMER, gender: "F".repeat(300) }),
        status: 422,
        error: "invalid_customer",
        field: "gender",
      },
      { name: "too few usable fields", body: '{"tenure": 3}', status: 422, error: "invalid_customer", field: "(body)" },
      { name: "body over 16 KB", body: JSON.stringify({ ...CUSTOMER, note: "x".repeat(17 * 1024) }), status: 413, error: "body_too_large" },
      {
        name: `batch of ${MAX_BATCH + 1} customers`,
        path: "/predict/batch",
        body: JSON.stringify({ customers: Array.from({ length: MAX_BATCH + 1 }, () => CUSTOMER) }),
        status: 413,
        error: "batch_too_large",
        field: "customers",
      },
      { name: "__proto__ key", body: '{"__proto__": {"isAdmin": true}, "tenure": 1}', status: 400, error: "forbidden_key" },
      { name: "constructor.prototype key", body: '{"constructor": {"prototype": {}}}', status: 400, error: "forbidden_key" },
      {
        name: "constructor key alone",
        body: JSON.stringify({ ...CUSTOMER, constructor: "x" }),
        status: 400,
        error: "forbidden_key",
        field: "constructor",
      },
      {
        name: "__proto__ inside a batch",
        path: "/predict/batch",
        body: `{"customers": [{"__proto__": {"polluted": 1}}]}`,
        status: 400,
        error: "forbidden_key",
      },
      {
        name: "10,000 levels of [ on /predict/batch",
        path: "/predict/batch",
        body: deepArray,
        status: 400,
        error: /too_deep|malformed_json/,
      },
      { name: "10,000 levels of [ on /predict (over 16 KB)", body: deepArray, status: 413, error: "body_too_large" },
      { name: "8,000 levels of [ on /predict", body: "[".repeat(8000) + "]".repeat(8000), status: 400, error: "too_deep" },
      { name: "10,000 unclosed [", path: "/predict/batch", body: "[".repeat(10_000), status: 400, error: "malformed_json" },
      { name: "2,500 nested objects", body: deepObject, status: 400, error: /too_deep|malformed_json/ },
      {
        name: "customer nested 9 deep in a batch",
        path: "/predict/batch",
        body: JSON.stringify({ customers: [{ a: [[[[[[[1]]]]]]] }] }),
        status: 400,
        error: "too_deep",
      },
      {
        name: "500,000 levels of [ on /predict/batch",
        path: "/predict/batch",
        body: "[".repeat(500_000) + "]".repeat(500_000),
        status: 400,
        error: /too_deep|malformed_json/,
      },
      { name: "text/plain content type", body: CUSTOMER_JSON, type: "text/plain", status: 415, error: "unsupported_media_type" },
      {
        name: "form content type",
        body: "tenure=1",
        type: "application/x-www-form-urlencoded",
        status: 415,
        error: "unsupported_media_type",
      },
      { name: "empty body", body: "", status: 400, error: "empty_body" },
      { name: "whitespace body", body: "  \n ", status: 400, error: "empty_body" },
      { name: "a JSON array", body: `[${CUSTOMER_JSON}]`, status: 422, error: "invalid_customer", field: "(body)" },
      { name: "a JSON string", body: '"hello"', status: 422, error: "invalid_customer", field: "(body)" },
      { name: "a JSON number", body: "42", status: 422, error: "invalid_customer", field: "(body)" },
      { name: "JSON null", body: "null", status: 422, error: "invalid_customer", field: "(body)" },
      {
        name: "batch that is not an object",
        path: "/predict/batch",
        body: "[1, 2]",
        status: 422,
        error: "invalid_batch",
        field: "customers",
      },
      { name: "bad reasons query", path: "/predict?reasons=-1", body: CUSTOMER_JSON, status: 400, error: "bad_query", field: "reasons" },
      { name: "unknown route", path: "/predict/nope", body: CUSTOMER_JSON, status: 404, error: "not_found" },
    ];
    const problems: string[] = [];
    for (const c of cases) {
      let a: Answer;
      try {
        a = await send(port, "POST", c.path ?? "/predict", c.body, c.type === undefined ? "application/json" : c.type);
      } catch (err) {
        problems.push(`${c.name}: request failed: ${(err as Error).message}`);
        continue;
      }
      const body = a.json as { error?: unknown; message?: unknown; request_id?: unknown; fields?: { field: string }[] } | undefined;
      const where = `${c.name}: got ${a.status} ${a.text.slice(0, 160)}`;
      if (a.status >= 500) problems.push(`${where} (a 5xx)`);
      else if (a.status !== c.status) problems.push(`${where}, expected ${c.status}`);
      else if (!String(a.headers["content-type"]).startsWith("application/json") || typeof body !== "object" || body === null)
        problems.push(`${where}: not a JSON answer`);
      else if (typeof body.message !== "string" || body.message === "") problems.push(`${where}: no message`);
      else if (typeof body.request_id !== "string" || body.request_id !== a.headers["x-request-id"])
        problems.push(`${where}: request_id missing or not the x-request-id header`);
      else if (c.error !== undefined && !(typeof c.error === "string" ? body.error === c.error : c.error.test(String(body.error))))
        problems.push(`${where}: error code ${String(body.error)}, expected ${String(c.error)}`);
      else if (c.field !== undefined && !(body.fields ?? []).some((f) => f.field === c.field))
        problems.push(`${where}: field ${c.field} not named`);
    }
    assert.deepEqual(problems, []);
    // Nothing polluted, and the server still answers.
    assert.equal(({} as Record<string, unknown>)["isAdmin"], undefined);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    const health = await send(port, "GET", "/health");
    assert.equal(health.status, 200);
    assertPrediction(await send(port, "POST", "/predict", CUSTOMER_JSON), "good /predict after the bad ones");
    // An unseen category is not refused: the documented policy scores it as missing, with a warning naming the field.
    const unseen = await send(port, "POST", "/predict", JSON.stringify({ ...CUSTOMER, SeniorCitizen: 7 }));
    assertPrediction(unseen, "unseen SeniorCitizen");
    const warnings = (unseen.json as { warnings: { code: string; field: string | null }[] }).warnings;
    assert.ok(
      warnings.some((w) => w.code === "unseen_category" && w.field === "SeniorCitizen"),
      JSON.stringify(warnings),
    );
    const metrics = await send(port, "GET", "/metrics");
    assert.equal(metrics.status, 200);
    assert.doesNotMatch(metrics.text, /churn_http_requests_total\{[^}]*status="5\d\d"/, "no 5xx counted in /metrics");
  });
});

describe("a stalled client (slowloris) on loopback", () => {
  test("does not block other clients, and is cut off after requestTimeoutMs", async () => {
    const { app, port } = await listening({ requestTimeoutMs: 2000 });
    const stalled: net.Socket[] = [];
    try {
      const outcomes = Array.from({ length: 10 }, () => ({ closedAt: 0, data: "" }));
      const t0 = Date.now();
      await Promise.all(
        outcomes.map(
          (o, i) =>
            new Promise<void>((resolve, reject) => {
              const s = net.connect(port, "127.0.0.1", () => {
                // Headers promise 1000 bytes; only the first 20 come.
                s.write(
                  `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n${CUSTOMER_JSON.slice(0, 20)}`,
                );
                resolve();
              });
              s.on("data", (d: Buffer) => (o.data += d.toString("utf8")));
              s.on("close", () => (o.closedAt = Date.now()));
              s.on("error", () => undefined);
              s.once("error", (err) => (i === 0 && o.closedAt === 0 ? reject(err) : undefined));
              stalled.push(s);
            }),
        ),
      );
      // While they stall, 50 normal requests (8 at a time) are answered promptly.
      const tStart = Date.now();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => send(port, "POST", "/predict", CUSTOMER_JSON, "application/json", agent)),
      );
      agent.destroy();
      const took = Date.now() - tStart;
      answers.forEach((a, i) => assertPrediction(a, `request ${i} beside the stalled clients`));
      assert.ok(took < 1500, `50 requests took ${took} ms beside stalled clients (the stall timeout is 2000 ms)`);
      assert.ok(
        outcomes.every((o) => o.closedAt === 0),
        "the stalled clients were not cut off before the timeout",
      );
      // Within a few seconds every stalled connection is closed (or answered 408).
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && outcomes.some((o) => o.closedAt === 0 && !o.data.startsWith("HTTP/1.1 408"))) await sleep(50);
      outcomes.forEach((o, i) => {
        assert.ok(o.closedAt > 0 || o.data.startsWith("HTTP/1.1 408"), `stalled socket ${i} still open after ${Date.now() - t0} ms`);
        assert.doesNotMatch(o.data, /^HTTP\/1\.1 [25]\d\d/, `stalled socket ${i} got ${o.data.slice(0, 40)}`);
      });
      // And the server still serves.
      assertPrediction(await send(port, "POST", "/predict", CUSTOMER_JSON), "after the stall");
    } finally {
      for (const s of stalled) s.destroy();
      await app.close();
    }
  });
});

describe("graceful shutdown of churn serve", () => {
  test("SIGTERM while a batch is in flight: the batch completes with 200, later requests get 503, exit code 0", async () => {
    const modelPath = await trained();
    const port = await freePort();
    const cli = path.join(repoRoot, "bin", "churn.js");
    const child = spawn(process.execPath, [cli, "serve", "--model", modelPath, "--port", String(port), "--log-level", "warn"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, at: Date.now() })),
    );
    try {
      const readyBy = Date.now() + 20_000;
      for (;;) {
        assert.equal(child.exitCode, null, `serve exited early: ${output}`);
        const ok = await send(port, "GET", "/ready").then(
          (a) => a.status === 200,
          () => false,
        );
        if (ok) break;
        assert.ok(Date.now() < readyBy, `serve not ready after 20 s: ${output}`);
        await sleep(100);
      }
      const body = JSON.stringify({
        customers: Array.from({ length: MAX_BATCH }, (_, i) => ({ ...CUSTOMER, customerID: `C-${i}`, tenure: i % 72 })),
      });
      // The batch request is in flight: headers and part of the body are sent, then SIGTERM, then the rest of the
      // body, followed by a pipelined GET /ready on the same connection (the only way to reach a closing server).
      const sock = net.connect(port, "127.0.0.1");
      let received = "";
      const closed = new Promise<void>((resolve) => sock.on("close", () => resolve()));
      sock.on("data", (d: Buffer) => (received += d.toString("utf8")));
      sock.on("error", () => undefined);
      await new Promise<void>((resolve) => sock.once("connect", () => resolve()));
      sock.write(
        `POST /predict/batch?reasons=3 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      sock.write(body.slice(0, 5000));
      await sleep(200);
      const sentAt = Date.now();
      child.kill("SIGTERM");
      await sleep(300);
      assert.equal(child.exitCode, null, "serve exited with a request in flight");
      // A new connection is refused (or answered 503) once closing.
      const fresh = await send(port, "GET", "/ready").then(
        (a) => a.status,
        () => "refused",
      );
      assert.ok(fresh === "refused" || fresh === 503, `GET /ready on a new connection while closing: ${fresh}`);
      sock.write(body.slice(5000));
      sock.write("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const exit = await Promise.race([exited, sleep(15_000).then(() => null)]);
      await Promise.race([closed, sleep(2000)]);
      sock.destroy();
      assert.ok(exit !== null, `serve did not exit within 15 s of SIGTERM: ${output}`);
      assert.equal(exit.code, 0, `exit code ${exit.code} (signal ${exit.signal}): ${output}`);
      assert.ok(exit.at - sentAt < 10_000, `exit took ${exit.at - sentAt} ms (the grace period is 10 s)`);
      // The batch answer: 200 with every customer scored.
      assert.match(received, /^HTTP\/1\.1 200 /, `in-flight batch: ${received.slice(0, 200)}`);
      const headEnd = received.indexOf("\r\n\r\n");
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, headEnd))?.[1]);
      assert.ok(length > 0, "batch answer has a content-length");
      const batch = JSON.parse(received.slice(headEnd + 4, headEnd + 4 + length)) as {
        scored: number;
        refused: number;
        results: { ok: boolean }[];
      };
      assert.equal(batch.scored, MAX_BATCH);
      assert.equal(batch.results.length, MAX_BATCH);
      // The pipelined /ready, if the server answered it before closing the connection, says 503.
      const rest = received.slice(headEnd + 4 + length);
      if (rest.length > 0) assert.match(rest, /^HTTP\/1\.1 503 /, `pipelined /ready while closing: ${rest.slice(0, 120)}`);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
