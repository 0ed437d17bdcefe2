// `churn evaluate`, `churn drift` and `churn predict`: a saved model applied to an export.
import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { type Out, UsageError, defaultDataFile, empcOption, integerOption, numberOption } from "./shared";

/** The significance level `churn drift` uses before Bonferroni (monitoring/drift.ts DEFAULT_ALPHA). */
const DEFAULT_ALPHA = "0.05";

export function registerMonitor(program: Command, out: Out): void {
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
    .option("--empc <params>", "EMPC parameters as alpha=6,beta=14,clv=200,incentive=10,contact=1 (any subset; default the model's)")
    .action(async (opts: { model: string; data?: string; out?: string; bootstrap: string; empc?: string }) => {
      const bootstrap = integerOption("--bootstrap", opts.bootstrap, 0);
      const empc = opts.empc === undefined ? undefined : await empcOption(opts.empc);
      const { evaluateModel, formatEvaluation } = await import("../monitoring/evaluate.js");
      const evaluation = evaluateModel(opts.model, opts.data ?? defaultDataFile(), { bootstrap, ...(empc ? { empc } : {}) });
      out(formatEvaluation(evaluation));
      if (opts.out) {
        writeFileSync(opts.out, `${JSON.stringify(evaluation, null, 2)}\n`);
        out(`wrote ${opts.out}`);
      }
    });

  program
    .command("drift")
    .description(
      "Compare an export (messy or clean; same cleaning) with the training reference stored in a model: per feature the " +
        "population stability index with a KS (numbers) or chi-square (categories) test, missing rates, the model's scores " +
        "and, when labeled, the churn rate. A feature drifts when its PSI is at least 0.1 and its test is significant after " +
        "Bonferroni. It also estimates the model's performance without labels (CBPE: expected ROC-AUC, precision, recall, " +
        "F1 and churn rate from the calibrated probabilities) with sampling-error bands and an alert. Prints a summary; " +
        "--out writes JSON; --json prints the JSON instead. Drift is a finding: exit code 0.",
    )
    .requiredOption("--model <file>", "model.json written by churn train")
    .requiredOption("--data <csv>", "the export to compare with the training data")
    .option("--out <file>", "write the drift report as JSON")
    .option("--json", "print the JSON report instead of the summary")
    .addOption(new Option("--alpha <a>", "significance level before Bonferroni").default(DEFAULT_ALPHA))
    .option("--chunk-size <n>", "also estimate performance per chunk of this many customers, in the export's row order")
    .action(async (opts: { model: string; data: string; out?: string; json?: boolean; alpha: string; chunkSize?: string }) => {
      const alpha = numberOption("--alpha", opts.alpha, 0, 1);
      const chunkSize = opts.chunkSize === undefined ? undefined : integerOption("--chunk-size", opts.chunkSize, 2);
      const { driftFromFiles, formatDrift } = await import("../monitoring/drift.js");
      const report = driftFromFiles(opts.model, opts.data, { alpha, ...(chunkSize === undefined ? {} : { chunkSize }) });
      const json = `${JSON.stringify(report, null, 2)}\n`;
      if (opts.json) out(json.trimEnd());
      else out(formatDrift(report));
      if (opts.out) {
        writeFileSync(opts.out, json);
        if (!opts.json) out(`wrote ${opts.out}`);
      }
    });

  registerPredict(program, out);
}

function registerPredict(program: Command, out: Out): void {
  program
    .command("predict")
    .description(
      "Score a CSV export (messy or clean; each row goes through the same cleaning and checks as the API) with a saved " +
        "model, streaming in constant memory: one output row per input row with its row number, churn probability, " +
        "decision, risk band, optional reasons, warnings and, for refused rows, the error. Prints a summary.",
    )
    .requiredOption("--model <file>", "model.json written by churn train")
    .requiredOption("--data <csv>", "the export to score")
    .requiredOption("--out <csv>", "the scored CSV to write")
    .option("--reasons <k>", "reasons per row (0 is fastest)", "0")
    .option("--summary <file>", "also write the summary as JSON")
    .addOption(
      new Option("--engine <name>", "what scores the rows: the model's TypeScript scorer, or its ONNX graph in ONNX Runtime")
        .choices(["js", "onnx"])
        .default("js"),
    )
    .option("--onnx <file>", "with --engine onnx: the graph churn export wrote for this model (default: export it in memory)")
    .action(
      async (opts: {
        model: string;
        data: string;
        out: string;
        reasons: string;
        summary?: string;
        engine: "js" | "onnx";
        onnx?: string;
      }) => {
        const reasons = integerOption("--reasons", opts.reasons, 0);
        if (opts.onnx !== undefined && opts.engine !== "onnx")
          throw new UsageError("--onnx is read by the onnx engine only: add --engine onnx");
        const { predictFile } = await import("../serving/batch.js");
        const summary = await predictFile({
          model: opts.model,
          data: opts.data,
          out: opts.out,
          reasons,
          engine: opts.engine,
          ...(opts.onnx === undefined ? {} : { onnxFile: opts.onnx }),
          log: out,
        });
        out(`wrote ${opts.out}`);
        if (opts.summary) {
          writeFileSync(opts.summary, `${JSON.stringify(summary, null, 2)}\n`);
          out(`wrote ${opts.summary}`);
        }
      },
    );
}
