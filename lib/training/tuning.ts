// Cross-validated evaluation of (family, parameters) on stratified folds, sequential or spread over worker threads.
import { cpus } from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import seedrandom from "seedrandom";
import type { Imbalance } from "../artifact/types";
import { family } from "./families";
import { rocAuc } from "../evaluation/metrics";
import type { Matrix } from "../core/matrix";
import { createModel } from "../models/registry";
import { FeaturePipeline, type PipelineOptions } from "../features/pipeline";
import type { Customer } from "../core/schema";
import { stratifiedKFold } from "../core/split";
import { churnLabels } from "../core/labels";

export interface Task {
  family: string;
  params: Record<string, unknown>;
  fold: number;
  imbalance?: Imbalance;
  /** Overrides of the family's pipeline options (ablation, selection). */
  pipeline?: PipelineOptions;
}

export interface TaskResult {
  task: Task;
  auc: number;
  /** Out-of-fold probabilities for the fold's validation rows (row indices into the CV data). */
  rows: number[];
  probabilities: number[];
  seconds: number;
}

export interface CvData {
  customers: Customer[];
  labels: number[];
  folds: { train: number[]; validation: number[] }[];
  seed: number;
}

export function makeCvData(customers: readonly Customer[], k: number, seed: number): CvData {
  const labels = churnLabels(customers);
  return { customers: [...customers], labels, folds: stratifiedKFold(labels, k, seed), seed };
}

/** Balanced class weights: each class carries half the total weight, as scikit-learn's class_weight="balanced". */
export function balancedWeights(labels: ArrayLike<number>): Float64Array {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) pos++;
  const neg = labels.length - pos;
  const w = new Float64Array(labels.length);
  for (let i = 0; i < labels.length; i++) w[i] = labels[i] === 1 ? labels.length / (2 * pos) : labels.length / (2 * neg);
  return w;
}

/** Random oversampling of churners until the classes balance, inside a training fold only. */
export function oversample(rows: readonly number[], labels: ArrayLike<number>, seed: number): number[] {
  const rng = seedrandom(`oversample:${seed}`);
  const pos = rows.filter((r) => labels[r] === 1);
  if (pos.length === 0) return [...rows];
  const neg = rows.length - pos.length;
  const extra: number[] = [];
  for (let i = pos.length; i < neg; i++) extra.push(pos[Math.floor(rng() * pos.length)] as number);
  return [...rows, ...extra];
}

/** Fold matrices are the same for every parameter set of a family: build each once. */
export class FoldCache {
  private readonly cache = new Map<string, { Xtrain: Matrix; Xval: Matrix }>();
  constructor(readonly data: CvData) {}

  matrices(options: PipelineOptions, fold: number): { Xtrain: Matrix; Xval: Matrix } {
    const key = `${fold}:${JSON.stringify(options)}`;
    let hit = this.cache.get(key);
    if (!hit) {
      const f = this.data.folds[fold];
      if (!f) throw new RangeError(`no fold ${fold}`);
      const train = f.train.map((r) => this.data.customers[r] as Customer);
      const pipeline = FeaturePipeline.fit(train, options);
      hit = {
        Xtrain: pipeline.transformMany(train),
        Xval: pipeline.transformMany(f.validation.map((r) => this.data.customers[r] as Customer)),
      };
      this.cache.set(key, hit);
    }
    return hit;
  }
}

export function runTask(cache: FoldCache, task: Task): TaskResult {
  const started = process.hrtime.bigint();
  const fam = family(task.family);
  const options = { ...fam.pipeline, ...task.pipeline };
  const { Xtrain, Xval } = cache.matrices(options, task.fold);
  const f = cache.data.folds[task.fold];
  if (!f) throw new RangeError(`no fold ${task.fold}`);
  const labels = cache.data.labels;
  const imbalance = task.imbalance ?? "none";
  let X: Matrix = Xtrain;
  let y: number[] = f.train.map((r) => labels[r] as number);
  let params = task.params;
  let sampleWeights: Float64Array | undefined;
  if (imbalance === "oversample") {
    const local = oversample(
      f.train.map((_, i) => i),
      y,
      cache.data.seed + task.fold,
    );
    X = local.map((i) => Xtrain[i] as Float64Array);
    y = local.map((i) => y[i] as number);
  } else if (imbalance === "weights") {
    // Learners that take weights get balanced ones (XGBoost takes weights constant within a class, as these are);
    // the others (forest, k-NN) balance classes their own way.
    const model = createModel(fam.kind, params);
    if (model.capabilities.sampleWeights || fam.kind === "xgboost") sampleWeights = balancedWeights(y);
    else params = { ...params, classWeight: "balanced" };
  }
  const model = createModel(fam.kind, params);
  model.fit(X, y, sampleWeights ? { sampleWeights } : {});
  const p = model.predictProba(Xval);
  const yVal = f.validation.map((r) => labels[r] as number);
  return {
    task,
    auc: rocAuc(yVal, p),
    rows: f.validation,
    probabilities: Array.from(p),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

export interface RunOptions {
  /** Worker threads; 1 runs in this thread. Default: the number of cores, at most 2 here. */
  workers?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Runs tasks, in worker threads when there is more than one core, results in task order. */
export async function runTasks(data: CvData, tasks: readonly Task[], options: RunOptions = {}): Promise<TaskResult[]> {
  const workers = Math.max(1, Math.min(options.workers ?? cpus().length, tasks.length));
  const results: TaskResult[] = new Array<TaskResult>(tasks.length);
  let done = 0;
  if (workers === 1) {
    const cache = new FoldCache(data);
    for (let i = 0; i < tasks.length; i++) {
      results[i] = runTask(cache, tasks[i] as Task);
      options.onProgress?.(++done, tasks.length);
    }
    return results;
  }
  // Tasks sorted so a worker tends to reuse its cached fold matrices; results keep the caller's order.
  const queue = tasks.map((t, i) => ({ t, i })).sort((a, b) => a.t.fold - b.t.fold || a.t.family.localeCompare(b.t.family));
  const script = path.join(__dirname, "tune-worker.js");
  await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(script, { workerData: data });
          const next = (): void => {
            const job = queue.shift();
            if (!job) {
              void worker.terminate().then(() => resolve());
              return;
            }
            worker.postMessage(job);
          };
          worker.on("message", (msg: { i: number; result?: TaskResult; error?: string; ready?: boolean }) => {
            if (msg.ready) return next();
            if (msg.error !== undefined) {
              void worker.terminate();
              reject(new Error(`tuning task failed: ${msg.error}`));
              return;
            }
            results[msg.i] = msg.result as TaskResult;
            options.onProgress?.(++done, tasks.length);
            next();
          });
          worker.on("error", reject);
        }),
    ),
  );
  return results;
}

export interface CvSummary {
  family: string;
  params: Record<string, unknown>;
  imbalance: Imbalance;
  meanAuc: number;
  sdAuc: number;
  seconds: number;
  /** Out-of-fold probabilities aligned with CvData rows. */
  oof: Float64Array;
}

/** Groups fold results by (family, params, imbalance, pipeline) into cross-validated summaries, in first-seen order. */
export function summarize(data: CvData, results: readonly TaskResult[]): CvSummary[] {
  const groups = new Map<string, TaskResult[]>();
  for (const r of results) {
    const key = JSON.stringify([r.task.family, r.task.params, r.task.imbalance ?? "none", r.task.pipeline ?? {}]);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0] as TaskResult;
    const aucs = g.map((r) => r.auc);
    const mean = aucs.reduce((s, a) => s + a, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((s, a) => s + (a - mean) ** 2, 0) / Math.max(1, aucs.length - 1));
    const oof = new Float64Array(data.labels.length).fill(Number.NaN);
    for (const r of g) r.rows.forEach((row, i) => (oof[row] = r.probabilities[i] as number));
    return {
      family: first.task.family,
      params: first.task.params,
      imbalance: first.task.imbalance ?? "none",
      meanAuc: mean,
      sdAuc: sd,
      seconds: g.reduce((s, r) => s + r.seconds, 0),
      oof,
    };
  });
}

/** Tasks for every fold of each (params) candidate. */
export function foldTasks(data: CvData, base: Omit<Task, "fold">): Task[] {
  return data.folds.map((_, fold) => ({ ...base, fold }));
}
