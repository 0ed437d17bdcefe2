// The modelling studies behind the choice: class imbalance, importances, feature selection and derived-feature ablation.
import { writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { churnLabel } from "../core/labels";
import { FAMILIES, type FamilyName, family } from "./families";
import { atThreshold, bestF1Threshold, prAuc, rocAuc } from "../evaluation/metrics";
import { modelsReady } from "../models/registry";
import { ALL_DERIVED, type PipelineOptions } from "../features/pipeline";
import { FEATURE_COLUMNS, type Customer } from "../core/schema";
import { PipelineScorer, type Scorer, SoftVoteScorer } from "../artifact/scorer";
import { RunMismatchError } from "../artifact/run";
import { permutationImportance } from "../inspection/permutation";
import { splitRows } from "./split-rows";
import {
  type CvComparison,
  type Imbalance,
  type ImbalanceRow,
  type MetricsFile,
  type NativeImportance,
  type PermutationRow,
  type StudyFile,
  selectedFamily,
} from "../artifact/types";
import { type CvData, type Task, foldTasks, makeCvData, runTasks, summarize } from "./tuning";

export interface StudyOptions {
  data: string;
  /** Folder with metrics.json from `churn train`; study.json is written there. */
  dir: string;
  quick: boolean;
  workers?: number;
  log?: (line: string) => void;
}

const NATIVE_MEASURE: Record<FamilyName, string> = {
  logistic_regression: "|standardized coefficient|",
  random_forest: "mean impurity decrease",
  knn: "none",
  xgboost: "total gain",
};

function imbalanceRows(data: CvData, familyName: string, strategy: Imbalance, oof: Float64Array): ImbalanceRow[] {
  const y = data.labels;
  const at = atThreshold(y, oof, 0.5);
  const rows: ImbalanceRow[] = [
    {
      family: familyName,
      strategy,
      roc_auc: rocAuc(y, oof),
      pr_auc: prAuc(y, oof),
      threshold: 0.5,
      precision: at.precision,
      recall: at.recall,
      f1: at.f1,
    },
  ];
  if (strategy === "none") {
    const moved = bestF1Threshold(y, oof);
    rows.push({
      family: familyName,
      strategy: "threshold moving",
      roc_auc: rocAuc(y, oof),
      pr_auc: prAuc(y, oof),
      threshold: moved.threshold,
      precision: moved.precision,
      recall: moved.recall,
      f1: moved.f1,
    });
  }
  return rows;
}

export async function runStudy(options: StudyOptions): Promise<StudyFile> {
  const log = options.log ?? (() => {});
  const started = process.hrtime.bigint();
  await modelsReady();
  const ctx = await studyContext(options);
  const imbalance = await imbalanceStudy(ctx);
  log(`study: imbalance ${imbalance.length} rows`);
  const { fitted, perm, repeats } = permutationStudy(ctx);
  log(`study: permutation importance for ${ctx.metrics.best_model}`);
  const native = nativeImportances(fitted);
  const selection = await selectionStudy(ctx, perm.rows);
  const ablation = await ablationStudy(ctx);
  log(`study: ablation ${ablation.length} variants`);
  const study: StudyFile = {
    seed: ctx.seed,
    quick: options.quick,
    folds: ctx.data.folds.length,
    imbalance,
    permutation: { model: ctx.metrics.best_model, repeats, baseline_auc: perm.baseline, rows: perm.rows },
    native,
    selection,
    ablation,
    data: { file: ctx.metrics.dataset.file, sha256: ctx.metrics.dataset.sha256 },
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  writeFileSync(path.join(options.dir, "study.json"), `${JSON.stringify(study, null, 2)}\n`);
  return study;
}

/** What every study shares: the run's metrics and seed, its split's rows, the CV folds, the tuned parameters. */
interface StudyContext {
  options: StudyOptions;
  metrics: MetricsFile;
  seed: number;
  trainRows: Customer[];
  valRows: Customer[];
  data: CvData;
  params: (name: string) => Record<string, unknown>;
  run: (tasks: Task[]) => Promise<ReturnType<typeof summarize>>;
}

async function studyContext(options: StudyOptions): Promise<StudyContext> {
  const metrics = JSON.parse(await readFile(path.join(options.dir, "metrics.json"), "utf8")) as MetricsFile;
  const seed = metrics.seed;
  const rows = splitRows(options.data, seed);
  if (rows.report.source.sha256 !== metrics.dataset.sha256) {
    throw new RunMismatchError(
      `${options.data} is not the file churn train used (${metrics.dataset.file}, sha256 ${metrics.dataset.sha256.slice(0, 12)}...): pass the same --data`,
    );
  }
  const data = makeCvData(rows.train, options.quick ? 3 : 5, seed);
  return {
    options,
    metrics,
    seed,
    trainRows: rows.train,
    valRows: rows.validation,
    data,
    params: (name) => {
      const m = metrics.models[name];
      if (!m) throw new Error(`metrics.json has no model ${name}: run churn train first`);
      return m.params;
    },
    run: async (tasks) => summarize(data, await runTasks(data, tasks, options.workers ? { workers: options.workers } : {})),
  };
}

/** 1. Class imbalance: the same tuned learner with no correction, class weights, or oversampling inside folds. */
async function imbalanceStudy(ctx: StudyContext): Promise<ImbalanceRow[]> {
  // The selected model's learner first (the verdict is about it), then the other two fast learners for comparison.
  const selected = selectedFamily(ctx.metrics) as FamilyName;
  const others = (["logistic_regression", "xgboost", "random_forest"] as FamilyName[]).filter((f) => f !== selected);
  const families: FamilyName[] = ctx.options.quick ? [selected] : [selected, ...others];
  const strategies: Imbalance[] = ["none", "weights", "oversample"];
  const cv = await ctx.run(
    families.flatMap((f) => strategies.flatMap((s) => foldTasks(ctx.data, { family: f, params: ctx.params(f), imbalance: s }))),
  );
  return cv.flatMap((s) => imbalanceRows(ctx.data, s.family, s.imbalance, s.oof));
}

/** 2. Permutation importance on validation for the selected model, refit on the training rows only. */
function permutationStudy(ctx: StudyContext): {
  fitted: Map<string, PipelineScorer>;
  perm: ReturnType<typeof permutationImportance>;
  repeats: number;
} {
  const yTrain = ctx.trainRows.map(churnLabel);
  const fitted = new Map<string, PipelineScorer>();
  for (const f of FAMILIES) fitted.set(f.name, PipelineScorer.fit(f.name, f.kind, ctx.params(f.name), f.pipeline, ctx.trainRows, yTrain));
  const { metrics } = ctx;
  const selected: Scorer =
    metrics.best_model === "ensemble"
      ? new SoftVoteScorer(
          "ensemble",
          metrics.ensemble.members.map((n) => fitted.get(n) as Scorer),
          metrics.ensemble.members.map(() => 1),
        )
      : (fitted.get(metrics.best_model) as Scorer);
  const repeats = ctx.options.quick ? 2 : 5;
  return { fitted, perm: permutationImportance(selected, ctx.valRows, FEATURE_COLUMNS, repeats, ctx.seed), repeats };
}

/** 3. Each learner's own importance, on its own pipeline's columns (the 15 largest, as shares of the total). */
function nativeImportances(fitted: Map<string, PipelineScorer>): NativeImportance[] {
  const native: NativeImportance[] = [];
  for (const [name, scorer] of fitted) {
    const imp = scorer.classifier.nativeImportance?.() ?? null;
    if (!imp) continue;
    const total = imp.reduce((s, v) => s + v, 0) || 1;
    const top = scorer.pipeline.featureNames
      .map((feature, i) => ({ feature, importance: (imp[i] as number) / total }))
      .sort((a, b) => b.importance - a.importance)
      .slice(0, 15);
    native.push({ family: name, measure: NATIVE_MEASURE[name as FamilyName], top });
  }
  return native;
}

/** 4. Selection: drop raw columns whose permutation importance is not above noise; keep the cut only if CV agrees. */
async function selectionStudy(ctx: StudyContext, permRows: readonly PermutationRow[]): Promise<StudyFile["selection"]> {
  const { metrics } = ctx;
  const selectionFamily = selectedFamily(metrics) as FamilyName;
  const dropped = permRows.filter((r) => r.mean <= r.sd).map((r) => r.column);
  const base = family(selectionFamily).pipeline;
  const variants: { variant: string; pipeline: PipelineOptions }[] = [
    { variant: "all columns", pipeline: base },
    { variant: `without ${dropped.length} low-importance columns`, pipeline: { ...base, exclude: dropped } },
  ];
  const cv = await ctx.run(
    variants.flatMap((v) => foldTasks(ctx.data, { family: selectionFamily, params: ctx.params(selectionFamily), pipeline: v.pipeline })),
  );
  const comparison = cv.map((s, i) => ({
    variant: variants[i]?.variant ?? "",
    family: selectionFamily,
    mean_auc: s.meanAuc,
    sd_auc: s.sdAuc,
    delta: s.meanAuc - (cv[0]?.meanAuc ?? 0),
  }));
  return { family: selectionFamily, dropped, comparison, kept: dropped.length > 0 && (comparison[1]?.delta ?? -1) >= 0 };
}

/** 5. Ablation: does each derived feature earn its place? Leave one out, and none at all. */
async function ablationStudy(ctx: StudyContext): Promise<CvComparison[]> {
  const families: FamilyName[] = ctx.options.quick ? ["logistic_regression"] : ["logistic_regression", "xgboost"];
  const variants = [
    { variant: "all derived", derived: ALL_DERIVED },
    { variant: "no derived", derived: [] as string[] },
    ...ALL_DERIVED.map((d) => ({ variant: `without ${d}`, derived: ALL_DERIVED.filter((x) => x !== d) })),
  ];
  const ablation: CvComparison[] = [];
  for (const f of families) {
    const cv = await ctx.run(
      variants.flatMap((v) =>
        foldTasks(ctx.data, { family: f, params: ctx.params(f), pipeline: { ...family(f).pipeline, derived: v.derived } }),
      ),
    );
    const reference = cv[0]?.meanAuc ?? 0;
    cv.forEach((s, i) =>
      ablation.push({ variant: variants[i]?.variant ?? "", family: f, mean_auc: s.meanAuc, sd_auc: s.sdAuc, delta: s.meanAuc - reference }),
    );
  }
  return ablation;
}
