// The churn HTTP API: a Fastify app built by a factory (tests use `inject`, no socket), and `serve` for the CLI.
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import sjson from "secure-json-parse";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { OOD_POLICY } from "./ood";
import { COLUMNS, FEATURE_COLUMNS } from "../core/schema";
import { type FieldError, FORBIDDEN_KEYS, type Prediction, PredictionService } from "./service";

/** Largest body accepted by POST /predict (one customer is ~700 bytes of JSON). */
export const PREDICT_BODY_LIMIT = 16 * 1024;
/** Largest body accepted by POST /predict/batch. */
export const BATCH_BODY_LIMIT = 1024 * 1024;
/** Most customers in one batch request. */
export const MAX_BATCH = 1000;
/** Accepted caller-supplied request ids. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;
/** Deepest JSON nesting accepted anywhere (a customer is depth 1, a batch depth 2). */
export const MAX_DEPTH = 8;

export interface AppOptions {
  service: PredictionService;
  /** Pino logger options, true for defaults, false for none. */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  maxBatch?: number;
  /** Per-request timeout in ms: a client that stalls sending its body is cut off after this. */
  requestTimeoutMs?: number;
}

export interface ApiError {
  error: string;
  message: string;
  fields?: FieldError[];
  request_id: string;
}

/** Depth of a parsed JSON value, stopping as soon as `limit` is exceeded (so an absurd body costs little). */
export function jsonDepth(value: unknown, limit = MAX_DEPTH): number {
  const stack: [unknown, number][] = [[value, 1]];
  let max = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== "object" || v === null) continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Finds a forbidden key anywhere in a parsed value (secure-json-parse already refuses __proto__ and constructor.prototype). */
function forbiddenKey(value: unknown, depth = 0): string | null {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return null;
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) return k;
    const inner = forbiddenKey(v, depth + 1);
    if (inner) return inner;
  }
  return null;
}

function metricsFor(registry: Registry) {
  return {
    requests: new Counter({ name: "churn_http_requests_total", help: "HTTP requests by route and status code", labelNames: ["route", "method", "status"], registers: [registry] }),
    latency: new Histogram({
      name: "churn_http_request_duration_seconds",
      help: "Time from request received to response sent, by route",
      labelNames: ["route"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers: [registry],
    }),
    probability: new Histogram({
      name: "churn_prediction_probability",
      help: "Distribution of predicted churn probabilities (for prediction drift)",
      buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers: [registry],
    }),
    predictions: new Counter({ name: "churn_predictions_total", help: "Customers scored, by risk band", labelNames: ["risk_band"], registers: [registry] }),
    refused: new Counter({ name: "churn_refused_customers_total", help: "Customers refused with field errors", registers: [registry] }),
    warnings: new Counter({ name: "churn_input_warnings_total", help: "Out-of-distribution and data-quality warnings, by code", labelNames: ["code"], registers: [registry] }),
    info: new Gauge({ name: "churn_model_info", help: "The model being served (value 1)", labelNames: ["model_version", "created_at"], registers: [registry] }),
  };
}

function errorBody(request: FastifyRequest, error: string, message: string, fields?: FieldError[]): ApiError {
  return fields ? { error, message, fields, request_id: String(request.id) } : { error, message, request_id: String(request.id) };
}

const customerProperties = Object.fromEntries(
  COLUMNS.filter((c) => c.name !== "Churn").map((c) => [c.name, { type: ["string", "number", "boolean", "null"], description: c.description }]),
);
const customerSchema = {
  type: "object",
  description: "One customer in IBM field names; other spellings of names and values are accepted (see cleaning rules).",
  properties: customerProperties,
  additionalProperties: true,
  example: {
    customerID: "7590-VHVEG", gender: "Female", SeniorCitizen: 0, Partner: "Yes", Dependents: "No", tenure: 1,
    PhoneService: "No", MultipleLines: "No phone service", InternetService: "DSL", OnlineSecurity: "No", OnlineBackup: "Yes",
    DeviceProtection: "No", TechSupport: "No", StreamingTV: "No", StreamingMovies: "No", Contract: "Month-to-month",
    PaperlessBilling: "Yes", PaymentMethod: "Electronic check", MonthlyCharges: 29.85, TotalCharges: 29.85,
  },
};
const warningSchema = { type: "object", properties: { code: { type: "string" }, field: { type: ["string", "null"] }, message: { type: "string" } } };
const predictionSchema = {
  type: "object",
  properties: {
    customerID: { type: ["string", "null"] },
    churn_probability: { type: "number" },
    churn: { type: "boolean" },
    threshold: { type: "number" },
    risk_band: { type: "string", enum: ["low", "medium", "high"] },
    reasons: {
      type: "array",
      items: { type: "object", properties: { field: { type: "string" }, value: { type: "string" }, contribution: { type: "number" }, unit: { type: "string" }, text: { type: "string" } } },
    },
    model_version: { type: "string" },
    warnings: { type: "array", items: warningSchema },
    novelty: { type: "number" },
  },
};
const errorSchema = {
  type: "object",
  properties: {
    error: { type: "string" },
    message: { type: "string" },
    fields: { type: "array", items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } } },
    request_id: { type: "string" },
  },
};

/** Builds the app; call `ready()` (or `listen`) before use. The service is shared: requests never mutate it. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { service } = options;
  const maxBatch = options.maxBatch ?? MAX_BATCH;
  const app = Fastify({
    logger: options.logger ?? false,
    // Fastify's own two lines per request are replaced by one line in onResponse.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BATCH_BODY_LIMIT,
    requestTimeout: options.requestTimeoutMs ?? 10_000,
    connectionTimeout: options.requestTimeoutMs ?? 10_000,
    forceCloseConnections: "idle",
    // During shutdown, requests on open connections are still served (drained); /ready answers 503 (preClose hook).
    return503OnClosing: false,
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    // A caller's x-request-id is kept only when it is a short token; anything else gets a fresh UUID.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Our own checks name every bad field; schemas below document the API and are not used to reject requests.
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(() => () => true);
  // JSON bodies through secure-json-parse with prototype-poisoning keys refused, so the answer can say which problem
  // it was (Fastify's default parser reports every failure as the same generic message).
  app.removeAllContentTypeParsers(); // JSON only: anything else is a 415
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === "") {
      done(Object.assign(new Error("the body is empty; send a JSON object"), { statusCode: 400, code: "empty_body" }), undefined);
      return;
    }
    try {
      done(null, sjson.parse(text, { protoAction: "error", constructorAction: "error" }));
    } catch (err) {
      const message = (err as Error).message;
      const poisoned = /prototype/i.test(message);
      done(
        Object.assign(new Error(poisoned ? `the body uses a forbidden key (__proto__ or constructor.prototype): ${message}` : `the body is not valid JSON: ${message}`), {
          statusCode: 400,
          code: poisoned ? "forbidden_key" : "malformed_json",
        }),
        undefined,
      );
    }
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "churn_process_" });
  const m = metricsFor(registry);
  m.info.labels(service.version, service.file.createdAt).set(1);
  let ready = false;
  let closing = false;

  await app.register(swagger, {
    openapi: {
      info: {
        title: "Churn prediction API",
        version: service.version,
        description:
          "Scores telecom customers for churn risk with the model trained by `churn train`. Bad input is answered with a 4xx " +
          "naming each bad field. Out-of-distribution policy:\n\n" +
          OOD_POLICY.map((r) => `- **${r.action}**: ${r.finding} (${r.rule})`).join("\n"),
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  // Callback-style hooks: no promise per request on the hot path; labelled metric children cached (bounded by routes
  // x methods x status codes).
  const requestCounters = new Map<string, { inc: () => void }>();
  const latencyByRoute = new Map<string, { observe: (v: number) => void }>();
  app.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-request-id", String(request.id));
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.routeOptions.url ?? "unmatched";
    const key = `${route} ${request.method} ${reply.statusCode}`;
    let counter = requestCounters.get(key);
    if (!counter) {
      counter = m.requests.labels(route, request.method, String(reply.statusCode));
      requestCounters.set(key, counter);
    }
    counter.inc();
    let histogram = latencyByRoute.get(route);
    if (!histogram) {
      histogram = m.latency.labels(route);
      latencyByRoute.set(route, histogram);
    }
    histogram.observe(reply.elapsedTime / 1000);
    // One structured line per request; pino adds the request id (reqId) to every line of a request.
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode, ms: Number(reply.elapsedTime.toFixed(3)) }, "request");
    done();
  });
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, "unhandled error");
      return reply.code(500).send(errorBody(request, "internal", "internal error; the request id identifies it in the logs"));
    }
    let code = error.code && /^[a-z_]+$/.test(error.code) ? error.code : "bad_request";
    let message = error.message;
    if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      code = "body_too_large";
      message = `request body is larger than the limit of ${request.routeOptions.bodyLimit ?? BATCH_BODY_LIMIT} bytes`;
    } else if (error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
      code = "unsupported_media_type";
      message = "send the body as application/json";
    } else if (error.code === "FST_ERR_CTP_EMPTY_JSON_BODY") {
      code = "empty_body";
      message = "the body is empty; send a JSON object";
    }
    return reply.code(status).send(errorBody(request, code, message));
  });
  // A known path with another method is a 405 naming the allowed methods; anything else a 404.
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const set = methodsByPath.get(route.url) ?? new Set<string>();
    for (const m of methods) set.add(m);
    methodsByPath.set(route.url, set);
  });
  app.setNotFoundHandler((request, reply) => {
    const allowed = methodsByPath.get(request.url.split("?")[0] ?? "");
    if (allowed && !allowed.has(request.method)) {
      const allow = [...allowed].sort().join(", ");
      void reply.code(405).header("allow", allow).send(errorBody(request, "method_not_allowed", `${request.method} is not allowed on ${request.url.split("?")[0]}; use ${allow}`));
      return;
    }
    void reply.code(404).send(errorBody(request, "not_found", `no route ${request.method} ${request.url}; see /docs`));
  });

  /** Checks the whole body before any scoring: nesting depth and forbidden keys anywhere. */
  const bodyProblem = (request: FastifyRequest, reply: FastifyReply): boolean => {
    // The common case, a flat object of primitives without a forbidden key, needs no deeper look.
    const body = request.body;
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      let flat = true;
      for (const k in body) {
        const v = (body as Record<string, unknown>)[k];
        if ((typeof v === "object" && v !== null) || FORBIDDEN_KEYS.has(k)) {
          flat = false;
          break;
        }
      }
      if (flat) return false;
    }
    const depth = jsonDepth(request.body);
    if (depth > MAX_DEPTH) {
      void reply.code(400).send(errorBody(request, "too_deep", `the body nests deeper than ${MAX_DEPTH} levels`));
      return true;
    }
    const key = forbiddenKey(request.body);
    if (key) {
      void reply.code(400).send(errorBody(request, "forbidden_key", `key ${JSON.stringify(key)} is not allowed`, [{ field: key, message: "forbidden key" }]));
      return true;
    }
    return false;
  };

  const record = (p: Prediction): void => {
    m.probability.observe(p.churn_probability);
    m.predictions.labels(p.risk_band).inc();
    for (const w of p.warnings) m.warnings.labels(w.code).inc();
  };

  const reasonsParam = (request: FastifyRequest): number | string => {
    const raw = (request.query as Record<string, unknown>)["reasons"];
    if (raw === undefined) return 3;
    const k = Number(raw);
    return Number.isInteger(k) && k >= 0 && k <= FEATURE_COLUMNS.length ? k : `reasons must be an integer from 0 to ${FEATURE_COLUMNS.length}`;
  };

  app.post(
    "/predict",
    {
      bodyLimit: PREDICT_BODY_LIMIT,
      schema: {
        summary: "Score one customer",
        querystring: { type: "object", properties: { reasons: { type: "integer", minimum: 0, default: 3, description: "number of reasons (0: none, fastest)" } } },
        body: customerSchema,
        response: { 200: predictionSchema, 400: errorSchema, 413: errorSchema, 422: errorSchema },
      },
    },
    async (request, reply) => {
      if (bodyProblem(request, reply)) return reply;
      const reasons = reasonsParam(request);
      if (typeof reasons === "string") return reply.code(400).send(errorBody(request, "bad_query", reasons, [{ field: "reasons", message: reasons }]));
      const outcome = service.predict(request.body, { reasons });
      if (!outcome.ok) {
        m.refused.inc();
        return reply.code(422).send(errorBody(request, "invalid_customer", `${outcome.errors.length} problem(s) with the customer`, outcome.errors));
      }
      record(outcome.prediction);
      return outcome.prediction;
    },
  );

  app.post(
    "/predict/batch",
    {
      schema: {
        summary: `Score up to ${maxBatch} customers; a refused customer gets its errors without failing the others`,
        querystring: { type: "object", properties: { reasons: { type: "integer", minimum: 0, default: 0 } } },
        body: { type: "object", required: ["customers"], properties: { customers: { type: "array", items: customerSchema, maxItems: maxBatch } } },
        response: {
          200: {
            type: "object",
            properties: {
              model_version: { type: "string" },
              scored: { type: "integer" },
              refused: { type: "integer" },
              results: {
                type: "array",
                items: {
                  type: "object",
                  properties: { index: { type: "integer" }, ok: { type: "boolean" }, prediction: predictionSchema, errors: errorSchema.properties.fields },
                },
              },
            },
          },
          400: errorSchema,
          413: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (request, reply) => {
      if (bodyProblem(request, reply)) return reply;
      const body = request.body as Record<string, unknown> | null;
      const customers = typeof body === "object" && body !== null && !Array.isArray(body) ? body["customers"] : undefined;
      if (!Array.isArray(customers)) {
        return reply.code(422).send(errorBody(request, "invalid_batch", 'expected {"customers": [...]}', [{ field: "customers", message: "must be an array of customer objects" }]));
      }
      if (customers.length > maxBatch) {
        return reply.code(413).send(errorBody(request, "batch_too_large", `${customers.length} customers; at most ${maxBatch} per request`, [{ field: "customers", message: `at most ${maxBatch} items` }]));
      }
      let reasons = 0;
      if ((request.query as Record<string, unknown>)["reasons"] !== undefined) {
        const r = reasonsParam(request);
        if (typeof r === "string") return reply.code(400).send(errorBody(request, "bad_query", r, [{ field: "reasons", message: r }]));
        reasons = r;
      }
      let scored = 0;
      const results = customers.map((c, index) => {
        const outcome = service.predict(c, { reasons });
        if (!outcome.ok) {
          m.refused.inc();
          return { index, ok: false, errors: outcome.errors };
        }
        scored++;
        record(outcome.prediction);
        return { index, ok: true, prediction: outcome.prediction };
      });
      return { model_version: service.version, scored, refused: customers.length - scored, results };
    },
  );

  app.get("/health", { schema: { summary: "Liveness: the process answers" } }, async () => ({ status: "ok" }));
  app.get("/ready", { schema: { summary: "Readiness: the model is loaded and the server is not shutting down" } }, async (_request, reply) => {
    if (!ready || closing) return reply.code(503).send({ status: closing ? "shutting_down" : "starting" });
    return { status: "ready", model_version: service.version };
  });
  app.get("/model", { schema: { summary: "The served model: version, threshold, test metrics, features, policy" } }, async () => {
    const f = service.file;
    return {
      model_version: service.version,
      name: f.name,
      created_at: f.createdAt,
      project_version: f.version,
      schema_version: f.schemaVersion,
      checksum: f.checksum,
      threshold: f.threshold,
      risk_bands: { high: `probability >= ${f.threshold}`, medium: `probability >= ${service.baseRate} (training churn rate)`, low: "otherwise" },
      training: f.training,
      metrics: f.metrics,
      features: FEATURE_COLUMNS.map((name) => {
        const ref = f.reference.columns[name];
        return ref?.kind === "numeric"
          ? { name, kind: "numeric", training_range: [ref.quantiles[0], ref.quantiles[ref.quantiles.length - 1]] }
          : { name, kind: "category", levels: ref ? Object.keys(ref.levels) : [] };
      }),
      ood_policy: OOD_POLICY,
    };
  });
  app.get("/metrics", { schema: { summary: "Prometheus metrics", hide: false } }, async (_request, reply) => {
    void reply.header("content-type", registry.contentType);
    return registry.metrics();
  });

  await app.ready();
  ready = true;
  return app;
}

export interface ServeOptions {
  service: PredictionService;
  port: number;
  host: string;
  logLevel: string;
  /** Milliseconds to wait for in-flight requests on SIGTERM/SIGINT before exiting anyway. */
  shutdownGraceMs?: number;
}

/** Listens until SIGTERM or SIGINT, then stops taking requests, finishes those in flight, and exits. */
export async function serve(options: ServeOptions): Promise<FastifyInstance> {
  const app = await buildApp({ service: options.service, logger: { level: options.logLevel } });
  await app.listen({ port: options.port, host: options.host });
  app.log.info({ model_version: options.service.version }, "serving");
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    const timer = setTimeout(() => {
      app.log.warn("grace period over; exiting with requests in flight");
      process.exit(1);
    }, options.shutdownGraceMs ?? 10_000);
    timer.unref();
    app.close().then(
      () => {
        app.log.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, "error while closing");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  return app;
}

/**
 * `churn serve`: one process, or a node:cluster primary with `workers` processes sharing the port (each loads the
 * model itself; the primary restarts a worker that dies and forwards SIGTERM/SIGINT for a graceful stop).
 */
export async function serveWorkers(options: Omit<ServeOptions, "service"> & { service: PredictionService; modelPath: string; workers: number }): Promise<void> {
  if (options.workers <= 1) {
    await serve(options);
    return;
  }
  if (cluster.isPrimary) {
    let stopping = false;
    for (let i = 0; i < options.workers; i++) cluster.fork();
    cluster.on("exit", (worker, code) => {
      if (!stopping) {
        process.stderr.write(`worker ${worker.process.pid} exited with ${code}; starting another\n`);
        cluster.fork();
      } else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
    const stop = (signal: NodeJS.Signals): void => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
    return;
  }
  await serve({ ...options, service: PredictionService.load(options.modelPath) });
}
