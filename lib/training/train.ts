// `churn train`: clean, split, tune every family with CV, select by the one-SE rule on CV, threshold and calibrate on
// validation, test once, write a self-contained model.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CLEANING_RULES, type QualityReport } from "../cleaning/table";
import { ALL_FAMILIES, FAMILIES, type FamilyChoice, type FamilyName, family } from "./families";
import { type Scorecard, bestF1Threshold, rocAuc, scorecard } from "../evaluation/metrics";
import { MODEL_SCHEMA, type MetricsFile, type Selection, type ModelFile, type ModelReport, type SplitFile } from "../artifact/types";
import { MODEL_SCHEMA_VERSION, sealModel } from "../artifact/model-file";
import { modelsReady } from "../models/registry";
import { referenceStatistics } from "../artifact/reference";
import { DEFAULT_ASSUMPTIONS } from "../evaluation/business";
import { campaignPlan, riskBands } from "../evaluation/campaign";
import { EMPC_PAPER_PARAMS, type EmpcParams } from "../evaluation/empc";
import { chooseCalibrator } from "../evaluation/calibration";
import { CalibratedScorer, PipelineScorer, type Scorer, SoftVoteScorer } from "../artifact/scorer";
import type { Customer } from "../core/schema";
import { churnLabel, churnerCount } from "../core/labels";
import { type SplitRows, splitRows } from "./split-rows";
import { type SelectionMetric, foldAucs, foldEmpcs, selectByOneStandardError } from "./selection";
import { type CvData, type CvSummary, type Task, type TaskResult, foldTasks, makeCvData, runTasks, summarize } from "./tuning";

/** Successive halving: folds every candidate is scored on before the best third of each family goes on. */
const HALVING_FIRST_FOLDS = 2;

export interface TrainOptions {
  data: string;
  out: string;
  seed: number;
  quick: boolean;
  /** Worker threads for tuning (default: cores). */
  workers?: number;
  /** The families tuned and the candidates of the selection (default: every family and their soft vote). */
  families?: FamilyChoice;
  /** What the one-standard-error rule compares on CV: ROC-AUC (default) or EMPC (expected maximum profit). */
  selectBy?: "roc_auc" | "empc";
  /** EMPC parameters for every scorecard and an EMPC selection (default: the paper's). */
  empc?: EmpcParams;
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
    empc: options.empc ?? EMPC_PAPER_PARAMS,
  };
  log(
    `train: ${data.labeled.length} labeled customers -> ${rows.train.length} train / ${rows.validation.length} validation / ${rows.test.length} test`,
  );
  const tuning = await tuneByHalving(rows.train, options, log);
  const onTrain = fitOnTrain(bestPerFamily(tuning.cv), rows, log);
  const vote = chooseModel(onTrain, tuning.cvData, rows, (options.families ?? ALL_FAMILIES).candidates, options.selectBy ?? "roc_auc");
  const sel = vote.selection;
  log(
    sel.metric === "empc"
      ? `train: best cv EMPC ${sel.best} ${(sel.best_mean ?? Number.NaN).toFixed(3)} (se ${(sel.best_se ?? Number.NaN).toFixed(3)}); simplest within one se: ${vote.bestName}`
      : `train: best cv auc ${sel.best} ${sel.best_mean_auc.toFixed(4)} (se ${sel.best_se_auc.toFixed(4)}); simplest within one se: ${vote.bestName}`,
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
    business: {
      assumptions: { ...DEFAULT_ASSUMPTIONS },
      ...campaignOnValidation(rows, calibrated.valScores, options.seed),
      empc: { ...(options.empc ?? EMPC_PAPER_PARAMS) },
    },
    performanceReference: { split: "test", scores: Array.from(calibrated.testScores), labels: rows.yTest },
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
  /** EMPC parameters of every scorecard. */
  empc: EmpcParams;
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
  const tuned = FAMILIES.filter((f) => (options.families ?? ALL_FAMILIES).families.includes(f.name));
  const candidates = tuned.flatMap((f) => f.candidates(options.seed, options.quick).map((params) => ({ family: f.name, params })));
  const firstFolds = Math.min(HALVING_FIRST_FOLDS, cvData.folds.length);
  const stage1 = await run(candidates.flatMap((c) => foldTasks(cvData, c).slice(0, firstFolds)));
  const stage1Summary = summarize(cvData, stage1);
  const survivors = tuned.flatMap((f) => {
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
  /** The one-standard-error selection over the families' tuned candidates and their soft vote. */
  selection: Selection;
  /** Families by mean CV ROC-AUC, best first. */
  ranked: FamilyName[];
  /** The soft vote's members: the best k families by CV, k chosen by the vote's own CV ROC-AUC. */
  members: FamilyName[];
  /** The vote's mean CV ROC-AUC (members' out-of-fold scores averaged). */
  cvAuc: number;
  /** The sd of the vote's fold ROC-AUCs. */
  cvSd: number;
  /** The vote's validation ROC-AUC (members' train-only models averaged). */
  auc: number;
  keep: boolean;
  pVal: Float64Array;
  threshold: number;
  /** The selected model: a family name or "ensemble". */
  bestName: string;
  /** The selected model's validation scores (its train-only model). */
  bestPVal: Float64Array;
}

/** Mean of the members' scores. */
function meanScores(scores: readonly ArrayLike<number>[], n: number): Float64Array {
  const p = new Float64Array(n);
  for (const s of scores) for (let i = 0; i < n; i++) p[i] = (p[i] as number) + (s[i] as number) / scores.length;
  return p;
}

/**
 * 3. Selection: each family's tuned candidate and the soft vote of the best k families by CV (k chosen by the vote's
 * CV ROC-AUC on the averaged out-of-fold scores), judged by the one-standard-error rule on CV ROC-AUC
 * (training/selection.ts). Validation is left for the threshold and the calibration. `candidates` narrows the
 * competition to the families alone (no vote) or to the vote alone (--families).
 */
function chooseModel(onTrain: OnTrain, cvData: CvData, rows: Rows, candidates: FamilyChoice["candidates"], metric: SelectionMetric): Vote {
  const { yVal } = rows;
  const ranked = [...onTrain].sort((a, b) => b[1].cv.meanAuc - a[1].cv.meanAuc).map(([name]) => name);
  if (ranked.length === 0) throw new Error("no model family produced a model");
  const oof = (name: FamilyName): Float64Array => (onTrain.get(name) as { cv: CvSummary }).cv.oof;
  const familyCandidates = ranked.map((name) => ({
    name,
    foldAucs: foldAucs(cvData, oof(name)),
    foldEmpcs: foldEmpcs(cvData, oof(name), rows.empc),
  }));
  let members: FamilyName[] = [];
  let voteFolds: number[] = [];
  for (let size = 2; candidates !== "families" && size <= ranked.length; size++) {
    const candidate = ranked.slice(0, size);
    const folds = foldAucs(cvData, meanScores(candidate.map(oof), cvData.labels.length));
    if (members.length === 0 || mean(folds) > mean(voteFolds)) {
      members = candidate;
      voteFolds = folds;
    }
  }
  const vote = {
    name: "ensemble",
    foldAucs: voteFolds,
    ...(members.length ? { foldEmpcs: foldEmpcs(cvData, meanScores(members.map(oof), cvData.labels.length), rows.empc) } : {}),
  };
  const competing = candidates === "ensemble" ? [vote] : members.length ? [...familyCandidates, vote] : familyCandidates;
  const selection = selectByOneStandardError(competing, metric);
  const keep = selection.chosen === "ensemble";
  const pVal = meanScores(
    members.map((n) => (onTrain.get(n) as { pVal: Float64Array }).pVal),
    yVal.length,
  );
  const bestName = selection.chosen;
  return {
    selection,
    ranked,
    members,
    cvAuc: members.length ? mean(voteFolds) : Number.NaN,
    cvSd: members.length ? Math.sqrt(voteFolds.reduce((a, x) => a + (x - mean(voteFolds)) ** 2, 0) / (voteFolds.length - 1)) : Number.NaN,
    auc: members.length ? rocAuc(yVal, pVal) : Number.NaN,
    keep,
    pVal,
    threshold: members.length ? bestF1Threshold(yVal, pVal).threshold : Number.NaN,
    bestName,
    bestPVal: keep ? pVal : (onTrain.get(bestName as FamilyName) as { pVal: Float64Array }).pVal,
  };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Fits {
  final: Map<string, Scorer>;
  /** The soft vote of the vote's members; null when there is no vote (one family, or --families without ensemble). */
  ensemble: Scorer | null;
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
      validation: scorecard(rows.yVal, m.pVal, m.threshold, rows.empc),
      test: scorecard(rows.yTest, scorer.score(rows.test), m.threshold, rows.empc),
      fit_seconds: fitSeconds,
    };
  }
  if (vote.members.length === 0) return { final, ensemble: null, models };
  const ensemble = new SoftVoteScorer(
    "ensemble",
    vote.members.map((n) => final.get(n) as Scorer),
    vote.members.map(() => 1),
  );
  models["ensemble"] = {
    family: "ensemble",
    params: { members: vote.members, weights: "equal" },
    cv: {
      folds: tuning.cvData.folds.length,
      mean_auc: vote.cvAuc,
      sd_auc: vote.cvSd,
      candidates: vote.ranked.length - 1,
    },
    validation: scorecard(rows.yVal, vote.pVal, vote.threshold, rows.empc),
    test: scorecard(rows.yTest, ensemble.score(rows.test), vote.threshold, rows.empc),
    fit_seconds: vote.members.reduce((s, n) => s + (models[n]?.fit_seconds ?? 0), 0),
  };
  return { final, ensemble, models };
}

interface Calibrated {
  winner: Scorer;
  /** The selected model's (calibrated) validation scores. */
  valScores: Float64Array;
  calibration: ReturnType<typeof chooseCalibrator>;
  report: { validation: Scorecard; test: Scorecard };
  /** The saved model's test scores: model.json's performance reference. */
  testScores: Float64Array;
}

/**
 * 5. Calibration: fitted on validation scores of the train-only model, kept only if it lowers Brier without hurting
 * ranking (cross-fitted on validation, evaluation/calibration.ts), then applied to the final model's scores. The saved
 * model's scorecards are those of the selected model, or of its calibrated scores, whose F1-optimal threshold is
 * chosen again on validation (a calibrator is monotone, but isotonic steps can merge scores).
 */
function calibrateWinner(fits: Fits, vote: Vote, rows: Rows, seed: number): Calibrated {
  const uncalibrated = (vote.keep ? fits.ensemble : fits.final.get(vote.bestName)) as Scorer;
  const winnerVal = vote.bestPVal;
  const calibration = chooseCalibrator(rows.yVal, winnerVal, { seed });
  const winner: Scorer = calibration.calibrator ? new CalibratedScorer(uncalibrated, calibration.calibrator) : uncalibrated;
  let report: { validation: Scorecard; test: Scorecard } = fits.models[vote.bestName] as ModelReport;
  let valScores = winnerVal;
  const testScores = winner.score(rows.test);
  if (calibration.calibrator) {
    const calVal = calibration.calibrator.apply(winnerVal);
    valScores = calVal;
    const threshold = bestF1Threshold(rows.yVal, calVal).threshold;
    report = {
      validation: scorecard(rows.yVal, calVal, threshold, rows.empc),
      test: scorecard(rows.yTest, testScores, threshold, rows.empc),
    };
  }
  return { winner, valScores, calibration, report, testScores };
}

/** The campaign plan on validation (default assumptions and limits): the thresholds the API's risk bands use. */
function campaignOnValidation(rows: Rows, valScores: Float64Array, seed: number): Pick<ModelFile["business"], "campaign"> {
  const charges = rows.validation.map((c) => c.MonthlyCharges ?? 0);
  const plan = campaignPlan(rows.yVal, valScores, charges, { samples: 1, seed });
  if (plan.point.threshold === null) return {};
  const watch = riskBands(rows.yVal, valScores, plan)[1];
  return {
    campaign: {
      contactThreshold: plan.point.threshold,
      watchThreshold: watch?.minScore ?? plan.point.threshold,
      capacityShare: plan.limits.capacityShare,
      budgetPer1000: plan.limits.budgetPer1000,
    },
  };
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
    selection: vote.selection,
    ensemble: { members: vote.members, kept: vote.keep, cv_auc: vote.cvAuc, validation_auc: vote.auc },
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
