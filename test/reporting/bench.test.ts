// The serving benchmark reader and its views: default and fastest runs, the peer when measured, goal tallies.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type BenchHttpRun,
  type ServeBench,
  benchProcessor,
  defaultHttpRun,
  fastestHttpRun,
  goalTally,
  loadRuns,
  measuredPeer,
  peerComparison,
  readServeBench,
  serveBenchFile,
  serveBenchProblems,
} from "../../lib/reporting/bench";

function httpRun(workers: number, logLevel: string, reasons: number, rps: number, p99: number): BenchHttpRun {
  return {
    label: `ours workers=${workers} log=${logLevel} reasons=${reasons}`,
    workers,
    log_level: logLevel,
    reasons,
    seconds: 3,
    connections: 8,
    loadavg_1m_before: 1,
    requests: Math.round(rps * 3),
    rps,
    latency_avg_ms: p99 / 3,
    p50_ms: p99 / 4,
    p75_ms: p99 / 3,
    p90_ms: p99 / 2,
    p99_ms: p99,
    non_2xx: 0,
    socket_errors: { connect: 0, read: 0, write: 0, timeout: 0 },
    rss: { peak_total_mb: 100 + workers, peak_max_process_mb: 100, processes: [{ pid: 1, peak_mb: 100 }] },
  };
}

const latency = { n: 10, mean_us: 3, p50_us: 2.5, p99_us: 4, p999_us: 9, max_us: 12 };

function bench(over: Partial<ServeBench> = {}): ServeBench {
  return {
    bench: "bench-serve",
    quick: true,
    short: false,
    load_generator: "wrk",
    machine: {
      cpus: 2,
      cpu_model: "test cpu",
      total_mem_mb: 1024,
      node: "v20",
      platform: "linux",
      date: "2026-01-01T00:00:00.000Z",
      loadavg_start: [1, 1, 1],
    },
    model: { path: "/m/model.json", model_version: "xgboost@000000000000", name: "xgboost" },
    data: { file: "x.csv", sha256: "0".repeat(64) },
    settings: {
      calls: 10,
      warmup_calls: 1,
      batch_rows: 100,
      wrk_seconds: 3,
      wrk_warmup_seconds: 1,
      connections: 8,
      wrk_threads: 1,
      body: "first customer",
    },
    in_process: {
      model_version: "xgboost@000000000000",
      model_name: "xgboost",
      model_load_ms: 10,
      customers: 100,
      refused_records: 0,
      heavy_modules_loaded: [],
      modules_loaded: 300,
      score_one: latency,
      predict_reasons0: latency,
      predict_reasons3: latency,
      batch: { rows: 100, runs_per_s: [1, 2, 3], best_per_s: 3 },
    },
    startup: [{ workers: 1, runs_ms: [100, 110, 120], median_ms: 110 }],
    http: [httpRun(1, "warn", 3, 15_000, 2), httpRun(1, "info", 3, 12_000, 2.5), httpRun(2, "warn", 0, 20_000, 1.5)],
    peer: { ...httpRun(1, "info", 3, 300, 50), label: "peer FastAPI (xgboost)", startup_s: 2 },
    goals: [
      { goal: "a", value: 1, target: 1, unit: "x", ratio: 1, status: "PASS" },
      { goal: "b", value: 2, target: 1, unit: "x", ratio: 2, status: "MISS" },
      { goal: "c", value: null, target: 1, unit: "x", ratio: null, status: "N/A" },
      { goal: "d", value: 0, target: 0, unit: "", ratio: null, status: "PASS" },
    ],
    errors: [],
    seconds: 20,
    ...over,
  };
}

describe("readServeBench", () => {
  test("reads bench/bench-serve.json of an artifacts folder, and null when there is none", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-bench-"));
    try {
      assert.equal(serveBenchFile(dir), path.join(dir, "bench", "bench-serve.json"));
      assert.equal(readServeBench(dir), null);
      fs.mkdirSync(path.join(dir, "bench"));
      fs.writeFileSync(serveBenchFile(dir), JSON.stringify(bench()));
      assert.deepEqual(readServeBench(dir), bench());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("refuses invalid JSON and reports of another shape, naming the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-bench-"));
    try {
      fs.mkdirSync(path.join(dir, "bench"));
      fs.writeFileSync(serveBenchFile(dir), "{ not json");
      assert.throws(
        () => readServeBench(dir),
        (err: Error) => err.message.startsWith(`${serveBenchFile(dir)} is not valid JSON`),
      );
      const { http: _http, ...noHttp } = bench();
      fs.writeFileSync(serveBenchFile(dir), JSON.stringify(noHttp));
      assert.throws(() => readServeBench(dir), /bench-serve\.json is not a serving benchmark .*its http is not a list/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("serveBenchProblems names each missing part", () => {
    assert.deepEqual(serveBenchProblems(bench()), []);
    assert.deepEqual(serveBenchProblems([]), ["it is not a JSON object"]);
    assert.ok(serveBenchProblems({ ...bench(), bench: "bench-train" }).some((p) => p.includes("not a bench-serve report")));
    assert.ok(
      serveBenchProblems({ ...bench(), in_process: { ...bench().in_process, score_one: null } }).includes(
        "its in_process has no score_one latency",
      ),
    );
    assert.ok(serveBenchProblems({ ...bench(), http: [{ label: "x" }] }).includes("an HTTP run lacks rps, workers or rss"));
  });
});

describe("views", () => {
  test("the default run is one worker, log info, three reasons; the fastest has the most requests per second", () => {
    const b = bench();
    assert.equal(defaultHttpRun(b), b.http[1]);
    assert.equal(fastestHttpRun(b), b.http[2]);
    assert.equal(defaultHttpRun(bench({ http: [httpRun(2, "info", 3, 1, 1)] })), undefined);
    assert.equal(fastestHttpRun(bench({ http: [] })), undefined);
  });

  test("the peer counts only when measured; loadRuns puts it after ours", () => {
    const b = bench();
    assert.equal(measuredPeer(b), b.peer);
    assert.deepEqual(
      loadRuns(b).map((r) => r.label),
      [...b.http.map((r) => r.label), "peer FastAPI (xgboost)"],
    );
    const skipped = bench({ peer: { skipped: "no --peers folder given" } });
    assert.equal(measuredPeer(skipped), null);
    assert.deepEqual(loadRuns(skipped), skipped.http);
  });

  test("peerComparison divides the default server's throughput by the peer's, and the peer's p99 by ours", () => {
    const vs = peerComparison(bench());
    assert.ok(vs);
    assert.equal(vs.ours.rps, 12_000);
    assert.equal(vs.throughputRatio, 40);
    assert.equal(vs.p99Ratio, 20);
    assert.equal(peerComparison(bench({ peer: { skipped: "x" } })), null);
    assert.equal(peerComparison(bench({ http: [httpRun(2, "warn", 0, 1, 1)] })), null);
  });

  test("benchProcessor: the file's architecture and CPU model, else this process's", () => {
    const b = bench();
    const recorded = { ...b, machine: { ...b.machine, arch: "arm64", cpu_model: "Neoverse-V1" } };
    assert.deepEqual(benchProcessor(recorded), { arch: "arm64", cpuModel: "Neoverse-V1", from: "bench" });
    assert.equal(b.machine.arch, undefined);
    assert.deepEqual(benchProcessor(b), { arch: os.arch(), cpuModel: os.cpus()[0]?.model ?? "unknown", from: "this process" });
  });

  test("goalTally counts met, missed and unmeasured goals", () => {
    const t = goalTally(bench());
    assert.equal(t.passed, 2);
    assert.equal(t.measured, 3);
    assert.equal(t.unmeasured, 1);
    assert.deepEqual(
      t.missed.map((g) => g.goal),
      ["b"],
    );
  });
});
