// `churn train` and `churn study`: the model comparison, and the studies behind the choice on its split.
import * as path from "node:path";
import { type Command, Option } from "commander";
import { DEFAULT_OUT_DIR, type Out, UsageError, defaultDataFile, empcOption, integerOption, progressBar } from "./shared";

interface TrainCliOptions {
  data?: string;
  out: string;
  seed: string;
  quick?: boolean;
  workers?: string;
  families?: string;
  selectBy: "roc_auc" | "empc";
  empc?: string;
}

export function registerTrain(program: Command, out: Out): void {
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
    .option(
      "--families <list>",
      "train and select among these families only (comma-separated: logistic_regression, random_forest, knn, xgboost); " +
        "add ensemble to make the soft vote of the listed families the model (default: every family and their vote)",
    )
    .addOption(
      new Option("--select-by <metric>", "what the one-standard-error rule compares on CV: ROC-AUC or EMPC (expected maximum profit)")
        .choices(["roc_auc", "empc"])
        .default("roc_auc"),
    )
    .option("--empc <params>", "EMPC parameters as alpha=6,beta=14,clv=200,incentive=10,contact=1 (any subset; default the paper's)")
    .action(async (opts: TrainCliOptions) => {
      const seed = integerOption("--seed", opts.seed, Number.MIN_SAFE_INTEGER);
      const workers = opts.workers === undefined ? undefined : integerOption("--workers", opts.workers, 1);
      const { parseFamilies } = await import("../training/families.js");
      let families;
      try {
        families = opts.families === undefined ? undefined : parseFamilies(opts.families);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const empc = opts.empc === undefined ? undefined : (await empcOption(opts.empc))();
      const { formatTrainSummary, train } = await import("../training/train.js");
      const { formatQualitySummary } = await import("../cleaning/quality.js");
      const bar = await progressBar();
      const result = await train({
        data: opts.data ?? defaultDataFile(),
        out: opts.out,
        seed,
        quick: Boolean(opts.quick),
        ...(workers === undefined ? {} : { workers }),
        ...(families === undefined ? {} : { families }),
        selectBy: opts.selectBy,
        ...(empc === undefined ? {} : { empc }),
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
    .addOption(
      new Option("--data <csv>", "the export churn train used (default: CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv)"),
    )
    .option("--dir <dir>", "folder with metrics.json from churn train", DEFAULT_OUT_DIR)
    .option("--quick", "fewer folds, repeats and variants")
    .option("--workers <n>", "worker threads (default: number of cores)")
    .action(async (opts: { data?: string; dir: string; quick?: boolean; workers?: string }) => {
      const workers = opts.workers === undefined ? undefined : integerOption("--workers", opts.workers, 1);
      const { runStudy } = await import("../training/study.js");
      const study = await runStudy({
        data: opts.data ?? defaultDataFile(),
        dir: opts.dir,
        quick: Boolean(opts.quick),
        ...(workers === undefined ? {} : { workers }),
        log: out,
      });
      out(`study: ${study.seconds.toFixed(1)} s; wrote ${path.join(opts.dir, "study.json")}`);
    });
}
