#!/usr/bin/env node
// Serving benchmark: in-process scoring latency and batch throughput, then the HTTP API under load (wrk when it is on
// PATH, else autocannon in this process), then, given --peers, the FastAPI peer with the same load. Prints a table and
// PASS/MISS per goal, and writes everything to artifacts/bench/bench-serve.json. A missed goal is reported, not an
// error: the exit code is non-zero only when something could not be measured because of an error.
//
//   npm run bench:serve  (builds first)
//   node scripts/bench-serve.js [--quick | --short] [--peers DIR] [--model PATH] [--out PATH] [--data CSV]
//
// --short is the measurement `npm start` makes: the default and the Dockerfile's configurations only, 3 s each.
// --peers DIR names a folder with peer_api.py (FastAPI + scikit-learn/XGBoost) to measure side by side.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");

const { root, lib } = require("./lib/dist");
const { values: args } = require("./lib/args").scriptArgs(
  "bench-serve",
  "node scripts/bench-serve.js [--quick | --short] [--peers DIR] [--model FILE] [--out FILE] [--data CSV] [--clean-data CSV]",
  {
    quick: { type: "boolean", default: false },
    short: { type: "boolean", default: false },
    peers: { type: "string" },
    model: { type: "string" },
    out: { type: "string" },
    data: { type: "string" },
    "clean-data": { type: "string" },
  },
);
const { dataRef } = lib("artifact/run");
const { locateData } = lib("data/acquire");
const quick = args.quick || args.short;
const short = args.short;
const artifactsDir = path.resolve(root, process.env.CHURN_ARTIFACTS || "artifacts");
const modelPath = path.resolve(args.model ?? path.join(artifactsDir, "model.json"));
const outPath = path.resolve(args.out ?? path.join(artifactsDir, "bench", "bench-serve.json"));
const located = locateData(root);
// Records scored in process come from the run's export; the peer reads IBM's clean file (it has no cleaner).
const dataPath = path.resolve(args.data ?? located.exportFile);
const cleanDataPath = path.resolve(args["clean-data"] ?? located.cleanFile);
const peersDir = args.peers ? path.resolve(args.peers) : null;
const luaFile = path.join(__dirname, "bench", "post.lua");
const bodyFile = path.join(os.tmpdir(), `churn-bench-body-${process.pid}.json`);
process.on("exit", () => fs.rmSync(bodyFile, { force: true }));

const CALLS = quick ? 20_000 : 60_000;
const WARMUP_CALLS = quick ? 5_000 : 20_000;
const BATCH_ROWS = 200_000;
const WRK_SECONDS = quick ? 3 : 10;
const WRK_WARMUP_SECONDS = 1;
const CONNECTIONS = 8;

const GOALS = {
  http_rps: 10_000,
  http_p99_ms: 5,
  peer_ratio: 40,
  rss_mb: 150,
  inproc_p50_us: 20,
  inproc_p99_us: 100,
  batch_per_s: 200_000,
  startup_ms: 250,
};
const STARTUP_RUNS = 5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? x : Number(x.toFixed(d)));
const log = (...a) => console.log(...a);
const errors = [];

// ---------------------------------------------------------------------------------------------------------------
// 1. In-process
// ---------------------------------------------------------------------------------------------------------------

function percentiles(samples) {
  const s = Float64Array.from(samples).sort();
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    mean_us: round(sum / s.length / 1000, 3),
    p50_us: round(at(0.5) / 1000, 3),
    p99_us: round(at(0.99) / 1000, 3),
    p999_us: round(at(0.999) / 1000, 3),
    max_us: round(s[s.length - 1] / 1000, 3),
  };
}

/** Calls fn(items[i % n]) `warm` times, then `calls` times with one hrtime pair each; returns percentiles in µs. */
function latency(items, fn, calls, warm) {
  let sink = 0;
  for (let i = 0; i < warm; i++) sink += fn(items[i % items.length]) ? 1 : 0;
  const ns = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const item = items[i % items.length];
    const t0 = process.hrtime.bigint();
    const r = fn(item);
    ns[i] = Number(process.hrtime.bigint() - t0);
    if (r) sink++;
  }
  if (sink < 0) log("unreachable");
  return percentiles(ns);
}

function inProcess() {
  const { PredictionService } = lib("serving/service");
  lib("serving/cluster");
  const heavy = Object.keys(require.cache).filter((k) => k.includes("danfojs") || k.includes("@tensorflow"));
  const modulesLoaded = Object.keys(require.cache).length;
  log(
    `serving modules (service + server): ${modulesLoaded} files in require.cache; danfojs/@tensorflow among them: ${heavy.length === 0 ? "none" : heavy.join(", ")}`,
  );
  if (heavy.length > 0) errors.push(`serving path loads heavy modules: ${heavy.slice(0, 3).join(", ")}`);

  const t0 = process.hrtime.bigint();
  const service = PredictionService.load(modelPath);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const { cleanFile } = lib("cleaning/table");
  const customers = cleanFile(dataPath).customers;
  // Raw records as an API client would send them: IBM field names, numbers as numbers, no label, no nulls.
  const records = customers.map((c) => {
    const r = {};
    for (const [k, v] of Object.entries(c)) if (k !== "Churn" && v !== null) r[k] = v;
    return r;
  });
  log(
    `model ${service.version} loaded in ${loadMs.toFixed(1)} ms; ${customers.length} customers of ${path.basename(dataPath)}; ${CALLS} timed calls after ${WARMUP_CALLS} warm-up calls`,
  );

  const scorer = service.scorer;
  const scoreOne = latency(customers, (c) => scorer.scoreOne(c), CALLS, WARMUP_CALLS);
  log(`  scorer.scoreOne                 p50 ${scoreOne.p50_us} µs  p99 ${scoreOne.p99_us} µs  p99.9 ${scoreOne.p999_us} µs`);
  const predict0 = latency(records, (r) => service.predict(r, { reasons: 0 }).ok, CALLS, WARMUP_CALLS);
  log(`  service.predict reasons=0       p50 ${predict0.p50_us} µs  p99 ${predict0.p99_us} µs  p99.9 ${predict0.p999_us} µs`);
  const predict3 = latency(records, (r) => service.predict(r).ok, CALLS, WARMUP_CALLS);
  log(`  service.predict reasons=3       p50 ${predict3.p50_us} µs  p99 ${predict3.p99_us} µs  p99.9 ${predict3.p999_us} µs`);
  const refused = records.filter((r) => !service.predict(r, { reasons: 0 }).ok).length;
  if (refused > 0) log(`  note: ${refused} IBM records refused by predict`);

  const repeats = Math.ceil(BATCH_ROWS / customers.length);
  const big = [];
  for (let i = 0; i < repeats; i++) for (const c of customers) big.push(c);
  scorer.score(customers.slice(0, 2000)); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    const p = scorer.score(big);
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (p.length !== big.length) errors.push("batch score returned the wrong length");
    runs.push(big.length / s);
  }
  const batch = { rows: big.length, runs_per_s: runs.map((r) => Math.round(r)), best_per_s: Math.round(Math.max(...runs)) };
  log(`  scorer.score batch of ${big.length} rows: best of 3 ${batch.best_per_s.toLocaleString("en-US")} customers/s`);
  return {
    model_version: service.version,
    model_name: service.file.name,
    model_load_ms: round(loadMs, 1),
    customers: customers.length,
    refused_records: refused,
    heavy_modules_loaded: heavy,
    modules_loaded: modulesLoaded,
    score_one: scoreOne,
    predict_reasons0: predict0,
    predict_reasons3: predict3,
    batch,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2./3. HTTP helpers
// ---------------------------------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function request(port, method, urlPath, body) {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, headers: body ? { "content-type": "application/json" } : {}, agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      },
    );
    req.on("error", () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
    req.end(body);
  });
}

/** Polls until `check()` is true, or the child exits, or the timeout passes. */
async function waitFor(child, check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms`);
}

function stopChild(child, graceMs = 5000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    child.kill("SIGTERM");
  });
}

function childrenOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples RSS of a process and its children every 200 ms; stop() returns peaks in MB. */
function rssSampler(pid) {
  const peak = { total: 0, perProcess: {} };
  const sample = () => {
    const pids = [pid, ...childrenOf(pid)];
    let total = 0;
    for (const p of pids) {
      const kb = rssKb(p);
      total += kb;
      peak.perProcess[p] = Math.max(peak.perProcess[p] ?? 0, kb);
    }
    peak.total = Math.max(peak.total, total);
  };
  sample();
  const timer = setInterval(sample, 200);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const per = Object.entries(peak.perProcess).map(([p, kb]) => ({ pid: Number(p), peak_mb: round(kb / 1024, 1) }));
      return {
        peak_total_mb: round(peak.total / 1024, 1),
        peak_max_process_mb: round(Math.max(...per.map((p) => p.peak_mb)), 1),
        processes: per,
      };
    },
  };
}

function toMs(value, unit) {
  const v = Number(value);
  return unit === "us" ? v / 1000 : unit === "ms" ? v : unit === "s" ? v * 1000 : unit === "m" ? v * 60_000 : NaN;
}

function parseWrk(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const lat = {};
  for (const q of ["50", "75", "90", "99"]) {
    const m = new RegExp(`^\\s*${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(text);
    lat[`p${q}_ms`] = m ? round(toMs(m[1], m[2]), 3) : null;
  }
  const avg = /Latency\s+([\d.]+)(us|ms|s|m)/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: num(/(\d+) requests in/),
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    latency_avg_ms: avg ? round(toMs(avg[1], avg[2]), 3) : null,
    ...lat,
    non_2xx: num(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
    socket_errors: sock
      ? { connect: +sock[1], read: +sock[2], write: +sock[3], timeout: +sock[4] }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

function runWrk(url, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "-s", luaFile, url], {
      env: { ...process.env, WRK_BODY_FILE: bodyFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk exited ${code}: ${err || out}`))));
  });
}

/** The same load from autocannon (a devDependency) in this process, for machines without wrk; same result shape. */
async function runAutocannon(url, seconds) {
  const autocannon = require("autocannon");
  const r = await autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: fs.readFileSync(bodyFile),
    connections: CONNECTIONS,
    duration: seconds,
  });
  return {
    requests: r.requests.total,
    rps: round(r.requests.total / r.duration, 2),
    latency_avg_ms: round(r.latency.average, 3),
    p50_ms: r.latency.p50,
    p75_ms: r.latency.p75,
    p90_ms: r.latency.p90,
    p99_ms: r.latency.p99,
    non_2xx: r.non2xx,
    socket_errors: { connect: 0, read: Math.max(0, r.errors - r.timeouts), write: 0, timeout: r.timeouts },
  };
}

const haveWrk = spawnSync("wrk", ["--version"], { encoding: "utf8" }).error === undefined;
const LOAD = haveWrk
  ? { name: "wrk", describe: (s) => `wrk -t1 -c${CONNECTIONS} -d${s}s --latency -s scripts/bench/post.lua`, run: runWrk }
  : {
      name: "autocannon",
      describe: (s) => `autocannon -c ${CONNECTIONS} -d ${s} (in the benchmark's process; wrk not on PATH)`,
      run: runAutocannon,
    };

/**
 * Time from spawning `churn serve` to its first 200 on /ready (polled every 5 ms over fresh connections), the median
 * of STARTUP_RUNS starts: node's own start, loading the serving modules and the model, building the app, listening.
 */
async function startupTime(workers) {
  const runs = [];
  for (let i = 0; i < STARTUP_RUNS; i++) {
    const port = await freePort();
    const t0 = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [
        path.join(root, "bin", "churn.js"),
        "serve",
        "--model",
        modelPath,
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
        "--workers",
        String(workers),
        "--log-level",
        "warn",
      ],
      { stdio: "ignore" },
    );
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`churn serve exited with ${child.exitCode} before it was ready`);
        if (Date.now() > deadline) throw new Error("churn serve not ready after 30 s");
        if ((await request(port, "GET", "/ready")) === 200) break;
        await sleep(5);
      }
      runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } finally {
      await stopChild(child);
    }
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { workers, runs_ms: runs.map((r) => round(r, 1)), median_ms: round(sorted[Math.floor(sorted.length / 2)], 1) };
}

/** Starts `churn serve`, waits for /ready, warms up, runs wrk while sampling RSS, stops it. */
async function benchOurs({ workers, logLevel, reasons }) {
  const label = `ours workers=${workers} log=${logLevel} reasons=${reasons}`;
  let child;
  let port;
  let stderr = "";
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    stderr = "";
    child = spawn(
      process.execPath,
      [
        path.join(root, "bin", "churn.js"),
        "serve",
        "--model",
        modelPath,
        "--port",
        String(port),
        "--host",
        "127.0.0.1",
        "--workers",
        String(workers),
        "--log-level",
        logLevel,
      ],
      {
        stdio: ["ignore", "ignore", "pipe"], // stdout (the JSON request log) to /dev/null: the logging cost is included
      },
    );
    child.stderr.on("data", (d) => (stderr += d));
    try {
      await waitFor(child, async () => (await request(port, "GET", "/ready")) === 200, 30_000, label);
      break;
    } catch (err) {
      await stopChild(child);
      if (attempt >= 3 || !/EADDRINUSE/.test(stderr)) throw new Error(`${err.message}\n${stderr}`, { cause: err });
    }
  }
  try {
    if (workers > 1) await sleep(1000); // let every worker finish loading the model
    const url = `http://127.0.0.1:${port}/predict${reasons === 3 ? "" : `?reasons=${reasons}`}`;
    await LOAD.run(url, WRK_WARMUP_SECONDS);
    const rss = rssSampler(child.pid);
    const load = os.loadavg()[0];
    const result = await LOAD.run(url, WRK_SECONDS);
    const mem = rss.stop();
    const r = {
      label,
      workers,
      log_level: logLevel,
      reasons,
      seconds: WRK_SECONDS,
      connections: CONNECTIONS,
      loadavg_1m_before: round(load, 2),
      ...result,
      rss: mem,
    };
    log(
      `  ${label.padEnd(36)} ${String(Math.round(r.rps)).padStart(7)} req/s  p50 ${r.p50_ms} ms  p90 ${r.p90_ms} ms  p99 ${r.p99_ms} ms  non-2xx ${r.non_2xx}  RSS peak ${mem.peak_total_mb} MB (largest process ${mem.peak_max_process_mb} MB)`,
    );
    return r;
  } finally {
    const code = await stopChild(child);
    if (code !== 0 && code !== "SIGTERM") log(`  (server exited with ${code})${stderr ? `: ${stderr.trim().slice(0, 300)}` : ""}`);
  }
}

function pythonDepsMissing() {
  if (!fs.existsSync("/usr/bin/python3")) return "/usr/bin/python3 not found";
  if (!fs.existsSync(path.join(peersDir, "peer_api.py"))) return `${path.join(peersDir, "peer_api.py")} not found`;
  const r = spawnSync("/usr/bin/python3", ["-c", "import fastapi, uvicorn, sklearn, pandas, pydantic, xgboost"], { encoding: "utf8" });
  if (r.status !== 0) return `python deps missing: ${(r.stderr || "").trim().split("\n").pop()}`;
  return null;
}

async function benchPeer() {
  const missing = pythonDepsMissing();
  if (missing) {
    log(`  peer skipped: ${missing}`);
    return { skipped: missing };
  }
  const port = await freePort();
  let output = "";
  const t0 = Date.now();
  const child = spawn("/usr/bin/python3", [path.join(peersDir, "peer_api.py"), cleanDataPath, String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: peersDir,
  });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const body = fs.readFileSync(bodyFile, "utf8");
  try {
    try {
      await waitFor(child, async () => (await request(port, "POST", "/predict", body)) === 200, 180_000, "peer_api.py");
    } catch (err) {
      return { skipped: `peer did not start: ${err.message}: ${output.trim().split("\n").slice(-3).join(" | ")}` };
    }
    const startup_s = round((Date.now() - t0) / 1000, 1);
    const url = `http://127.0.0.1:${port}/predict`;
    await LOAD.run(url, WRK_WARMUP_SECONDS);
    const rss = rssSampler(child.pid);
    const load = os.loadavg()[0];
    const result = await LOAD.run(url, WRK_SECONDS);
    const mem = rss.stop();
    const r = {
      label: "peer FastAPI (xgboost)",
      startup_s,
      seconds: WRK_SECONDS,
      connections: CONNECTIONS,
      loadavg_1m_before: round(load, 2),
      ...result,
      rss: mem,
    };
    log(
      `  ${r.label.padEnd(36)} ${String(Math.round(r.rps)).padStart(7)} req/s  p50 ${r.p50_ms} ms  p90 ${r.p90_ms} ms  p99 ${r.p99_ms} ms  non-2xx ${r.non_2xx}  RSS peak ${mem.peak_total_mb} MB`,
    );
    return r;
  } finally {
    await stopChild(child);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------------------------

/** The request body: the first customer of IBM's clean file as an API client sends it (no ID, no label). */
function writeBody() {
  const { cleanFile } = lib("cleaning/table");
  const first = cleanFile(cleanDataPath).customers[0];
  const record = {};
  for (const [k, v] of Object.entries(first)) if (k !== "customerID" && k !== "Churn" && v !== null) record[k] = v;
  fs.writeFileSync(bodyFile, JSON.stringify(record));
}

/** The machine the numbers come from, with the load average at the start (the end's is added when the report is written). */
function machineInfo(started) {
  return {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? "unknown",
    arch: os.arch(),
    total_mem_mb: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: started.toISOString(),
    loadavg_start: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Start-up time with 1 and 2 workers; a failed measurement is logged and recorded as an error, not thrown. */
async function measureStartup() {
  log(`\nStart-up (process start to the first 200 on /ready, median of ${STARTUP_RUNS}):`);
  const startup = [];
  for (const workers of [1, 2]) {
    try {
      const s = await startupTime(workers);
      startup.push(s);
      log(`  workers=${workers}: ${s.median_ms} ms (runs ${s.runs_ms.join(", ")})`);
    } catch (err) {
      errors.push(`start-up with ${workers} workers: ${err.message}`);
      log(`  error: ${err.message}`);
    }
  }
  return startup;
}

/** Our HTTP server under load in each configuration (--short: the default and the Dockerfile's only); failures are recorded, not thrown. */
async function measureHttp() {
  log(`\nHTTP (${LOAD.describe(WRK_SECONDS)}, one customer of ${path.basename(cleanDataPath)}):`);
  const httpRuns = [];
  const configs = [
    { workers: 1, logLevel: "info", reasons: 3 }, // `churn serve` with its defaults
    { workers: 1, logLevel: "warn", reasons: 3 },
    { workers: 1, logLevel: "info", reasons: 0 },
    { workers: 1, logLevel: "warn", reasons: 0 },
    { workers: 2, logLevel: "info", reasons: 3 }, // the Dockerfile's command
    { workers: 2, logLevel: "warn", reasons: 0 },
  ].filter((c) => !short || (c.logLevel === "info" && c.reasons === 3));
  for (const cfg of configs) {
    try {
      httpRuns.push(await benchOurs(cfg));
    } catch (err) {
      errors.push(`${cfg.workers} workers, log ${cfg.logLevel}, reasons ${cfg.reasons}: ${err.message}`);
      log(`  error: ${err.message}`);
    }
  }
  return httpRuns;
}

/** The peer under the same load, given --peers; otherwise, or on an error, an object saying why it was skipped. */
async function measurePeer() {
  if (!peersDir) return { skipped: "no --peers folder given" };
  log(`\nPeer (${path.join(peersDir, "peer_api.py")}, the same load):`);
  try {
    return await benchPeer();
  } catch (err) {
    errors.push(`peer: ${err.message}`);
    return { skipped: `error: ${err.message}` };
  }
}

/** One goal's row: value against target; "ratio" is value/target (for "lower is better" goals below 1 is good). */
const goal = (name, value, target, pass, unit) => ({
  goal: name,
  value,
  target,
  unit,
  ratio: value === null || value === undefined ? null : round(value / target, 2),
  status: value === null || value === undefined ? "N/A" : pass ? "PASS" : "MISS",
});
/** Non-2xx responses plus socket errors of one HTTP run (null without a run). */
const httpErrors = (r) => (r ? r.non_2xx + Object.values(r.socket_errors).reduce((a, b) => a + b, 0) : null);

/** Every goal, PASS/MISS/N/A, from the in-process, start-up, HTTP and peer measurements. */
// eslint-disable-next-line max-lines-per-function -- a table of goal definitions, one entry a goal; splitting it would hide the list
function evaluateGoals(inproc, startup, httpRuns, peer) {
  const find = (w, l, r) => httpRuns.find((x) => x.workers === w && x.log_level === l && x.reasons === r);
  const main1 = find(1, "info", 3); // `churn serve` with its defaults
  const prod = find(2, "info", 3); // the Dockerfile's command
  const best = httpRuns.filter((r) => r.non_2xx === 0).sort((a, b) => b.rps - a.rps)[0];
  return [
    goal(
      `HTTP req/s, default config (1 worker, log info, 3 reasons)`,
      main1?.rps ?? null,
      GOALS.http_rps,
      (main1?.rps ?? 0) >= GOALS.http_rps,
      "req/s",
    ),
    goal(`HTTP p99 ms, default config`, main1?.p99_ms ?? null, GOALS.http_p99_ms, (main1?.p99_ms ?? Infinity) <= GOALS.http_p99_ms, "ms"),
    goal(
      `HTTP req/s, production config (2 workers as in the Dockerfile, log info, 3 reasons)`,
      prod?.rps ?? null,
      GOALS.http_rps,
      (prod?.rps ?? 0) >= GOALS.http_rps,
      "req/s",
    ),
    goal(`HTTP p99 ms, production config`, prod?.p99_ms ?? null, GOALS.http_p99_ms, (prod?.p99_ms ?? Infinity) <= GOALS.http_p99_ms, "ms"),
    goal(
      `HTTP req/s, best config (${best?.label ?? "-"})`,
      best?.rps ?? null,
      GOALS.http_rps,
      (best?.rps ?? 0) >= GOALS.http_rps && (best?.p99_ms ?? Infinity) <= GOALS.http_p99_ms,
      "req/s",
    ),
    goal(`HTTP p99 ms, best config`, best?.p99_ms ?? null, GOALS.http_p99_ms, (best?.p99_ms ?? Infinity) <= GOALS.http_p99_ms, "ms"),
    goal(
      "x peer throughput (default config / peer)",
      main1 && peer?.rps ? round(main1.rps / peer.rps, 1) : null,
      GOALS.peer_ratio,
      main1 && peer?.rps ? main1.rps / peer.rps >= GOALS.peer_ratio : false,
      "x",
    ),
    goal(
      "x peer throughput (best config / peer)",
      best && peer?.rps ? round(best.rps / peer.rps, 1) : null,
      GOALS.peer_ratio,
      best && peer?.rps ? best.rps / peer.rps >= GOALS.peer_ratio : false,
      "x",
    ),
    goal(
      "server RSS MB, 1 worker (peak under load)",
      find(1, "info", 3)?.rss.peak_total_mb ?? null,
      GOALS.rss_mb,
      (find(1, "info", 3)?.rss.peak_total_mb ?? Infinity) <= GOALS.rss_mb,
      "MB",
    ),
    goal(
      "server RSS MB, largest process with 2 workers",
      find(2, "info", 3)?.rss.peak_max_process_mb ?? null,
      GOALS.rss_mb,
      (find(2, "info", 3)?.rss.peak_max_process_mb ?? Infinity) <= GOALS.rss_mb,
      "MB",
    ),
    goal("in-process scoreOne p50 µs", inproc.score_one.p50_us, GOALS.inproc_p50_us, inproc.score_one.p50_us <= GOALS.inproc_p50_us, "µs"),
    goal("in-process scoreOne p99 µs", inproc.score_one.p99_us, GOALS.inproc_p99_us, inproc.score_one.p99_us <= GOALS.inproc_p99_us, "µs"),
    goal(
      "in-process predict (0 reasons) p50 µs",
      inproc.predict_reasons0.p50_us,
      GOALS.inproc_p50_us,
      inproc.predict_reasons0.p50_us <= GOALS.inproc_p50_us,
      "µs",
    ),
    goal(
      "in-process predict (0 reasons) p99 µs",
      inproc.predict_reasons0.p99_us,
      GOALS.inproc_p99_us,
      inproc.predict_reasons0.p99_us <= GOALS.inproc_p99_us,
      "µs",
    ),
    goal("batch scoring customers/s", inproc.batch.best_per_s, GOALS.batch_per_s, inproc.batch.best_per_s >= GOALS.batch_per_s, "/s"),
    goal(
      "HTTP errors (non-2xx + socket) in all runs",
      httpRuns.length ? httpRuns.reduce((a, r) => a + httpErrors(r), 0) : null,
      0,
      httpRuns.every((r) => httpErrors(r) === 0),
      "",
    ),
    goal(
      "start-up to /ready ms, 1 worker (median)",
      startup.find((x) => x.workers === 1)?.median_ms ?? null,
      GOALS.startup_ms,
      (startup.find((x) => x.workers === 1)?.median_ms ?? Infinity) <= GOALS.startup_ms,
      "ms",
    ),
    goal(
      "serving path free of danfojs/@tensorflow",
      inproc.heavy_modules_loaded.length,
      0,
      inproc.heavy_modules_loaded.length === 0,
      "modules",
    ),
  ];
}

/** Prints the summary: one table row per HTTP run (and the peer), then the in-process latencies and batch throughput. */
function printSummary(inproc, httpRuns, peer) {
  log("\nSummary:");
  const rows = [["run", "req/s", "p50 ms", "p90 ms", "p99 ms", "errors", "RSS MB", "load"]];
  for (const r of [...httpRuns, ...(peer && !peer.skipped ? [peer] : [])]) {
    rows.push([
      r.label,
      String(Math.round(r.rps)),
      String(r.p50_ms),
      String(r.p90_ms),
      String(r.p99_ms),
      String(httpErrors(r)),
      String(r.rss.peak_total_mb),
      String(r.loadavg_1m_before),
    ]);
  }
  if (peer?.skipped) rows.push([`peer: skipped (${peer.skipped})`, "", "", "", "", "", "", ""]);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const r of rows) log("  " + r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  "));
  const ip = (name, p) => log(`  ${name.padEnd(28)} p50 ${p.p50_us} µs  p99 ${p.p99_us} µs  p99.9 ${p.p999_us} µs`);
  ip("scorer.scoreOne", inproc.score_one);
  ip("service.predict reasons=0", inproc.predict_reasons0);
  ip("service.predict reasons=3", inproc.predict_reasons3);
  log(
    `  batch scorer.score           ${inproc.batch.best_per_s.toLocaleString("en-US")} customers/s (${inproc.batch.rows} rows, best of 3)`,
  );
}

/** Prints one line per goal: status, value, and the target with its direction. */
function printGoals(goals) {
  log("\nGoals:");
  for (const g of goals) {
    const target =
      g.goal.startsWith("HTTP errors") || g.goal.startsWith("serving path")
        ? "= 0"
        : /p\d+|RSS|start-up/.test(g.goal)
          ? `<= ${g.target}`
          : `>= ${g.target}`;
    log(
      `  ${g.status.padEnd(4)}  ${g.goal.padEnd(62)} ${String(g.value).padStart(10)} ${g.unit}  (goal ${target}${g.ratio !== null && g.target ? `, ratio ${g.ratio}` : ""})`,
    );
  }
}

/** Writes the report to --out (the machine's end load average added), logs where, and lists any errors (exit code 1). */
function writeReport(started, machine, inproc, startup, httpRuns, peer, goals) {
  const finished = new Date();
  machine.loadavg_end = os.loadavg().map((x) => round(x, 2));
  const report = {
    bench: "bench-serve",
    quick,
    short,
    load_generator: LOAD.name,
    machine,
    model: { path: modelPath, model_version: inproc.model_version, name: inproc.model_name },
    data: dataRef(dataPath),
    settings: {
      calls: CALLS,
      warmup_calls: WARMUP_CALLS,
      batch_rows: inproc.batch.rows,
      wrk_seconds: WRK_SECONDS,
      wrk_warmup_seconds: WRK_WARMUP_SECONDS,
      connections: CONNECTIONS,
      wrk_threads: 1,
      body: `first customer of ${path.basename(cleanDataPath)}`,
    },
    in_process: inproc,
    startup,
    http: httpRuns,
    peer,
    goals,
    errors,
    seconds: round((finished - started) / 1000, 1),
  };
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, JSON.stringify(report, null, 2) + "\n");
  log(
    `\nload average ${machine.loadavg_start.join(" ")} at start, ${machine.loadavg_end.join(" ")} at end; ${report.seconds} s; wrote ${path.relative(process.cwd(), outPath) || outPath}`,
  );
  if (errors.length > 0) {
    log(`\n${errors.length} error(s):\n  ${errors.join("\n  ")}`);
    process.exitCode = 1;
  }
}

/** Measures in process, start-up, HTTP and the peer, in that order; then prints the summary and goals and writes the report. */
async function main() {
  const started = new Date();
  if (!fs.existsSync(modelPath)) throw new Error(`${modelPath} is missing: run \`npm start\` (or \`churn train --out DIR\`) first`);
  writeBody();
  const machine = machineInfo(started);
  log(
    `bench-serve ${short ? "(short) " : quick ? "(quick) " : ""}on ${machine.cpus} x ${machine.cpu_model}, node ${machine.node}, load average ${machine.loadavg_start.join(" ")}`,
  );
  log(`model ${modelPath}\n`);

  log("In-process:");
  const inproc = inProcess();
  const startup = await measureStartup();
  const httpRuns = await measureHttp();
  const peer = await measurePeer();

  const goals = evaluateGoals(inproc, startup, httpRuns, peer);
  printSummary(inproc, httpRuns, peer);
  printGoals(goals);
  writeReport(started, machine, inproc, startup, httpRuns, peer, goals);
}

main().catch((err) => {
  console.error(`bench-serve: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
