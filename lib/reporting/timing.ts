// Latency and throughput measured in the notebook's own process: repeated calls timed one by one with
// process.hrtime, summarized by nearest-rank percentiles (as scripts/bench-serve.js summarizes its calls).
import type { Scorer } from "../artifact/scorer";
import type { Customer } from "../core/schema";

export type LatencyPercentiles = {
  /** Timed calls. */
  n: number;
  p50_us: number;
  p99_us: number;
  p999_us: number;
};

/** The nearest-rank q-quantile of sorted values: the smallest value with at least q of them at or below it. */
function nearestRank(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** Nearest-rank p50, p99 and p99.9 of latencies in microseconds (NaN when there are none). */
export function latencyPercentiles(samplesUs: ArrayLike<number>): LatencyPercentiles {
  const s = Float64Array.from(samplesUs).sort();
  if (s.length === 0) return { n: 0, p50_us: Number.NaN, p99_us: Number.NaN, p999_us: Number.NaN };
  return { n: s.length, p50_us: nearestRank(s, 0.5), p99_us: nearestRank(s, 0.99), p999_us: nearestRank(s, 0.999) };
}

export interface TimeCallsOptions {
  /** Timed calls (default 30,000). */
  calls?: number;
  /** Untimed calls first, to let the JIT settle (default 3,000). */
  warmup?: number;
}

/** One row of a latency table: what was timed and its percentiles in µs. */
export type LatencyRow = LatencyPercentiles & {
  path: string;
};

/** Microseconds since `start` (a process.hrtime.bigint() reading). */
function elapsedUs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/**
 * Calls `call(i)` for i = 0..warmup-1 untimed, then for i = 0..calls-1 with each call timed alone; returns the
 * percentiles under `label`. The index lets the caller cycle through its inputs (`items[i % items.length]`).
 */
export function timeCalls(label: string, call: (i: number) => unknown, options: TimeCallsOptions = {}): LatencyRow {
  const calls = options.calls ?? 30_000;
  const warmup = options.warmup ?? 3_000;
  for (let i = 0; i < warmup; i++) call(i);
  const t = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    call(i);
    t[i] = elapsedUs(start);
  }
  return { path: label, ...latencyPercentiles(t) };
}

export type TimedResults<R> = LatencyPercentiles & {
  /** fn's result per item, in item order. */
  results: R[];
};

/**
 * Applies `fn` to every item once, each call timed alone, after `warmup` untimed calls on the first items (cycling);
 * returns the results and the percentiles of the per-item latency.
 */
export function timeEach<T, R>(items: readonly T[], fn: (item: T) => R, options: { warmup?: number } = {}): TimedResults<R> {
  const warmup = items.length === 0 ? 0 : (options.warmup ?? 20);
  for (let i = 0; i < warmup; i++) fn(items[i % items.length] as T);
  const t = new Float64Array(items.length);
  const results = items.map((item, i) => {
    const start = process.hrtime.bigint();
    const r = fn(item);
    t[i] = elapsedUs(start);
    return r;
  });
  return { results, ...latencyPercentiles(t) };
}

/** The items repeated in order until there are `length` of them: ([a, b], 5) -> [a, b, a, b, a]. */
export function cycleTo<T>(items: readonly T[], length: number): T[] {
  if (items.length === 0) return [];
  return Array.from({ length }, (_, i) => items[i % items.length] as T);
}

/** Items per second of `run` (which processes `items` items per call), best of `repeats` timed calls. */
export function bestThroughput(items: number, run: () => unknown, repeats = 3): number {
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, items / seconds);
  }
  return best;
}

/** Batch scoring throughput of `scorer.score` on `rows` customers (the given ones cycled), customers per second, best of `repeats`. */
export function batchScoringRate(scorer: Scorer, customers: readonly Customer[], rows = 210_000, repeats = 3): number {
  const batch = cycleTo(customers, rows);
  return bestThroughput(batch.length, () => scorer.score(batch), repeats);
}
