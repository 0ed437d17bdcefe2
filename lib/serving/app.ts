// The churn HTTP API as a Fastify app built by a factory (tests use `inject`, no socket), assembled in Fastify's
// order: plugins (body parsing, errors, metrics, docs), then the routes. Requests are validated against the route
// schemas; the service's own checks then name every bad value.
import { randomUUID } from "node:crypto";
import type { Ajv, ValidateFunction } from "ajv";
import Fastify, { LogController, type FastifyInstance, type FastifySchemaCompiler, type FastifyServerOptions } from "fastify";
import { bodyPlugin } from "./body";
import { forwardDocs, registerDocs } from "./docs";
import { errorsPlugin } from "./errors";
import { type ServingMetrics, createMetrics, metricsPlugin } from "./metrics";
import { predictRoutes } from "./routes/predict";
import { statusRoutes } from "./routes/status";
import { BATCH_BODY_LIMIT, MAX_BATCH } from "./schemas";
import type { PredictionService } from "./service";

/** Accepted caller-supplied request ids. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

export interface AppOptions {
  service: PredictionService;
  /** Pino logger options, true for defaults, false for none. */
  logger?: boolean | { level?: string; stream?: NodeJS.WritableStream };
  maxBatch?: number;
  /** Per-request timeout in ms: a client that stalls sending its body is cut off after this. */
  requestTimeoutMs?: number;
  /** Metrics to count into (default: a registry of this app's own). */
  metrics?: ServingMetrics;
  /**
   * "forwarded" (the default): /docs is answered by a second app, built with the docs on the first request for them,
   * which keeps their 40 ms out of the start; "inline": this app registers the docs itself.
   */
  docs?: "forwarded" | "inline";
}

/**
 * Bodies are validated as sent (no coercion: `"tenure": [1]` stays an array and is refused); query strings are text,
 * so they are coerced (`?reasons=2` is the integer 2) and their defaults filled in. Every issue is reported at once.
 */
export function validators(): { body: Ajv; query: Ajv } {
  // Loaded on first use (ajv is about 60 modules, 12 ms of start-up): see lazyCompilers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on demand
  const { Ajv } = require("ajv") as typeof import("ajv");
  const common = { allErrors: true, strict: false, useDefaults: true } as const;
  return { body: new Ajv({ ...common, coerceTypes: false }), query: new Ajv({ ...common, coerceTypes: true }) };
}

/** A validator compiled on its first use, exposing each run's `errors` as ajv's own function does. */
function lazyValidator(compile: () => ValidateFunction): ((data: unknown) => boolean) & { errors?: ValidateFunction["errors"] } {
  let fn: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    fn ??= compile();
    const ok = fn(data);
    validate.errors = fn.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction["errors"];
  return validate;
}

/**
 * Request validators and response serializers (fast-json-stringify, as Fastify's default) compile on their first use,
 * not at start-up: compiling the schemas of every route and status code was most of the time to ready, and the first
 * request of a route pays a few milliseconds instead.
 */
type SelectorModule = typeof import("@fastify/fast-json-stringify-compiler");
function serializerSelector(): SelectorModule["SerializerSelector"] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on first use
  const mod = require("@fastify/fast-json-stringify-compiler") as SelectorModule;
  return mod.SerializerSelector;
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>;

function lazyCompilers(): CompilersFactory {
  let ajv: { body: Ajv; query: Ajv } | undefined;
  const buildValidator = (): FastifySchemaCompiler<object> => (route) =>
    lazyValidator(() => {
      ajv ??= validators();
      return (route.httpPart === "body" ? ajv.body : ajv.query).compile(route.schema);
    });
  return {
    // Fastify types this factory after its default compiler's own copy of ajv; the function shape is the same.
    buildValidator: buildValidator as unknown as CompilersFactory["buildValidator"],
    buildSerializer: (externalSchemas, options) => {
      let build: ReturnType<ReturnType<SelectorModule["SerializerSelector"]>> | undefined;
      return (route) => {
        let serialize: ((data: unknown) => string) | undefined;
        return (data: unknown) => {
          if (!serialize) {
            build ??= serializerSelector()()(externalSchemas, options);
            serialize = build(route);
          }
          return serialize(data);
        };
      };
    },
  };
}

/** Builds the app; it is ready when the promise resolves. The service is shared: requests never mutate it. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { service } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // Our validators replace Fastify's default compiler (never loaded); both compile lazily (lazyCompilers).
    schemaController: { compilersFactory: lazyCompilers() },
    // Fastify's own two lines per request are replaced by one line in the metrics plugin.
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
  });

  const metrics = options.metrics ?? createMetrics(service);
  let ready = false;
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });

  await app.register(bodyPlugin);
  await app.register(errorsPlugin);
  await app.register(metricsPlugin, { metrics });
  if (options.docs === "inline") await registerDocs(app, service.version);
  else forwardDocs(app, () => buildApp({ ...options, logger: false, metrics: createMetrics(service), docs: "inline" }));
  await app.register(predictRoutes, { service, metrics, maxBatch: options.maxBatch ?? MAX_BATCH });
  await app.register(statusRoutes, { service, metrics, isReady: () => ({ ready, closing }) });

  await app.ready();
  ready = true;
  return app;
}
