// Prometheus metrics of the API: their registry, the hooks that count requests and latencies, and, under
// `churn serve --workers N`, one exposition summed over every worker (prom-client's AggregatorRegistry in the primary,
// asked by the worker that answers the scrape), so counters never look reset between scrapes.
import cluster from "node:cluster";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Prediction, PredictionService } from "./service";

export interface ServingMetrics {
  registry: Registry;
  requests: Counter;
  latency: Histogram;
  probability: Histogram;
  predictions: Counter;
  refused: Counter;
  warnings: Counter;
  /** Counts one scored customer: its probability, risk band and warnings. */
  record(p: Prediction): void;
  /** The exposition to answer a scrape with: this process's, or the whole cluster's when it is a worker. */
  exposition(): Promise<{ contentType: string; text: string }>;
}

const METRICS_REQUEST = "churn:metrics-request";
const METRICS_REPLY = "churn:metrics-reply";

export function createMetrics(service: PredictionService): ServingMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "churn_process_" });
  // prom-client names three gauges with a _total suffix, which `promtool check metrics` refuses (a _total is a counter
  // to Prometheus); they are left out rather than exposed under a misleading name.
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
    registry.removeSingleMetric(`churn_process_${name}`);
  const registers = [registry];
  const requests = new Counter({
    name: "churn_http_requests_total",
    help: "HTTP requests by route and status code",
    labelNames: ["route", "method", "status"],
    registers,
  });
  const latency = new Histogram({
    name: "churn_http_request_duration_seconds",
    help: "Time from request received to response sent, by route",
    labelNames: ["route"],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
    registers,
  });
  const probability = new Histogram({
    name: "churn_prediction_probability",
    help: "Distribution of predicted churn probabilities (for prediction drift)",
    buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
    registers,
  });
  const predictions = new Counter({
    name: "churn_predictions_total",
    help: "Customers scored, by risk band",
    labelNames: ["risk_band"],
    registers,
  });
  const refused = new Counter({ name: "churn_refused_customers_total", help: "Customers refused with field errors", registers });
  const warnings = new Counter({
    name: "churn_input_warnings_total",
    help: "Out-of-distribution and data-quality warnings, by code",
    labelNames: ["code"],
    registers,
  });
  // Every worker serves the same model: the cluster's value is one worker's, not their sum.
  new Gauge({
    name: "churn_model_info",
    help: "The model being served (value 1)",
    labelNames: ["model_version", "created_at"],
    registers,
    aggregator: "first",
  })
    .labels(service.version, service.file.createdAt)
    .set(1);
  // 1 per process; summed over the cluster, it says how many workers the scrape covers.
  new Gauge({
    name: "churn_server_processes",
    help: "Server processes whose metrics this exposition sums",
    registers,
    aggregator: "sum",
  }).set(1);
  if (cluster.isWorker) {
    new AggregatorRegistry(); // installs prom-client's answer to the primary's requests
    AggregatorRegistry.setRegistries([registry]);
  }
  return {
    registry,
    requests,
    latency,
    probability,
    predictions,
    refused,
    warnings,
    record(p) {
      probability.observe(p.churn_probability);
      predictions.labels(p.risk_band).inc();
      for (const w of p.warnings) warnings.labels(w.code).inc();
    },
    async exposition() {
      if (!cluster.isWorker || !process.send) return { contentType: registry.contentType, text: await registry.metrics() };
      return { contentType: registry.contentType, text: await askPrimary() };
    },
  };
}

let nextRequest = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();

/** A worker asks the primary for the cluster's exposition (the primary gathers every worker's registry). */
function askPrimary(): Promise<string> {
  if (pending.size === 0) process.on("message", onReply);
  const id = nextRequest++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error("the primary did not answer the metrics request within 5 s"));
    }, 5000);
    pending.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (err) => (clearTimeout(timer), reject(err)),
    });
    process.send?.({ type: METRICS_REQUEST, id });
  });
}

function onReply(message: unknown): void {
  const m = message as { type?: string; id?: number; text?: string; error?: string };
  if (m?.type !== METRICS_REPLY || typeof m.id !== "number") return;
  const waiter = pending.get(m.id);
  pending.delete(m.id);
  if (pending.size === 0) process.off("message", onReply);
  if (!waiter) return;
  if (typeof m.text === "string") waiter.resolve(m.text);
  else waiter.reject(new Error(m.error ?? "no metrics from the primary"));
}

/** In the cluster's primary: answers a worker's metrics request with every worker's metrics, summed. */
export function aggregateWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_REPLY, id: message.id, text }),
      (err: unknown) => worker.send({ type: METRICS_REPLY, id: message.id, error: (err as Error).message }),
    );
  });
}

/** Counts every response by route, method and status, times it by route, and logs one line per request. */
export const metricsPlugin = fp(
  (app: FastifyInstance, opts: { metrics: ServingMetrics }, done: (err?: Error) => void) => {
    const { metrics } = opts;
    // Callback-style hooks: no promise per request on the hot path; labelled children cached (bounded by routes x
    // methods x status codes).
    const counters = new Map<string, { inc: () => void }>();
    const histograms = new Map<string, { observe: (v: number) => void }>();
    app.addHook("onRequest", (request, reply, next) => {
      void reply.header("x-request-id", String(request.id));
      next();
    });
    app.addHook("onResponse", (request, reply, next) => {
      const route = request.routeOptions.url ?? "unmatched";
      const key = `${route} ${request.method} ${reply.statusCode}`;
      let counter = counters.get(key);
      if (!counter) counters.set(key, (counter = metrics.requests.labels(route, request.method, String(reply.statusCode))));
      counter.inc();
      let histogram = histograms.get(route);
      if (!histogram) histograms.set(route, (histogram = metrics.latency.labels(route)));
      histogram.observe(reply.elapsedTime / 1000);
      // One structured line per request; pino adds the request id (reqId) to every line of a request.
      request.log.info(
        { method: request.method, url: request.url, status: reply.statusCode, ms: Number(reply.elapsedTime.toFixed(3)) },
        "request",
      );
      next();
    });
    done();
  },
  { name: "churn-metrics" },
);
