// `churn train`: clean, split, tune every family with CV, select on validation, test once, write a self-contained model.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CLEANING_RULES, type QualityReport } from "../cleaning/table";
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
import { churnLabel, churnerCount } from "../core/labels";
import { type SplitRows, splitRows } from "./split-rows";
import { type CvData, type CvSummary, type Task, type TaskResult, foldTasks, makeCvData, runTasks, summarize } from "./tuning";

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
  const data = splitRows(options.data, options.seed);
  const rows: Rows = {
    train: data.train,
    validation: data.validation,
    test: data.test,
    yVal: data.validation.map(churnLabel),
    yTest: data.test.map(churnLabel),
  };
  log(
    `train: ${data.labeled.length} labeled customers -> ${rows.train.length} train / ${rows.validation.length} validation / ${rows.test.length} test`,
  );
  const tuning = await tuneByHalving(rows.train, options, log);
  const onTrain = fitOnTrain(bestPerFamily(tuning.cv), rows, log);
  const vote = chooseEnsemble(onTrain, rows.yVal);
  log(
    `train: ensemble of ${vote.members.join("+")} validation auc ${vote.auc.toFixed(4)} -> ${vote.keep ? "kept" : "not kept"}; best: ${vote.bestName}`,
  );
  const fits = finalFits(onTrain, vote, tuning, rows);
  const calibrated = calibrateWinner(fits, vote, rows, options.seed);
  log(`train: calibration ${calibrated.calibration.choice} (${calibrated.calibration.rule})`);
  // The cleaner hashed the very bytes it read: the fingerprint is of the data trained on, not of a second read.
  const dataSha256 = data.report.source.sha256;
  const metrics = metricsFile({ options, data, tuning, fits, vote, calibrated, started });
  const trainVal = [...rows.train, ...rows.validation];
  const model: ModelFile = sealModel({
    schema: MODEL_SCHEMA,
    schemaVersion: MODEL_SCHEMA_VERSION,
    version: projectVersion(),
    createdAt: new Date().toISOString(),
    seed: options.seed,
    name: vote.bestName,
    threshold: metrics.threshold,
    cleaningRules: CLEANING_RULES,
    scorer: calibrated.winner.toJSON(),
    reference: referenceStatistics(trainVal, calibrated.winner.score(trainVal)),
    training: { dataSha256, rows: trainVal.length, positives: churnerCount(trainVal), split: "train+validation" },
    metrics: { validation: calibrated.report.validation, test: calibrated.report.test },
    calibration: {
      choice: calibrated.calibration.choice,
      rule: calibrated.calibration.rule,
      validation: calibrated.calibration.crossFitted,
    },
    business: { assumptions: { ...DEFAULT_ASSUMPTIONS } },
  });
  metrics.seconds.total = elapsed(started);
  const splitFile: SplitFile = { ...data.split, data: { file: metrics.dataset.file, sha256: dataSha256 } };
  writeArtifacts(options.out, { metrics, model, split: splitFile, report: data.report });
  return { metrics, model, split: splitFile, report: data.report, cv: tuning.cv };
}

/** The three parts' rows and the labels of validation and test. */
interface Rows {
  train: Customer[];
  validation: Customer[];
  test: Customer[];
  yVal: number[];
  yTest: number[];
}

interface Tuning {
  cvData: CvData;
  candidates: { family: FamilyName; params: Record<string, unknown> }[];
  firstFolds: number;
  /** Candidates scored on every fold. */
  cv: CvSummary[];
  /** Candidates cut after the first folds. */
  halved: CvSummary[];
  complete: Set<string>;
  seconds: number;
}

const candidateKey = (c: { family: string; params: Record<string, unknown> }): string => JSON.stringify([c.family, c.params]);

/**
 * 1. Every family tuned with stratified k-fold CV on the training rows only, by successive halving: every candidate is
 * scored on the first folds, and only the best third of each family goes on to the remaining folds.
 */
async function tuneByHalving(trainRows: Customer[], options: TrainOptions, log: (line: string) => void): Promise<Tuning> {
  const cvData = makeCvData(trainRows, options.quick ? 3 : 5, options.seed);
  const started = process.hrtime.bigint();
  const run = async (tasks: Task[]): Promise<TaskResult[]> =>
    runTasks(cvData, tasks, {
      ...(options.workers ? { workers: options.workers } : {}),
      ...(options.progress ? { onProgress: options.progress } : {}),
    });
  const candidates = FAMILIES.flatMap((f) => f.candidates(options.seed, options.quick).map((params) => ({ family: f.name, params })));
  const firstFolds = Math.min(HALVING_FIRST_FOLDS, cvData.folds.length);
  const stage1 = await run(candidates.flatMap((c) => foldTasks(cvData, c).slice(0, firstFolds)));
  const stage1Summary = summarize(cvData, stage1);
  const survivors = FAMILIES.flatMap((f) => {
    const mine = stage1Summary.filter((s) => s.family === f.name);
    const keep = Math.max(1, Math.ceil(mine.length / 3));
    return [...mine]
      .sort((a, b) => b.meanAuc - a.meanAuc)
      .slice(0, keep)
      .map((s) => ({ family: s.family, params: s.params }));
  });
  const stage2 = await run(survivors.flatMap((c) => foldTasks(cvData, c).slice(firstFolds)));
  log(`train: ${candidates.length} candidates on ${firstFolds} folds, ${survivors.length} on all ${cvData.folds.length}`);
  const complete = new Set(survivors.map(candidateKey));
  const cv = summarize(cvData, [...stage1, ...stage2]).filter((s) => complete.has(candidateKey(s)));
  const halved = stage1Summary.filter((s) => !complete.has(candidateKey(s)));
  return { cvData, candidates, firstFolds, cv, halved, complete, seconds: elapsed(started) };
}

function bestPerFamily(cv: readonly CvSummary[]): Map<FamilyName, CvSummary> {
  const best = new Map<FamilyName, CvSummary>();
  for (const s of cv) {
    const f = s.family as FamilyName;
    const current = best.get(f);
    if (!current || s.meanAuc > current.meanAuc) best.set(f, s);
  }
  return best;
}

type OnTrain = Map<FamilyName, { cv: CvSummary; pVal: Float64Array; threshold: number }>;

/** 2. Each family's best candidate, refit on train, judged on validation (F1-optimal threshold there). */
function fitOnTrain(best: Map<FamilyName, CvSummary>, rows: Rows, log: (line: string) => void): OnTrain {
  const onTrain: OnTrain = new Map();
  for (const f of FAMILIES) {
    const s = best.get(f.name);
    if (!s) continue;
    const scorer = PipelineScorer.fit(f.name, f.kind, f.final(s.params), f.pipeline, rows.train, rows.train.map(churnLabel));
    const pVal = scorer.score(rows.validation);
    onTrain.set(f.name, { cv: s, pVal, threshold: bestF1Threshold(rows.yVal, pVal).threshold });
    log(`train: ${f.name} cv auc ${s.meanAuc.toFixed(4)} (sd ${s.sdAuc.toFixed(4)}), validation auc ${rocAuc(rows.yVal, pVal).toFixed(4)}`);
  }
  return onTrain;
}

interface Vote {
  /** Families by validation ROC-AUC, best first. */
  ranked: FamilyName[];
  bestSingle: FamilyName;
  bestSingleAuc: number;
  /** The best single family's validation scores (its train-only model). */
  bestSinglePVal: Float64Array;
  members: FamilyName[];
  auc: number;
  keep: boolean;
  pVal: Float64Array;
  threshold: number;
  bestName: string;
}

/** Mean of the members' validation scores. */
function voteScores(onTrain: OnTrain, members: readonly FamilyName[], n: number): Float64Array {
  const p = new Float64Array(n);
  for (const name of members) onTrain.get(name)?.pVal.forEach((v, i) => (p[i] = (p[i] as number) + v / members.length));
  return p;
}

/** 3. The soft vote of the best k families (the k with the best validation ROC-AUC), kept only if it beats the best single model by ENSEMBLE_MIN_GAIN. */
function chooseEnsemble(onTrain: OnTrain, yVal: number[]): Vote {
  const ranked = [...onTrain].sort((a, b) => rocAuc(yVal, b[1].pVal) - rocAuc(yVal, a[1].pVal)).map(([name]) => name);
  const bestSingle = ranked[0];
  if (!bestSingle) throw new Error("no model family produced a model");
  let members: FamilyName[] = [];
  let auc = -1;
  for (let size = 2; size <= ranked.length; size++) {
    const candidate = ranked.slice(0, size);
    const a = rocAuc(yVal, voteScores(onTrain, candidate, yVal.length));
    if (a > auc) {
      auc = a;
      members = candidate;
    }
  }
  const bestSinglePVal = (onTrain.get(bestSingle) as { pVal: Float64Array }).pVal;
  const bestSingleAuc = rocAuc(yVal, bestSinglePVal);
  const keep = auc > bestSingleAuc + ENSEMBLE_MIN_GAIN;
  const pVal = voteScores(onTrain, members, yVal.length);
  return {
    ranked,
    bestSingle,
    bestSingleAuc,
    bestSinglePVal,
    members,
    auc,
    keep,
    pVal,
    threshold: bestF1Threshold(yVal, pVal).threshold,
    bestName: keep ? "ensemble" : bestSingle,
  };
}

interface Fits {
  final: Map<string, Scorer>;
  ensemble: Scorer;
  models: Record<string, ModelReport>;
}

/** 4. Final fits on train+validation; the test set is scored once, here. */
function finalFits(onTrain: OnTrain, vote: Vote, tuning: Tuning, rows: Rows): Fits {
  const trainVal = [...rows.train, ...rows.validation];
  const final = new Map<string, Scorer>();
  const models: Record<string, ModelReport> = {};
  for (const [name, m] of onTrain) {
    const f = family(name);
    const t = process.hrtime.bigint();
    const scorer = PipelineScorer.fit(name, f.kind, f.final(m.cv.params), f.pipeline, trainVal, trainVal.map(churnLabel));
    const fitSeconds = elapsed(t);
    final.set(name, scorer);
    models[name] = {
      family: name,
      params: f.final(m.cv.params),
      cv: {
        folds: tuning.cvData.folds.length,
        mean_auc: m.cv.meanAuc,
        sd_auc: m.cv.sdAuc,
        candidates: tuning.candidates.filter((x) => x.family === name).length,
      },
      validation: scorecard(rows.yVal, m.pVal, m.threshold),
      test: scorecard(rows.yTest, scorer.score(rows.test), m.threshold),
      fit_seconds: fitSeconds,
    };
  }
  const ensemble = new SoftVoteScorer(
    "ensemble",
    vote.members.map((n) => final.get(n) as Scorer),
    vote.members.map(() => 1),
  );
  models["ensemble"] = {
    family: "ensemble",
    params: { members: vote.members, weights: "equal" },
    cv: { folds: 0, mean_auc: null, sd_auc: null, candidates: vote.ranked.length - 1 },
    validation: scorecard(rows.yVal, vote.pVal, vote.threshold),
    test: scorecard(rows.yTest, ensemble.score(rows.test), vote.threshold),
    fit_seconds: vote.members.reduce((s, n) => s + (models[n]?.fit_seconds ?? 0), 0),
  };
  return { final, ensemble, models };
}

interface Calibrated {
  winner: Scorer;
  calibration: ReturnType<typeof chooseCalibrator>;
  report: { validation: Scorecard; test: Scorecard };
}

/**
 * 5. Calibration: fitted on validation scores of the train-only model, kept only if it lowers Brier without hurting
 * ranking (cross-fitted on validation, evaluation/calibration.ts), then applied to the final model's scores. The saved
 * model's scorecards are those of the selected model, or of its calibrated scores, whose F1-optimal threshold is
 * chosen again on validation (a calibrator is monotone, but isotonic steps can merge scores).
 */
function calibrateWinner(fits: Fits, vote: Vote, rows: Rows, seed: number): Calibrated {
  const uncalibrated = vote.keep ? fits.ensemble : (fits.final.get(vote.bestSingle) as Scorer);
  const winnerVal = vote.keep ? vote.pVal : vote.bestSinglePVal;
  const calibration = chooseCalibrator(rows.yVal, winnerVal, { seed });
  const winner: Scorer = calibration.calibrator ? new CalibratedScorer(uncalibrated, calibration.calibrator) : uncalibrated;
  let report: { validation: Scorecard; test: Scorecard } = fits.models[vote.bestName] as ModelReport;
  if (calibration.calibrator) {
    const calVal = calibration.calibrator.apply(winnerVal);
    const threshold = bestF1Threshold(rows.yVal, calVal).threshold;
    report = { validation: scorecard(rows.yVal, calVal, threshold), test: scorecard(rows.yTest, winner.score(rows.test), threshold) };
  }
  return { winner, calibration, report };
}

/** metrics.json: every model's scorecards, the selection, the ensemble's verdict, the tuning record and timings. */
function metricsFile(a: {
  options: TrainOptions;
  data: SplitRows;
  tuning: Tuning;
  fits: Fits;
  vote: Vote;
  calibrated: Calibrated;
  started: bigint;
}): MetricsFile {
  const { options, data, tuning, fits, vote, calibrated } = a;
  return {
    best_model: vote.bestName,
    threshold: calibrated.report.validation.threshold,
    calibration: { choice: calibrated.calibration.choice, validation: calibrated.report.validation, test: calibrated.report.test },
    seed: options.seed,
    quick: options.quick,
    dataset: {
      file: path.basename(options.data),
      sha256: data.report.source.sha256,
      customers: data.customers.length,
      labeled: data.labeled.length,
      churn_rate: churnerCount(data.labeled) / data.labeled.length,
      train: data.train.length,
      validation: data.validation.length,
      test: data.test.length,
    },
    models: fits.models,
    ensemble: {
      members: vote.members,
      kept: vote.keep,
      validation_auc: vote.auc,
      best_single_validation_auc: vote.bestSingleAuc,
      min_gain: ENSEMBLE_MIN_GAIN,
    },
    tuning: [...tuning.cv, ...tuning.halved].map((s) => ({
      family: s.family,
      params: s.params,
      mean_auc: s.meanAuc,
      sd_auc: s.sdAuc,
      folds: tuning.complete.has(candidateKey(s)) ? tuning.cvData.folds.length : tuning.firstFolds,
      seconds: s.seconds,
    })),
    seconds: { total: elapsed(a.started), tuning: tuning.seconds },
  };
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
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [
    `trained on ${m.dataset.train} customers, validated on ${m.dataset.validation}, tested once on ${m.dataset.test} (seed ${m.seed}${m.quick ? ", quick" : ""})`,
    line(header),
    ...rows.map(line),
    `best: ${m.best_model} at threshold ${m.threshold.toFixed(3)}; ${m.seconds.total.toFixed(1)} s in all, ${m.seconds.tuning.toFixed(1)} s tuning`,
  ].join("\n");
}
