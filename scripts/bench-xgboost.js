#!/usr/bin/env node
// Measures the XGBoost learner on Telco: fit time, test ROC-AUC, single-row latency (JS trees vs WASM) and batch throughput.
// Usage: npm run build && node scripts/bench-xgboost.js [--rounds 300,600] [--repeats 5]
"use strict";
const path = require("node:path");

const { lib } = require("./lib/dist");
const { cleanFile } = lib("cleaning");
const { stratifiedSplit } = lib("core/split");
const { rocAuc } = lib("evaluation/metrics");
const { xgboostReady, createXGBoost, createWasmPredictor } = lib("models");

const { values: args } = require("./lib/args").scriptArgs(
  "bench-xgboost",
  "node scripts/bench-xgboost.js [--rounds 300,600] [--repeats N]",
  { rounds: { type: "list", min: 1, default: [300, 600] }, repeats: { type: "integer", min: 1, default: 5 } },
);
const ROUNDS = args.rounds;
const REPEATS = args.repeats;
const rawDir = path.resolve(__dirname, "..", "data", "raw");

// The same quick one-hot design as test/models/xgboost.test.ts (the real pipeline is lib/features/pipeline.ts).
const NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"];
const CATEGORICAL = [
  "gender",
  "Partner",
  "Dependents",
  "PhoneService",
  "MultipleLines",
  "InternetService",
  "OnlineSecurity",
  "OnlineBackup",
  "DeviceProtection",
  "TechSupport",
  "StreamingTV",
  "StreamingMovies",
  "Contract",
  "PaperlessBilling",
  "PaymentMethod",
];

function loadTelco() {
  const customers = cleanFile(path.join(rawDir, "telco-customer-churn.csv")).customers.filter((c) => c.Churn !== null);
  const levels = CATEGORICAL.map((col) => [...new Set(customers.map((c) => c[col]).filter((v) => v !== null))].map(String).sort());
  const width = NUMERIC.length + levels.reduce((n, l) => n + l.length, 0);
  const encode = (c) => {
    const x = new Float64Array(width);
    let k = 0;
    for (const col of NUMERIC) x[k++] = c[col] ?? NaN;
    CATEGORICAL.forEach((col, i) => {
      for (const l of levels[i]) x[k++] = c[col] === l ? 1 : 0;
    });
    return x;
  };
  const byId = new Map(customers.map((c) => [c.customerID, c]));
  const label = (id) => (byId.get(id).Churn === "Yes" ? 1 : 0);
  const split = stratifiedSplit([...byId.keys()], label, 42);
  const part = (ids) => ({ X: ids.map((id) => encode(byId.get(id))), y: Float64Array.from(ids, label) });
  return { train: part(split.train), test: part(split.test), width };
}

const now = () => Number(process.hrtime.bigint()) / 1e3; // microseconds

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Per-call latency of fn(row) over all rows, `REPEATS` passes after one warm-up pass. */
function latency(rows, fn) {
  for (const x of rows) fn(x);
  const times = [];
  let sink = 0;
  for (let r = 0; r < REPEATS; r++) {
    for (const x of rows) {
      const t = now();
      sink += fn(x);
      times.push(now() - t);
    }
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), sink };
}

function throughput(rows, batchFn) {
  batchFn(rows);
  const t = now();
  let n = 0;
  while (now() - t < 1e6) {
    batchFn(rows);
    n += rows.length;
  }
  return n / ((now() - t) / 1e6);
}

async function main() {
  const { train, test, width } = loadTelco();
  console.log(`Telco: ${train.X.length} train / ${test.X.length} test rows, ${width} one-hot columns; node ${process.version}`);
  let t = now();
  await xgboostReady();
  console.log(`xgboostReady (WASM load): ${((now() - t) / 1e3).toFixed(0)} ms`);
  const XGB = await require("ml-xgboost"); // the wrapper's own per-row predict, as a baseline

  for (const nRounds of ROUNDS) {
    const model = createXGBoost({ nRounds, eta: 0.05, maxDepth: 4, subsample: 0.8, colsampleByTree: 0.8, seed: 0 });
    t = now();
    model.fit(train.X, train.y);
    const fitSec = (now() - t) / 1e6;
    const pJs = model.predictProba(test.X);
    const wasm = createWasmPredictor(model);
    const pWasm = wasm.predictProba(test.X);
    let maxDiff = 0;
    for (let i = 0; i < pJs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(pJs[i] - pWasm[i]));
    const info = model.modelInfo();
    console.log(`\n== ${nRounds} rounds (eta 0.05, depth 4, subsample 0.8, colsample 0.8, exact) ==`);
    console.log(
      `fit: ${fitSec.toFixed(2)} s   model: ${info.nTrees} trees, ${(info.bytes / 1024).toFixed(0)} KiB   test ROC-AUC: ${rocAuc(test.y, pJs).toFixed(4)}   max |JS - WASM| prob: ${maxDiff.toExponential(2)}`,
    );

    const js = latency(test.X, (x) => model.predictOne(x));
    const w = latency(test.X, (x) => wasm.predictOne(x));
    // ml-xgboost's predict(): copies the row to the WASM stack and mallocs an output per call. Its DMatrix treats
    // -1 as missing and aborts on NaN, so rows are given with NaN -> -1 (what createWasmPredictor does internally).
    const legacy = XGB.load({ name: "ml-xgboost", model: Array.from(model.modelBytes()), options: {} });
    const legacyRows = test.X.map((x) => Array.from(x, (v) => (Number.isNaN(v) ? -1 : v)));
    const l = latency(legacyRows, (x) => legacy.predict([x])[0]);
    console.log(`predictOne latency (µs)        p50     p99`);
    console.log(`  JS trees                   ${js.p50.toFixed(2).padStart(6)}  ${js.p99.toFixed(2).padStart(6)}`);
    console.log(`  WASM, reused buffer        ${w.p50.toFixed(2).padStart(6)}  ${w.p99.toFixed(2).padStart(6)}`);
    console.log(`  ml-xgboost predict([row])  ${l.p50.toFixed(2).padStart(6)}  ${l.p99.toFixed(2).padStart(6)}`);

    const jsRate = throughput(test.X, (rows) => model.predictProba(rows));
    const wRate = throughput(test.X, (rows) => wasm.predictProba(rows));
    console.log(
      `batch predictProba: JS ${Math.round(jsRate).toLocaleString("en-US")} rows/s, WASM ${Math.round(wRate).toLocaleString("en-US")} rows/s`,
    );
    wasm.free();
    legacy.free();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
