// The modelling studies behind the choice: class imbalance, importances, feature selection and derived-feature ablation.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { cleanFile } from "../cleaning/table";
import { FAMILIES, type FamilyName, family } from "./families";
import { atThreshold, bestF1Threshold, prAuc, rocAuc } from "../evaluation/metrics";
import { modelsReady } from "../models/registry";
import { ALL_DERIVED, type PipelineOptions } from "../features/pipeline";
import { FEATURE_COLUMNS, type Customer } from "../core/schema";
import { PipelineScorer, type Scorer, SoftVoteScorer } from "../artifact/scorer";
import { RunMismatchError } from "../artifact/run";
import { permutationImportance } from "../inspection/permutation";
import { stratifiedSplit } from "../core/split";
import type { CvComparison, ImbalanceRow, MetricsFile, NativeImportance, StudyFile } from "../artifact/types";
import type { Imbalance } from "../artifact/types";
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

const label = (c: Customer): number => (c.Churn === "Yes" ? 1 : 0);

function imbalanceRows(data: CvData, familyName: string, strategy: Imbalance, oof: Float64Array): ImbalanceRow[] {
  const y = data.labels;
  const at = atThreshold(y, oof, 0.5);
  const rows: ImbalanceRow[] = [
    { family: familyName, strategy, roc_auc: rocAuc(y, oof), pr_auc: prAuc(y, oof), threshold: 0.5, precision: at.precision, recall: at.recall, f1: at.f1 },
  ];
  if (strategy === "none") {
    const moved = bestF1Threshold(y, oof);
    rows.push({ family: familyName, strategy: "threshold moving", roc_auc: rocAuc(y, oof), pr_auc: prAuc(y, oof), threshold: moved.threshold, precision: moved.precision, recall: moved.recall, f1: moved.f1 });
  }
  return rows;
}

export async function runStudy(options: StudyOptions): Promise<StudyFile> {
  const log = options.log ?? (() => {});
  const started = process.hrtime.bigint();
  await modelsReady();
  const metrics = JSON.parse(readFileSync(path.join(options.dir, "metrics.json"), "utf8")) as MetricsFile;
  const seed = metrics.seed;
  const { customers, report } = cleanFile(options.data);
  if (report.source.sha256 !== metrics.dataset.sha256) {
    throw new RunMismatchError(
      `${options.data} is not the file churn train used (${metrics.dataset.file}, sha256 ${metrics.dataset.sha256.slice(0, 12)}...): pass the same --data`,
    );
  }
  const labeled = customers.filter((c) => c.Churn !== null);
  const byId = new Map(labeled.map((c) => [c.customerID, c]));
  const split = stratifiedSplit([...byId.keys()], (id) => (byId.get(id)?.Churn === "Yes" ? 1 : 0), seed);
  const trainRows = split.train.map((id) => byId.get(id) as Customer);
  const valRows = split.validation.map((id) => byId.get(id) as Customer);
  const data = makeCvData(trainRows, options.quick ? 3 : 5, seed);
  const params = (name: string): Record<string, unknown> => {
    const m = metrics.models[name];
    if (!m) throw new Error(`metrics.json has no model ${name}: run churn train first`);
    return m.params;
  };
  const run = async (tasks: Task[]) =>
    summarize(data, await runTasks(data, tasks, options.workers ? { workers: options.workers } : {}));

  // 1. Class imbalance: the same tuned learner with no correction, class weights, or oversampling inside folds.
  const imbalanceFamilies: FamilyName[] = options.quick ? ["xgboost"] : ["xgboost", "logistic_regression", "random_forest"];
  const strategies: Imbalance[] = ["none", "weights", "oversample"];
  const imbalanceCv = await run(
    imbalanceFamilies.flatMap((f) => strategies.flatMap((s) => foldTasks(data, { family: f, params: params(f), imbalance: s }))),
  );
  const imbalance = imbalanceCv.flatMap((s) => imbalanceRows(data, s.family, s.imbalance, s.oof));
  log(`study: imbalance ${imbalance.length} rows`);

  // 2. Permutation importance on validation for the selected model, refit on the training rows only.
  const yTrain = trainRows.map(label);
  const fitted = new Map<string, PipelineScorer>();
  for (const f of FAMILIES) fitted.set(f.name, PipelineScorer.fit(f.name, f.kind, params(f.name), f.pipeline, trainRows, yTrain));
  const selected: Scorer =
    metrics.best_model === "ensemble"
      ? new SoftVoteScorer("ensemble", metrics.ensemble.members.map((n) => fitted.get(n) as Scorer), metrics.ensemble.members.map(() => 1))
      : (fitted.get(metrics.best_model) as Scorer);
  const repeats = options.quick ? 2 : 5;
  const perm = permutationImportance(selected, valRows, FEATURE_COLUMNS, repeats, seed);
  log(`study: permutation importance for ${metrics.best_model}`);

  // 3. Each learner's own importance, on its own pipeline's columns.
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

  // 4. Selection: drop raw columns whose permutation importance is not above noise; keep the cut only if CV agrees.
  const selectionFamily: FamilyName = metrics.best_model === "ensemble" ? ((metrics.ensemble.members[0] ?? "xgboost") as FamilyName) : (metrics.best_model as FamilyName);
  const dropped = perm.rows.filter((r) => r.mean <= r.sd).map((r) => r.column);
  const base = family(selectionFamily).pipeline;
  const variants: { variant: string; pipeline: PipelineOptions }[] = [
    { variant: "all columns", pipeline: base },
    { variant: `without ${dropped.length} low-importance columns`, pipeline: { ...base, exclude: dropped } },
  ];
  const selectionCv = await run(
    variants.flatMap((v) => foldTasks(data, { family: selectionFamily, params: params(selectionFamily), pipeline: v.pipeline })),
  );
  const selection = selectionCv.map((s, i) => ({
    variant: variants[i]?.variant ?? "",
    family: selectionFamily,
    mean_auc: s.meanAuc,
    sd_auc: s.sdAuc,
    delta: s.meanAuc - (selectionCv[0]?.meanAuc ?? 0),
  }));
  const kept = dropped.length > 0 && (selection[1]?.delta ?? -1) >= 0;

  // 5. Ablation: does each derived feature earn its place? Leave one out, and none at all.
  const ablationFamilies: FamilyName[] = options.quick ? ["logistic_regression"] : ["logistic_regression", "xgboost"];
  const ablationVariants = [
    { variant: "all derived", derived: ALL_DERIVED },
    { variant: "no derived", derived: [] as string[] },
    ...ALL_DERIVED.map((d) => ({ variant: `without ${d}`, derived: ALL_DERIVED.filter((x) => x !== d) })),
  ];
  const ablation: CvComparison[] = [];
  for (const f of ablationFamilies) {
    const cv = await run(
      ablationVariants.flatMap((v) => foldTasks(data, { family: f, params: params(f), pipeline: { ...family(f).pipeline, derived: v.derived } })),
    );
    const reference = cv[0]?.meanAuc ?? 0;
    cv.forEach((s, i) => ablation.push({ variant: ablationVariants[i]?.variant ?? "", family: f, mean_auc: s.meanAuc, sd_auc: s.sdAuc, delta: s.meanAuc - reference }));
  }
  log(`study: ablation ${ablation.length} variants`);

  const study: StudyFile = {
    seed,
    quick: options.quick,
    folds: data.folds.length,
    imbalance,
    permutation: { model: metrics.best_model, repeats, baseline_auc: perm.baseline, rows: perm.rows },
    native,
    selection: { family: selectionFamily, dropped, comparison: selection, kept },
    ablation,
    data: { file: metrics.dataset.file, sha256: metrics.dataset.sha256 },
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
  writeFileSync(path.join(options.dir, "study.json"), `${JSON.stringify(study, null, 2)}\n`);
  return study;
}
