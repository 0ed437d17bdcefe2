// The serving benchmark scripts/bench-serve.js writes (bench/bench-serve.json in the artifacts folder): its type, a
// reader that checks the shape, and the views notebook 05 and the slides show of it.
import { existsSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Per-call latency of one in-process path, in µs. */
export interface BenchLatency {
  n: number;
  mean_us: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
  max_us: number;
}

export interface BenchInProcess {
  model_version: string;
  model_name: string;
  model_load_ms: number;
  customers: number;
  refused_records: number;
  heavy_modules_loaded: string[];
  modules_loaded: number;
  score_one: BenchLatency;
  predict_reasons0: BenchLatency;
  predict_reasons3: BenchLatency;
  batch: { rows: number; runs_per_s: number[]; best_per_s: number };
}

/** One load-generator run against a server (ours or the peer). */
export interface BenchLoadRun {
  label: string;
  seconds: number;
  connections: number;
  loadavg_1m_before: number;
  requests: number | null;
  rps: number;
  latency_avg_ms: number | null;
  p50_ms: number | null;
  p75_ms: number | null;
  p90_ms: number | null;
  p99_ms: number;
  non_2xx: number;
  socket_errors: { connect: number; read: number; write: number; timeout: number };
  rss: { peak_total_mb: number; peak_max_process_mb: number; processes: { pid: number; peak_mb: number }[] };
}

/** A run of `churn serve` in one configuration. */
export interface BenchHttpRun extends BenchLoadRun {
  workers: number;
  log_level: string;
  reasons: number;
}

/** The FastAPI peer's run, or why it was not measured. */
export type BenchPeer = (BenchLoadRun & { startup_s: number; skipped?: undefined }) | { skipped: string };

export interface BenchGoal {
  goal: string;
  value: number | null;
  target: number;
  unit: string;
  /** value / target; null when not measured. */
  ratio: number | null;
  status: "PASS" | "MISS" | "N/A";
}

export interface ServeBench {
  bench: "bench-serve";
  quick: boolean;
  short: boolean;
  load_generator: string;
  machine: {
    cpus: number;
    cpu_model: string;
    /** `os.arch()` of the machine measured on; absent in files written before it was recorded. */
    arch?: string;
    total_mem_mb: number;
    node: string;
    platform: string;
    date: string;
    loadavg_start: number[];
    loadavg_end?: number[];
  };
  model: { path: string; model_version: string; name: string };
  data: { file: string; sha256: string };
  settings: {
    calls: number;
    warmup_calls: number;
    batch_rows: number;
    wrk_seconds: number;
    wrk_warmup_seconds: number;
    connections: number;
    wrk_threads: number;
    body: string;
  };
  in_process: BenchInProcess;
  startup: { workers: number; runs_ms: number[]; median_ms: number }[];
  http: BenchHttpRun[];
  peer: BenchPeer;
  goals: BenchGoal[];
  errors: string[];
  seconds: number;
}

/** Where bench-serve.js writes its report in an artifacts folder. */
export function serveBenchFile(artifactsDir: string): string {
  return path.join(artifactsDir, "bench", "bench-serve.json");
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What is wrong with a parsed bench-serve.json, if anything: the fields the views below rely on. */
export function serveBenchProblems(value: unknown): string[] {
  if (!isObject(value)) return ["it is not a JSON object"];
  const problems: string[] = [];
  if (value["bench"] !== "bench-serve") problems.push(`it is not a bench-serve report (bench ${JSON.stringify(value["bench"])})`);
  for (const key of ["machine", "model", "settings", "in_process"]) if (!isObject(value[key])) problems.push(`it has no ${key}`);
  for (const key of ["http", "goals", "startup"]) if (!Array.isArray(value[key])) problems.push(`its ${key} is not a list`);
  if (!isObject(value["peer"])) problems.push("it has no peer entry");
  const http = Array.isArray(value["http"]) ? value["http"] : [];
  if (http.some((r) => !isObject(r) || typeof r["rps"] !== "number" || typeof r["workers"] !== "number" || !isObject(r["rss"]))) {
    problems.push("an HTTP run lacks rps, workers or rss");
  }
  const inProcess = value["in_process"];
  if (isObject(inProcess) && !isObject(inProcess["score_one"])) problems.push("its in_process has no score_one latency");
  return problems;
}

/**
 * Reads bench/bench-serve.json of an artifacts folder: null when the benchmark has not been run, an error naming the
 * file when it is not a bench-serve report.
 */
export function readServeBench(artifactsDir: string): ServeBench | null {
  const file = serveBenchFile(artifactsDir);
  if (!existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid JSON (${(err as Error).message}): run \`npm run bench:serve\` again`, { cause: err });
  }
  const problems = serveBenchProblems(value);
  if (problems.length > 0)
    throw new Error(`${file} is not a serving benchmark this build reads: ${problems.join("; ")}; run \`npm run bench:serve\` again`);
  return value as ServeBench;
}

/**
 * The processor the benchmark ran on, to price its numbers: the file's architecture and CPU model, or, in a file that
 * did not record the architecture, this process's (`os.arch()`, `os.cpus()[0].model`), with `from` saying which.
 */
export function benchProcessor(bench: Pick<ServeBench, "machine">): { arch: string; cpuModel: string; from: "bench" | "this process" } {
  const { arch, cpu_model } = bench.machine;
  if (arch) return { arch, cpuModel: cpu_model, from: "bench" };
  return { arch: os.arch(), cpuModel: os.cpus()[0]?.model ?? "unknown", from: "this process" };
}

/** The run of `churn serve` with its defaults: one process, log level info, three reasons per answer. */
export function defaultHttpRun(bench: ServeBench): BenchHttpRun | undefined {
  return bench.http.find((r) => r.workers === 1 && r.log_level === "info" && r.reasons === 3);
}

/** The run with the most requests per second. */
export function fastestHttpRun(bench: ServeBench): BenchHttpRun | undefined {
  let best: BenchHttpRun | undefined;
  for (const r of bench.http) if (best === undefined || r.rps > best.rps) best = r;
  return best;
}

/** The peer's run when it was measured, else null. */
export function measuredPeer(bench: ServeBench): BenchLoadRun | null {
  const peer = bench.peer;
  return peer.skipped === undefined && typeof peer.rps === "number" ? peer : null;
}

/** Every measured load run: ours in the order run, then the peer when measured. */
export function loadRuns(bench: ServeBench): BenchLoadRun[] {
  const peer = measuredPeer(bench);
  return [...bench.http, ...(peer ? [peer] : [])];
}

export interface PeerComparison {
  ours: BenchHttpRun;
  peer: BenchLoadRun;
  /** Our default server's requests per second over the peer's. */
  throughputRatio: number;
  /** The peer's p99 latency over our default server's (how many times lower ours is). */
  p99Ratio: number;
}

/** The default server against the peer; null when either was not measured (or the peer served nothing). */
export function peerComparison(bench: ServeBench): PeerComparison | null {
  const ours = defaultHttpRun(bench);
  const peer = measuredPeer(bench);
  if (!ours || !peer || !(peer.rps > 0)) return null;
  return { ours, peer, throughputRatio: ours.rps / peer.rps, p99Ratio: peer.p99_ms / ours.p99_ms };
}

export interface GoalTally {
  passed: number;
  /** Goals with a value (PASS or MISS). */
  measured: number;
  /** Goals not measured in this run (N/A). */
  unmeasured: number;
  missed: BenchGoal[];
}

/** How many of the benchmark's goals were met, missed and not measured. */
export function goalTally(bench: ServeBench): GoalTally {
  const missed = bench.goals.filter((g) => g.status === "MISS");
  const passed = bench.goals.filter((g) => g.status === "PASS").length;
  return { passed, measured: passed + missed.length, unmeasured: bench.goals.length - passed - missed.length, missed };
}
