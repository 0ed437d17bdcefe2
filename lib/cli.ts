// The `churn` command line: each command is a thin shell over a library function, with --help for every one.
import { existsSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { ChurnTableError, cleanFile, writeCleanOutputs } from "./cleaning";
import { DataAcquisitionError, IBM_TELCO, TAKE_HOME_EXPORT, obtainDataset, verifyRawData } from "./data";
import { evaluateModel, formatEvaluation } from "./evaluate-model";
import { formatQualitySummary } from "./quality";
import { runStudy } from "./study";
import { registerPredictCommand } from "./batch";
import { registerDriftCommand } from "./drift";
import { serveWorkers } from "./server";
import { PredictionService } from "./service";
import { formatTrainSummary, train } from "./train";
import { Presets, SingleBar } from "cli-progress";

export const DEFAULT_RAW_DIR = path.join("data", "raw");
export const DEFAULT_OUT_DIR = "artifacts";

/** The export every command reads when none is named: CHURN_EXPORT_FILE, else the committed take-home export. */
export function defaultDataFile(env: NodeJS.ProcessEnv = process.env): string {
  const exportFile = env["CHURN_EXPORT_FILE"];
  return exportFile && exportFile.trim() !== "" ? exportFile : path.join(DEFAULT_RAW_DIR, TAKE_HOME_EXPORT.fileName);
}

export function buildProgram(out: (line: string) => void = (l) => console.log(l)): Command {
  const program = new Command("churn")
    .description("Customer-churn pipeline on the IBM Telco data: obtain, clean, and (later) train, evaluate and serve.")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command("data")
    .description(
      "Verify the committed raw data: the take-home export (data/raw/customer_churn_data.csv) and IBM's clean file " +
        "(data/raw/telco-customer-churn.csv), by sha256. --refresh downloads the clean file again from IBM's public URL; " +
        "--from (or CHURN_DATA_FILE) puts a local copy of it in place. Any copy whose checksum differs is refused.",
    )
    .option("--from <path>", "put this local copy of the clean IBM file in place (env: CHURN_DATA_FILE)")
    .option("--refresh", "download the clean IBM file again, even when the committed copy verifies")
    .option("--dest <dir>", "where the raw data lives", DEFAULT_RAW_DIR)
    .option("--url <url>", "download address of the clean file", IBM_TELCO.url)
    .option("--sha256 <hex>", "expected checksum of the clean file", IBM_TELCO.sha256)
    .option("--timeout <seconds>", "download timeout in seconds", "60")
    .action(async (opts: { from?: string; refresh?: boolean; dest: string; url: string; sha256: string; timeout: string }) => {
      const timeout = Number(opts.timeout);
      if (!(Number.isFinite(timeout) && timeout > 0)) throw new DataAcquisitionError(`--timeout must be a positive number of seconds, got ${opts.timeout}`);
      const given = opts.from !== undefined || (process.env["CHURN_DATA_FILE"] ?? "").trim() !== "";
      if (given || opts.refresh) {
        const result = await obtainDataset({
          ...(opts.from === undefined ? {} : { from: opts.from }),
          destDir: opts.dest,
          url: opts.url,
          sha256: opts.sha256,
          timeoutMs: timeout * 1000,
          refresh: Boolean(opts.refresh),
          log: out,
        });
        out(`data: ${result.path} (${result.source}, ${result.bytes} bytes, sha256 ${result.sha256.slice(0, 12)}...)`);
      }
      for (const v of await verifyRawData(opts.dest)) out(`data: ${v.file} verified (${v.bytes} bytes, sha256 ${v.sha256.slice(0, 12)}...)`);
    });

  program
    .command("clean")
    .description(
      "Clean a churn export into <out>/cleaned.csv (one row per customer, IBM names and spellings, empty where " +
        "missing or invalid) and <out>/quality-report.json, and print a quality summary.",
    )
    .addOption(
      new Option("--data <csv>", "the export to clean (default: CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv)"),
    )
    .option("--out <dir>", "output folder", DEFAULT_OUT_DIR)
    .option("--json", "print the full quality report as JSON instead of the summary")
    .action((opts: { data?: string; out: string; json?: boolean }) => {
      const file = opts.data ?? defaultDataFile();
      if (opts.data === undefined && !existsSync(file)) {
        throw new ChurnTableError(
          `nothing to clean: ${file} does not exist. Pass --data CSV or set CHURN_EXPORT_FILE; the committed export is restored by \`git checkout -- data/raw\`.`,
        );
      }
      const result = cleanFile(file);
      const written = writeCleanOutputs(result, opts.out);
      if (opts.json) out(JSON.stringify(result.report, null, 2));
      else {
        out(formatQualitySummary(result.report));
        out(`wrote ${written.cleaned}, ${written.report}${written.setAside ? `, ${written.setAside}` : ""}`);
      }
    });

  program
    .command("train")
    .description(
      "Clean, split (stratified 60/20/20 by customer ID), tune every model family with stratified k-fold CV, select on " +
        "validation, evaluate once on test, and write model.json, metrics.json, split.json and quality-report.json.",
    )
    .addOption(new Option("--data <csv>", "training export (default: CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv)"))
    .option("--out <dir>", "output folder", DEFAULT_OUT_DIR)
    .option("--seed <n>", "random seed for the split, folds and learners", "42")
    .option("--quick", "fewer candidates and folds (tests and CI); same seed, same numbers")
    .option("--workers <n>", "worker threads for tuning (default: number of cores)")
    .action(async (opts: { data?: string; out: string; seed: string; quick?: boolean; workers?: string }) => {
      const file = opts.data ?? defaultDataFile();
      const seed = Number(opts.seed);
      if (!Number.isInteger(seed)) throw new ChurnTableError(`--seed must be an integer, got ${opts.seed}`);
      const workers = opts.workers === undefined ? undefined : Number(opts.workers);
      if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) {
        throw new ChurnTableError(`--workers must be a positive integer, got ${opts.workers}`);
      }
      const bar = progressBar();
      const result = await train({
        data: file,
        out: opts.out,
        seed,
        quick: Boolean(opts.quick),
        ...(workers === undefined ? {} : { workers }),
        log: bar ? () => {} : out,
        ...(bar ? { progress: bar.update } : {}),
      });
      bar?.stop();
      out(formatQualitySummary(result.report));
      out(formatTrainSummary(result.metrics));
      out(`wrote ${["model.json", "metrics.json", "split.json", "quality-report.json"].map((f) => path.join(opts.out, f)).join(", ")}`);
    });

  program
    .command("study")
    .description(
      "The studies behind the model choice, on the split and tuned parameters of `churn train`: class imbalance " +
        "(none, class weights, oversampling in folds, threshold moving), permutation and native importance, a " +
        "CV-checked feature selection and the ablation of derived features. Writes <dir>/study.json.",
    )
    .addOption(new Option("--data <csv>", "the export churn train used (default: CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv)"))
    .option("--dir <dir>", "folder with metrics.json from churn train", DEFAULT_OUT_DIR)
    .option("--quick", "fewer folds, repeats and variants")
    .option("--workers <n>", "worker threads (default: number of cores)")
    .action(async (opts: { data?: string; dir: string; quick?: boolean; workers?: string }) => {
      const workers = opts.workers === undefined ? undefined : Number(opts.workers);
      const study = await runStudy({
        data: opts.data ?? defaultDataFile(),
        dir: opts.dir,
        quick: Boolean(opts.quick),
        ...(workers === undefined ? {} : { workers }),
        log: out,
      });
      out(`study: ${study.seconds.toFixed(1)} s; wrote ${path.join(opts.dir, "study.json")}`);
    });

  program
    .command("evaluate")
    .description(
      "Score a labeled export (messy or clean; it goes through the same cleaning) with a saved model: every metric with " +
        "a stratified bootstrap 95% interval, the confusion matrix at the model's threshold, and the value-maximizing " +
        "operating point under the retention assumptions. Prints a table; --out writes JSON. Scoring rows the model was " +
        "trained on is optimistic: for an honest estimate pass customers it has not seen (notebook 04 uses the test split).",
    )
    .requiredOption("--model <file>", "model.json written by churn train")
    .addOption(new Option("--data <csv>", "labeled export (default: CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv)"))
    .option("--out <file>", "write the evaluation as JSON")
    .option("--bootstrap <n>", "bootstrap replicates", "1000")
    .action((opts: { model: string; data?: string; out?: string; bootstrap: string }) => {
      const bootstrap = Number(opts.bootstrap);
      if (!Number.isInteger(bootstrap) || bootstrap < 0) throw new ChurnTableError(`--bootstrap must be a non-negative integer, got ${opts.bootstrap}`);
      const evaluation = evaluateModel(opts.model, opts.data ?? defaultDataFile(), { bootstrap });
      out(formatEvaluation(evaluation));
      if (opts.out) {
        writeFileSync(opts.out, `${JSON.stringify(evaluation, null, 2)}\n`);
        out(`wrote ${opts.out}`);
      }
    });

  registerDriftCommand(program, out);
  registerPredictCommand(program, out);

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
    .addOption(new Option("--log-level <level>", "pino log level").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"))
    .action(async (opts: { model: string; port: string; host: string; workers: string; logLevel: string }) => {
      const port = Number(opts.port);
      const workers = Number(opts.workers);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ChurnTableError(`--port must be an integer from 0 to 65535, got ${opts.port}`);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new ChurnTableError(`--workers must be an integer from 1 to 64, got ${opts.workers}`);
      // Load (and verify) the model before forking, so a bad file fails once with its error and exit code 2.
      const service = PredictionService.load(opts.model);
      await serveWorkers({ service, modelPath: opts.model, port, host: opts.host, logLevel: opts.logLevel, workers });
    });

  return program;
}

/** A progress bar on an interactive terminal; null in CI or when output is piped, so logs stay quiet. */
function progressBar(): { update: (done: number, total: number) => void; stop: () => void } | null {
  if (!process.stderr.isTTY || process.env["CI"]) return null;
  const bar = new SingleBar({ format: "tuning [{bar}] {value}/{total} fits | {eta}s left", stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
