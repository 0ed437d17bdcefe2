// The ONNX export's figures as `npm start` leaves them: the parity report of `churn export --check` and the two
// engines of `scripts/bench-predict.js`, read for the README, REPORT and notebook 05 (one reader, one wording).
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { ParityReport } from "../export/parity";

export interface OnnxParityFile extends ParityReport {
  model: { model_version: string; learners: string };
  onnx: { file: string; bytes: number; sha256: string; nodes: number; opsets: { default: number; ml: number } };
  data: string;
}

export interface PredictBenchEngine {
  engine: "js" | "onnx";
  description: string;
  rows_per_s: number;
  peak_rss_mb: number;
  scoring_alone: { customers: number; batch_rows: number; batched_rows_per_s: number; one_batch_rows_per_s: number };
}

export interface PredictBench {
  rows: number;
  data: string;
  model: { model_version: string };
  machine: { cpus: number; cpu_model: string; arch: string; node: string; date: string };
  engines: PredictBenchEngine[];
}

function readJson<T>(file: string, fix: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): ${fix}`, { cause: err });
  }
}

/** artifacts/onnx-parity.json (`npm run export:onnx`), or null before the first run. */
export function readOnnxParity(artifactsDir: string): OnnxParityFile | null {
  return readJson<OnnxParityFile>(path.join(artifactsDir, "onnx-parity.json"), "run `npm run export:onnx` again");
}

/** artifacts/bench/bench-predict.json (`npm start`, or `npm run bench:predict -- --out ...`), or null. */
export function readPredictBench(artifactsDir: string): PredictBench | null {
  return readJson<PredictBench>(path.join(artifactsDir, "bench", "bench-predict.json"), "run `npm start` again");
}

const rate = (x: number): string => Math.round(x).toLocaleString("en-US");

/** One row per engine: end to end through churn predict, and the engine alone on cleaned customers. */
export function predictBenchRows(bench: PredictBench): Record<string, string>[] {
  return bench.engines.map((e) => ({
    engine: e.engine === "js" ? "js (TypeScript scorer)" : "onnx (ONNX Runtime)",
    "churn predict rows/s": rate(e.rows_per_s),
    "peak RSS MB": e.peak_rss_mb.toFixed(0),
    [`scoring alone, batches of ${e.scoring_alone.batch_rows.toLocaleString("en-US")} (rows/s)`]: rate(e.scoring_alone.batched_rows_per_s),
    [`one batch of ${e.scoring_alone.customers.toLocaleString("en-US")} (rows/s)`]: rate(e.scoring_alone.one_batch_rows_per_s),
  }));
}

/** One sentence: what was exported and how closely it matches. */
export function paritySentence(p: OnnxParityFile): string {
  return (
    `\`churn export\` wrote ${p.model.model_version} (${p.model.learners}) as \`${path.basename(p.onnx.file)}\`: ` +
    `${Math.round(p.onnx.bytes / 1024).toLocaleString("en-US")} KiB, ${p.onnx.nodes} nodes, opset ${p.onnx.opsets.default} + ai.onnx.ml ${p.onnx.opsets.ml}. ` +
    `On all ${p.customers.toLocaleString("en-US")} cleaned customers of \`${path.basename(p.data)}\` its probabilities differ from the model's by at most ` +
    `${p.maxAbsDiff.toExponential(1)} (mean ${p.meanAbsDiff.toExponential(1)}; the test bound is ${p.tolerance.toExponential(0)}), and ` +
    `${p.decisionsDiffer === 0 ? "no decision" : `${p.decisionsDiffer} decision(s)`} at the threshold differ${p.decisionsDiffer === 0 ? "s" : ""}.`
  );
}
