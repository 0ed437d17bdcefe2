// In-process timing: nearest-rank percentiles, how often and with what each timed function is called, throughput.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Scorer } from "../../lib/artifact/scorer";
import type { Customer } from "../../lib/core/schema";
import { batchScoringRate, bestThroughput, cycleTo, latencyPercentiles, timeCalls, timeEach } from "../../lib/reporting/timing";

/** 1..n in a scrambled order (a fixed permutation: 7 is coprime with every n used here). */
function scrambled(n: number): number[] {
  return Array.from({ length: n }, (_, i) => ((i * 7) % n) + 1);
}

test("latencyPercentiles are nearest-rank over unsorted samples", () => {
  assert.deepEqual(latencyPercentiles(scrambled(1000)), { n: 1000, p50_us: 500, p99_us: 990, p999_us: 999 });
  assert.deepEqual(latencyPercentiles(scrambled(100)), { n: 100, p50_us: 50, p99_us: 99, p999_us: 100 });
  assert.deepEqual(latencyPercentiles([42]), { n: 1, p50_us: 42, p99_us: 42, p999_us: 42 });
  const none = latencyPercentiles([]);
  assert.equal(none.n, 0);
  assert.ok(Number.isNaN(none.p50_us) && Number.isNaN(none.p99_us) && Number.isNaN(none.p999_us));
});

test("timeCalls warms up, then times `calls` calls with their indices, and labels the row", () => {
  const seen: number[] = [];
  const row = timeCalls("probe", (i) => seen.push(i), { calls: 50, warmup: 7 });
  assert.equal(row.path, "probe");
  assert.equal(row.n, 50);
  assert.equal(seen.length, 57);
  assert.deepEqual(seen.slice(0, 7), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(
    seen.slice(7),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.ok(row.p50_us >= 0 && row.p50_us <= row.p99_us && row.p99_us <= row.p999_us);
});

test("timeCalls measures the time a call takes", () => {
  const spin = (): void => {
    const end = process.hrtime.bigint() + 200_000n; // 200 µs
    while (process.hrtime.bigint() < end);
  };
  const row = timeCalls("spin", spin, { calls: 20, warmup: 1 });
  assert.ok(row.p50_us >= 200, `p50 ${row.p50_us} µs for a 200 µs call`);
});

test("timeEach returns every result in item order, after warm-up calls that cycle through the items", () => {
  const calls: string[] = [];
  const out = timeEach(
    ["a", "b", "c"],
    (s) => {
      calls.push(s);
      return s.toUpperCase();
    },
    { warmup: 5 },
  );
  assert.deepEqual(out.results, ["A", "B", "C"]);
  assert.equal(out.n, 3);
  assert.deepEqual(calls, ["a", "b", "c", "a", "b", "a", "b", "c"]);
  assert.deepEqual(timeEach([], (x: number) => x).results, []);
});

test("cycleTo repeats the items in order up to the length asked", () => {
  assert.deepEqual(cycleTo([1, 2], 5), [1, 2, 1, 2, 1]);
  assert.deepEqual(cycleTo([1, 2, 3], 2), [1, 2]);
  assert.deepEqual(cycleTo([], 4), []);
});

test("bestThroughput runs `repeats` times and reports items per second of the fastest run", () => {
  let runs = 0;
  const rate = bestThroughput(
    1000,
    () => {
      runs++;
      const end = process.hrtime.bigint() + 2_000_000n; // 2 ms
      while (process.hrtime.bigint() < end);
    },
    4,
  );
  assert.equal(runs, 4);
  // 1,000 items in at least 2 ms: at most 500,000 per second.
  assert.ok(rate > 0 && rate <= 500_000, `rate ${rate}`);
});

test("batchScoringRate scores the customers cycled to the number of rows asked", () => {
  const batches: number[] = [];
  const scorer = {
    name: "stub",
    scoreOne: () => 0.5,
    score: (cs: readonly Customer[]) => {
      batches.push(cs.length);
      return new Float64Array(cs.length);
    },
    toJSON: () => {
      throw new Error("not serializable");
    },
  } as unknown as Scorer;
  const customers = [{ customerID: "a" }, { customerID: "b" }] as Customer[];
  const rate = batchScoringRate(scorer, customers, 1001, 2);
  assert.deepEqual(batches, [1001, 1001]);
  assert.ok(Number.isFinite(rate) && rate > 0);
});
