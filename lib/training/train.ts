// `churn train`: clean, split, tune every family with CV, select on validation, test once, write a self-contained model.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CLEANING_RULES, type QualityReport, cleanFile } from "../cleaning/table";
import { FAMILIES, type FamilyName, family } from "./families";
import { type Scorecard, bestF1Threshold, rocAuc, scorecard } from "../evaluation/metrics";
import { MODEL_SCHEMA, type MetricsFile, type ModelFile, type ModelReport, type SplitFile } from "../artifact/types";
import { MODEL_SCHEMA_VERSION, sealModel } from "../artifact/model-file";
import { modelsReady } from "../models/registry";
import { referenceStatistics } from "../artifact/reference";
import { DEFAULT_ASSUMPTIONS } from "../evaluation/business";
import { chooseCalibrator } from "../evaluation/calibration";
import { CalibratedScorer, PipelineScorer, type Scorer, SoftVoteScorer } from "../artifact/scorer";
import type { Customer } from "../core/schema";
import { stratifiedSplit } from "../core/split";
import { type CvSummary, type Task, type TaskResult, foldTasks, makeCvData, runTasks, summarize } from "./tuning";

/** Successive halving: folds every candidate is scored on before the best third of each family goes on. */
const HALVING_FIRST_FOLDS = 2;


/**
 * Validation ROC-AUC a soft vote must add over the best single model to be kept. An ensemble multiplies serving
 * latency and explanation cost by its members (a 300-tree forest alone takes ~20 µs per customer); a gain smaller than
 * the sampling noise of a validation AUC (its bootstrap sd here is ~0.01) does not pay for that.
 */
export const ENSEMBLE_MIN_GAIN = 0.005;

export interface TrainOptions {
  data: string;
  out: string;
  seed: number;
  quick: boolean;
  /** Worker threads for tuning (default: cores). */
  workers?: number;
  log?: (line: string) => void;
  progress?: (done: number, total: number) => void;
}




const label = (c: Customer): number => (c.Churn === "Yes" ? 1 : 0);

function projectVersion(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

function elapsed(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}


export interface TrainResult {
  metrics: MetricsFile;
  model: ModelFile;
  split: SplitFile;
  report: QualityReport;
  cv: CvSummary[];
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const log = options.log ?? (() => {});
  const started = process.hrtime.bigint();
  await modelsReady();
  const { customers, report } = cleanFile(options.data);
  const labeled = customers.filter((c) => c.Churn !== null);
  const byId = new Map(labeled.map((c) => [c.customerID, c]));
  const split = stratifiedSplit(
    labeled.map((c) => c.customerID),
    (id) => (byId.get(id)?.Churn === "Yes" ? 1 : 0),
    options.seed,
  );
  const rows = (ids: readonly string[]): Customer[] => ids.map((id) => byId.get(id) as Customer);
  const trainRows = rows(split.train);
  const valRows = rows(split.validation);
  const testRows = rows(split.test);
  const yVal = valRows.map(label);
  const yTest = testRows.map(label);
  log(`train: ${labeled.length} labeled customers -> ${trainRows.length} train / ${valRows.length} validation / ${testRows.length} test`);

  // 1. Tune every family with stratified k-fold CV on the training rows only, by successive halving: every candidate
  //    is scored on the first folds, and only the best third of each family goes on to the remaining folds.
  const cvData = makeCvData(trainRows, options.quick ? 3 : 5, options.seed);
  const tuningStarted = process.hrtime.bigint();
  const run = async (tasks: Task[]): Promise<TaskResult[]> =>
    runTasks(cvData, tasks, { ...(options.workers ? { workers: options.workers } : {}), ...(options.progress ? { onProgress: options.progress } : {}) });
  const candidates = FAMILIES.flatMap((f) => f.candidates(options.seed, options.quick).map((params) => ({ family: f.name, params })));
  const firstFolds = Math.min(HALVING_FIRST_FOLDS, cvData.folds.length);
  const stage1 = await run(candidates.flatMap((c) => foldTasks(cvData, c).slice(0, firstFolds)));
  const stage1Summary = summarize(cvData, stage1);
  const survivors = FAMILIES.flatMap((f) => {
    const mine = stage1Summary.filter((s) => s.family === f.name);
    const keep = Math.max(1, Math.ceil(mine.length / 3));
    return [...mine].sort((a, b) => b.meanAuc - a.meanAuc).slice(0, keep).map((s) => ({ family: s.family, params: s.params }));
  });
  const stage2 = await run(survivors.flatMap((c) => foldTasks(cvData, c).slice(firstFolds)));
  log(`train: ${candidates.length} candidates on ${firstFolds} folds, ${survivors.length} on all ${cvData.folds.length}`);
  const allResults = [...stage1, ...stage2];
  const complete = new Set(survivors.map((c) => JSON.stringify([c.family, c.params])));
  const cv = summarize(cvData, allResults).filter((s) => complete.has(JSON.stringify([s.family, s.params])));
  const halved = stage1Summary.filter((s) => !complete.has(JSON.stringify([s.family, s.params])));
  const tuningSeconds = elapsed(tuningStarted);

  // 2. Each family's best candidate, refit on train, judged on validation.
  const best = new Map<FamilyName, CvSummary>();
  for (const s of cv) {
    const f = s.family as FamilyName;
    const current = best.get(f);
    if (!current || s.meanAuc > current.meanAuc) best.set(f, s);
  }
  const onTrain = new Map<FamilyName, { pVal: Float64Array; threshold: number }>();
  for (const f of FAMILIES) {
    const s = best.get(f.name);
    if (!s) continue;
    const scorer = PipelineScorer.fit(f.name, f.kind, f.final(s.params), f.pipeline, trainRows, trainRows.map(label));
    const pVal = scorer.score(valRows);
    onTrain.set(f.name, { pVal, threshold: bestF1Threshold(yVal, pVal).threshold });
    log(`train: ${f.name} cv auc ${s.meanAuc.toFixed(4)} (sd ${s.sdAuc.toFixed(4)}), validation auc ${rocAuc(yVal, pVal).toFixed(4)}`);
  }

  // 3. Soft-vote ensembles of the best families, kept only if they beat the best single model on validation.
  const ranked = [...onTrain].sort((a, b) => rocAuc(yVal, b[1].pVal) - rocAuc(yVal, a[1].pVal));
  const bestSingle = ranked[0];
  if (!bestSingle) throw new Error("no model family produced a model");
  let ensembleMembers: FamilyName[] = [];
  let ensembleAuc = -1;
  for (let size = 2; size <= ranked.length; size++) {
    const members = ranked.slice(0, size);
    const p = new Float64Array(valRows.length);
    for (const [, m] of members) m.pVal.forEach((v, i) => (p[i] = (p[i] as number) + v / size));
    const auc = rocAuc(yVal, p);
    if (auc > ensembleAuc) {
      ensembleAuc = auc;
      ensembleMembers = members.map(([name]) => name);
    }
  }
  const bestSingleAuc = rocAuc(yVal, bestSingle[1].pVal);
  const keepEnsemble = ensembleAuc > bestSingleAuc + ENSEMBLE_MIN_GAIN;
  const ensembleVal = new Float64Array(valRows.length);
  for (const name of ensembleMembers) onTrain.get(name)?.pVal.forEach((v, i) => (ensembleVal[i] = (ensembleVal[i] as number) + v / ensembleMembers.length));
  const ensembleThreshold = bestF1Threshold(yVal, ensembleVal).threshold;
  const bestName = keepEnsemble ? "ensemble" : bestSingle[0];
  log(`train: ensemble of ${ensembleMembers.join("+")} validation auc ${ensembleAuc.toFixed(4)} -> ${keepEnsemble ? "kept" : "not kept"}; best: ${bestName}`);

  // 4. Final fits on train+validation; the test set is scored once, here.
  const trainVal = [...trainRows, ...valRows];
  const final = new Map<string, Scorer>();
  const models: Record<string, ModelReport> = {};
  for (const [name, m] of onTrain) {
    const f = family(name);
    const s = best.get(name) as CvSummary;
    const t = process.hrtime.bigint();
    const scorer = PipelineScorer.fit(name, f.kind, f.final(s.params), f.pipeline, trainVal, trainVal.map(label));
    const fitSeconds = elapsed(t);
    final.set(name, scorer);
    models[name] = {
      family: name,
      params: f.final(s.params),
      cv: { folds: cvData.folds.length, mean_auc: s.meanAuc, sd_auc: s.sdAuc, candidates: candidates.filter((x) => x.family === name).length },
      validation: scorecard(yVal, m.pVal, m.threshold),
      test: scorecard(yTest, scorer.score(testRows), m.threshold),
      fit_seconds: fitSeconds,
    };
  }
  const ensemble = new SoftVoteScorer("ensemble", ensembleMembers.map((n) => final.get(n) as Scorer), ensembleMembers.map(() => 1));
  models["ensemble"] = {
    family: "ensemble",
    params: { members: ensembleMembers, weights: "equal" },
    cv: { folds: 0, mean_auc: null, sd_auc: null, candidates: ranked.length - 1 },
    validation: scorecard(yVal, ensembleVal, ensembleThreshold),
    test: scorecard(yTest, ensemble.score(testRows), ensembleThreshold),
    fit_seconds: ensembleMembers.reduce((s, n) => s + (models[n]?.fit_seconds ?? 0), 0),
  };
  const uncalibrated = keepEnsemble ? ensemble : (final.get(bestSingle[0]) as Scorer);
  // Calibration: fitted on validation scores of the train-only model, kept only if it lowers Brier without hurting
  // ranking (cross-fitted on validation, lib/calibration.ts), then applied to the final model's scores.
  const winnerVal = keepEnsemble ? ensembleVal : bestSingle[1].pVal;
  const calibration = chooseCalibrator(yVal, winnerVal, { seed: options.seed });
  const winner: Scorer = calibration.calibrator ? new CalibratedScorer(uncalibrated, calibration.calibrator) : uncalibrated;
  log(`train: calibration ${calibration.choice} (${calibration.rule})`);
  // The saved model's own scorecards: those of the selected model, or of its calibrated scores, whose F1-optimal
  // threshold is chosen again on validation (a calibrator is monotone, but isotonic steps can merge scores).
  let winnerReport: { validation: Scorecard; test: Scorecard } = models[bestName] as ModelReport;
  if (calibration.calibrator) {
    const calVal = calibration.calibrator.apply(winnerVal);
    const threshold = bestF1Threshold(yVal, calVal).threshold;
    winnerReport = { validation: scorecard(yVal, calVal, threshold), test: scorecard(yTest, winner.score(testRows), threshold) };
  }

  // The cleaner hashed the very bytes it read: the fingerprint is of the data trained on, not of a second read.
  const dataSha256 = report.source.sha256;
  const metrics: MetricsFile = {
    best_model: bestName,
    threshold: winnerReport.validation.threshold,
    calibration: { choice: calibration.choice, validation: winnerReport.validation, test: winnerReport.test },
    seed: options.seed,
    quick: options.quick,
    dataset: {
      file: path.basename(options.data),
      sha256: dataSha256,
      customers: customers.length,
      labeled: labeled.length,
      churn_rate: labeled.filter((c) => c.Churn === "Yes").length / labeled.length,
      train: trainRows.length,
      validation: valRows.length,
      test: testRows.length,
    },
    models,
    ensemble: { members: ensembleMembers, kept: keepEnsemble, validation_auc: ensembleAuc, best_single_validation_auc: bestSingleAuc, min_gain: ENSEMBLE_MIN_GAIN },
    tuning: [...cv, ...halved].map((s) => ({
      family: s.family,
      params: s.params,
      mean_auc: s.meanAuc,
      sd_auc: s.sdAuc,
      folds: complete.has(JSON.stringify([s.family, s.params])) ? cvData.folds.length : firstFolds,
      seconds: s.seconds,
    })),
    seconds: { total: elapsed(started), tuning: tuningSeconds },
  };
  const model: ModelFile = sealModel({
    schema: MODEL_SCHEMA,
    schemaVersion: MODEL_SCHEMA_VERSION,
    version: projectVersion(),
    createdAt: new Date().toISOString(),
    seed: options.seed,
    name: bestName,
    threshold: metrics.threshold,
    cleaningRules: CLEANING_RULES,
    scorer: winner.toJSON(),
    reference: referenceStatistics(trainVal, winner.score(trainVal)),
    training: { dataSha256, rows: trainVal.length, positives: trainVal.filter((c) => c.Churn === "Yes").length, split: "train+validation" },
    metrics: { validation: winnerReport.validation, test: winnerReport.test },
    calibration: { choice: calibration.choice, rule: calibration.rule, validation: calibration.crossFitted },
    business: { assumptions: { ...DEFAULT_ASSUMPTIONS } },
  });
  metrics.seconds.total = elapsed(started);
  const splitFile: SplitFile = { ...split, data: { file: metrics.dataset.file, sha256: dataSha256 } };
  writeArtifacts(options.out, { metrics, model, split: splitFile, report });
  return { metrics, model, split: splitFile, report, cv };
}

function writeArtifacts(out: string, a: { metrics: MetricsFile; model: ModelFile; split: SplitFile; report: QualityReport }): void {
  mkdirSync(out, { recursive: true });
  const write = (name: string, value: unknown): void => writeFileSync(path.join(out, name), `${JSON.stringify(value, null, 2)}\n`);
  write("model.json", a.model);
  write("metrics.json", a.metrics);
  write("split.json", a.split);
  write("quality-report.json", a.report);
}

/** The model comparison as a terminal table: CV, validation and test ROC-AUC, PR-AUC, F1, fit time. */
export function formatTrainSummary(m: MetricsFile): string {
  const header = ["model", "cv auc", "val auc", "test auc", "test pr-auc", "test f1", "fit s"];
  const rows = Object.entries(m.models).map(([name, r]) => [
    name === m.best_model ? `${name} *` : name,
    r.cv.mean_auc === null ? "-" : r.cv.mean_auc.toFixed(4),
    r.validation.roc_auc.toFixed(4),
    r.test.roc_auc.toFixed(4),
    r.test.pr_auc.toFixed(4),
    r.test.f1.toFixed(4),
    r.fit_seconds.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [
    `trained on ${m.dataset.train} customers, validated on ${m.dataset.validation}, tested once on ${m.dataset.test} (seed ${m.seed}${m.quick ? ", quick" : ""})`,
    line(header),
    ...rows.map(line),
    `best: ${m.best_model} at threshold ${m.threshold.toFixed(3)}; ${m.seconds.total.toFixed(1)} s in all, ${m.seconds.tuning.toFixed(1)} s tuning`,
  ].join("\n");
}
