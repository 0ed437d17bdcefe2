// `churn serve`: one process, or a node:cluster primary with N workers sharing the port; graceful stop on SIGTERM and
// SIGINT (in-flight requests finish), and /metrics summed over the workers.
import cluster from "node:cluster";
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app";
import { aggregateWorkerMetrics } from "./metrics";
import { PredictionService } from "./service";

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
 * One process, or a primary that forks `workers` processes (each loads the model itself), restarts a worker that
 * dies, forwards SIGTERM/SIGINT for a graceful stop, and answers the workers' requests for the cluster's metrics.
 */
export async function serveWorkers(
  options: Omit<ServeOptions, "service"> & { modelPath: string; workers: number; service?: PredictionService },
): Promise<void> {
  if (options.workers <= 1 || cluster.isWorker) {
    await serve({ ...options, service: options.service ?? PredictionService.load(options.modelPath) });
    return;
  }
  aggregateWorkerMetrics();
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
}
