// `churn serve`: the HTTP API. Loads only the serving modules (lib/serving), so the server is ready in milliseconds.
import { type Command, Option } from "commander";
import { type Out, integerOption } from "./shared";

export function registerServe(program: Command, _out: Out): void {
  program
    .command("serve")
    .description(
      "Serve the model over HTTP: POST /predict, POST /predict/batch, GET /health, /ready, /model, /metrics " +
        "(Prometheus) and OpenAPI docs at /docs. JSON logs on stdout, one line per request with its request id. " +
        "SIGTERM/SIGINT stop it gracefully (in-flight requests finish).",
    )
    .requiredOption("--model <file>", "model.json written by churn train")
    .option("--port <n>", "TCP port (0: any free port)", "8000")
    .option("--host <address>", "interface to listen on", "127.0.0.1")
    .option("--workers <n>", "processes sharing the port (node:cluster); 1 runs in this process", "1")
    .addOption(
      new Option("--log-level <level>", "pino log level")
        .choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
        .default("info"),
    )
    .action(async (opts: { model: string; port: string; host: string; workers: string; logLevel: string }) => {
      const port = integerOption("--port", opts.port, 0, 65535);
      const workers = integerOption("--workers", opts.workers, 1, 64);
      const { serveWorkers } = await import("../serving/cluster.js");
      // The model is verified before forking, so a bad file fails once, with its error and exit code 2; a single
      // process serves the model it verified.
      const { PredictionService } = await import("../serving/service.js");
      const { loadModelFile } = await import("../artifact/model-file.js");
      const service = workers === 1 ? PredictionService.load(opts.model) : (loadModelFile(opts.model), undefined);
      await serveWorkers({
        ...(service ? { service } : {}),
        modelPath: opts.model,
        port,
        host: opts.host,
        logLevel: opts.logLevel,
        workers,
      });
    });
}
