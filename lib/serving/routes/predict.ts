// POST /predict and POST /predict/batch: one customer, or up to MAX_BATCH with each refused on its own.
import type { FastifyInstance } from "fastify";
import { errorBody } from "../errors";
import type { ServingMetrics } from "../metrics";
import {
  PREDICT_BODY_LIMIT,
  batchResponseSchema,
  batchSchema,
  customerSchema,
  errorSchema,
  predictionSchema,
  reasonsQuery,
} from "../schemas";
import type { PredictionService } from "../service";

export interface PredictRoutesOptions {
  service: PredictionService;
  metrics: ServingMetrics;
  maxBatch: number;
}

export function predictRoutes(app: FastifyInstance, opts: PredictRoutesOptions, done: (err?: Error) => void): void {
  const { service, metrics, maxBatch } = opts;

  app.post<{ Querystring: { reasons: number } }>(
    "/predict",
    {
      bodyLimit: PREDICT_BODY_LIMIT,
      schema: {
        summary: "Score one customer",
        querystring: reasonsQuery(3),
        body: customerSchema,
        response: { 200: predictionSchema, 400: errorSchema, 413: errorSchema, 422: errorSchema },
      },
    },
    async (request, reply) => {
      const outcome = service.predict(request.body, { reasons: request.query.reasons });
      if (!outcome.ok) {
        metrics.refused.inc();
        return reply
          .code(422)
          .send(errorBody(request, "invalid_customer", `${outcome.errors.length} problem(s) with the customer`, outcome.errors));
      }
      metrics.record(outcome.prediction);
      return outcome.prediction;
    },
  );

  app.post<{ Querystring: { reasons: number }; Body: { customers: unknown[] } }>(
    "/predict/batch",
    {
      schema: {
        summary: `Score up to ${maxBatch} customers; a refused customer gets its errors without failing the others`,
        querystring: reasonsQuery(0),
        body: batchSchema(maxBatch),
        response: { 200: batchResponseSchema(), 400: errorSchema, 413: errorSchema, 422: errorSchema },
      },
    },
    (request, reply) => {
      const { customers } = request.body;
      const reasons = request.query.reasons;
      let scored = 0;
      const results = customers.map((c, index) => {
        const outcome = service.predict(c, { reasons });
        if (!outcome.ok) {
          metrics.refused.inc();
          return { index, ok: false, errors: outcome.errors };
        }
        scored++;
        metrics.record(outcome.prediction);
        return { index, ok: true, prediction: outcome.prediction };
      });
      return reply.send({ model_version: service.version, scored, refused: customers.length - scored, results });
    },
  );
  done();
}
