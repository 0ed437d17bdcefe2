// GET /health, /ready, /model and /metrics: liveness, readiness, the served model, Prometheus.
import type { FastifyInstance } from "fastify";
import { FEATURE_COLUMNS } from "../../core/schema";
import type { ServingMetrics } from "../metrics";
import { OOD_POLICY } from "../ood";
import type { PredictionService } from "../service";

export interface StatusRoutesOptions {
  service: PredictionService;
  metrics: ServingMetrics;
  /** Whether the app is serving: false while starting and once closing began. */
  isReady: () => { ready: boolean; closing: boolean };
}

export function statusRoutes(app: FastifyInstance, opts: StatusRoutesOptions, done: (err?: Error) => void): void {
  const { service, metrics, isReady } = opts;
  app.get("/health", { schema: { summary: "Liveness: the process answers" } }, (_request, reply) => reply.send({ status: "ok" }));
  app.get("/ready", { schema: { summary: "Readiness: the model is loaded and the server is not shutting down" } }, (_request, reply) => {
    const { ready, closing } = isReady();
    if (!ready || closing) return reply.code(503).send({ status: closing ? "shutting_down" : "starting" });
    return reply.send({ status: "ready", model_version: service.version });
  });
  app.get("/model", { schema: { summary: "The served model: version, threshold, test metrics, features, policy" } }, (_request, reply) => {
    const f = service.file;
    return reply.send({
      model_version: service.version,
      name: f.name,
      created_at: f.createdAt,
      project_version: f.version,
      schema_version: f.schemaVersion,
      checksum: f.checksum,
      threshold: f.threshold,
      risk_bands: f.business?.campaign
        ? {
            high: `probability >= ${service.bands.high} (the campaign plan's contact threshold)`,
            medium: `probability >= ${service.bands.medium} (the next group of the same size)`,
            low: "otherwise",
          }
        : {
            high: `probability >= ${service.bands.high} (the model's threshold)`,
            medium: `probability >= ${service.bands.medium} (training churn rate)`,
            low: "otherwise",
          },
      training: f.training,
      metrics: f.metrics,
      features: FEATURE_COLUMNS.map((name) => {
        const ref = f.reference.columns[name];
        return ref?.kind === "numeric"
          ? { name, kind: "numeric", training_range: [ref.quantiles[0], ref.quantiles[ref.quantiles.length - 1]] }
          : { name, kind: "category", levels: ref ? Object.keys(ref.levels) : [] };
      }),
      ood_policy: OOD_POLICY,
    });
  });
  app.get(
    "/metrics",
    { schema: { summary: "Prometheus metrics (summed over every worker under --workers N)" } },
    async (_request, reply) => {
      const { contentType, text } = await metrics.exposition();
      void reply.header("content-type", contentType);
      return text;
    },
  );
  done();
}
