#!/usr/bin/env node
// Benchmarks the logistic regression and k-nearest-neighbour learners (lib/models/logistic.ts, lib/models/knn.ts)
// against ml-logistic-regression and ml-knn as published, on Telco's 60/20/20 split (seed 42).
//
//   npm run build && node scripts/bench-linear-knn.js [--steps 200] [--knn-sample 100] [--json]
//
// Prints, per learner: fit seconds, test ROC-AUC, predictOne µs p50/p99 (per row; fast calls are timed in repeats),
// and batch predictProba rows/s. The data: every category level one-hot, all columns standardized on the training
// rows (a quick stand-in for lib/features/pipeline.ts). Data: the committed data/raw.
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const { root, lib } = require("./lib/dist");
const { cleanFile } = lib("cleaning");
const { stratifiedSplit } = lib("core/split");
const { rocAuc } = lib("evaluation/metrics");
const { createLogistic } = lib("models/logistic");
const { createKnn } = lib("models/knn");
const { Matrix } = require("ml-matrix");
const MlLogisticRegression = require("ml-logistic-regression");
const MlKnn = require("ml-knn");

const { values: args } = require("./lib/args").scriptArgs(
  "bench-linear-knn",
  "node scripts/bench-linear-knn.js [--steps N] [--knn-sample N] [--json]",
  {
    steps: { type: "integer", min: 1, default: 200 },
    "knn-sample": { type: "integer", min: 1, default: 100 },
    json: { type: "boolean", default: false },
  },
);
const STEPS = args.steps;
const KNN_SAMPLE = args["knn-sample"];
const AS_JSON = args.json;

// ---- data -------------------------------------------------------------------------------------------------------
const NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"];
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

function telco() {
  const dir = path.join(root, "data", "raw");
  const file = path.join(dir, "telco-customer-churn.csv");
  if (!fs.existsSync(file)) {
    console.error(`${file} is missing: restore it with \`git checkout -- data/raw\``);
    process.exit(1);
  }
  const customers = cleanFile(file).customers;
  const byId = new Map(customers.map((c) => [c.customerID, c]));
  const label = (c) => (c.Churn === "Yes" ? 1 : 0);
  const split = stratifiedSplit([...byId.keys()], (id) => label(byId.get(id)), 42);
  const levels = CATEGORICAL.map((col) => [...new Set(customers.map((c) => String(c[col])))].sort());
  const raw = (c) => [
    ...NUMERIC.map((col) => c[col]),
    ...CATEGORICAL.flatMap((col, j) => levels[j].map((l) => (String(c[col]) === l ? 1 : 0))),
  ];
  const trainRaw = split.train.map((id) => raw(byId.get(id)));
  const d = trainRaw[0].length;
  const mean = new Array(d).fill(0);
  const sd = new Array(d).fill(0);
  for (const r of trainRaw) r.forEach((v, j) => (mean[j] += v / trainRaw.length));
  for (const r of trainRaw) r.forEach((v, j) => (sd[j] += (v - mean[j]) ** 2 / trainRaw.length));
  const standardize = (r) => Float64Array.from(r, (v, j) => (sd[j] > 0 ? (v - mean[j]) / Math.sqrt(sd[j]) : 0));
  const part = (ids) => ({ X: ids.map((id) => standardize(raw(byId.get(id)))), y: ids.map((id) => label(byId.get(id))) });
  return { train: part(split.train), test: part(split.test), columns: d };
}

// ---- timing -----------------------------------------------------------------------------------------------------
const now = () => process.hrtime.bigint();
const seconds = (t0) => Number(now() - t0) / 1e9;

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Per-row latency of `one(x)`: each row timed over `repeats` calls (so sub-µs calls are measurable), after a warm-up. */
function latency(one, rows, repeats) {
  for (const x of rows.slice(0, 200)) one(x);
  const us = [];
  for (const x of rows) {
    const t0 = now();
    for (let r = 0; r < repeats; r++) one(x);
    us.push(Number(now() - t0) / 1e3 / repeats);
  }
  us.sort((a, b) => a - b);
  return { p50: quantile(us, 0.5), p99: quantile(us, 0.99) };
}

function throughput(batch, rows) {
  batch(rows.slice(0, 100));
  const t0 = now();
  batch(rows);
  return rows.length / seconds(t0);
}

// ---- runs -------------------------------------------------------------------------------------------------------
const results = [];
function report(r) {
  results.push(r);
  if (AS_JSON) return;
  const fmt = (v, digits) => (v === null || v === undefined ? "-" : v.toFixed(digits));
  console.log(
    `${r.learner.padEnd(48)} fit ${fmt(r.fitSeconds, 3).padStart(7)} s  ROC-AUC ${fmt(r.testRocAuc, 4).padStart(6)}  ` +
      `predictOne p50 ${fmt(r.predictOneUs?.p50, 2).padStart(8)} µs p99 ${fmt(r.predictOneUs?.p99, 2).padStart(8)} µs  ` +
      `batch ${fmt(r.batchRowsPerSecond, 0).padStart(9)} rows/s${r.note ? `  (${r.note})` : ""}`,
  );
}

const data = telco();
const { train, test } = data;
if (!AS_JSON) {
  console.log(
    `Telco 60/20/20 seed 42: ${train.X.length} train, ${test.X.length} test rows, ${data.columns} columns; node ${process.version}`,
  );
}

// Logistic regression (Newton on ml-matrix), default C=1, fitted 3 times: first (cold) and median.
{
  const fits = [];
  let model;
  for (let r = 0; r < 3; r++) {
    model = createLogistic({ C: 1 });
    const t0 = now();
    model.fit(train.X, train.y);
    fits.push(seconds(t0));
  }
  const rep = model.fitReport();
  report({
    learner: "logistic (Newton/ml-matrix, C=1)",
    fitSeconds: [...fits].sort((a, b) => a - b)[1],
    testRocAuc: rocAuc(test.y, model.predictProba(test.X)),
    predictOneUs: latency((x) => model.predictOne(x), test.X, 200),
    batchRowsPerSecond: throughput((rows) => model.predictProba(rows), test.X),
    note: `median of 3 fits, first ${fits[0].toFixed(3)} s; ${rep.iterations} iterations, |grad|/n ${rep.gradientNorm.toExponential(1)}`,
  });
}

// ml-logistic-regression as published: no intercept, no penalty, summed-gradient descent, default learning rate.
{
  const Xm = new Matrix(train.X.map((r) => Array.from(r)));
  const Ym = Matrix.columnVector(train.y);
  const Xtest = new Matrix(test.X.map((r) => Array.from(r)));
  const pkg = new MlLogisticRegression({ numSteps: STEPS, learningRate: 5e-4 });
  const t0 = now();
  pkg.train(Xm, Ym);
  const fit = seconds(t0);
  // Classifier 0 is trained on "not class 0", i.e. it scores churn.
  const churn = pkg.classifiers[0];
  report({
    learner: `ml-logistic-regression as published (${STEPS} steps)`,
    fitSeconds: fit,
    testRocAuc: rocAuc(test.y, churn.testScores(Xtest)),
    predictOneUs: latency((x) => churn.testScores(new Matrix([Array.from(x)])), test.X, 5),
    batchRowsPerSecond: throughput((rows) => churn.testScores(new Matrix(rows.map((r) => Array.from(r)))), test.X),
    note: "one-vs-all trains 2 classifiers; no intercept, no L2",
  });
}

// k-nearest neighbours: exact scan, k=25, uniform and distance weights.
for (const weights of ["uniform", "distance"]) {
  const model = createKnn({ k: 25, weights });
  const t0 = now();
  model.fit(train.X, train.y);
  const fit = seconds(t0);
  const t1 = now();
  const p = model.predictProba(test.X);
  const batchSeconds = seconds(t1);
  report({
    learner: `knn (exact scan, k=25, ${weights})`,
    fitSeconds: fit,
    testRocAuc: rocAuc(test.y, p),
    predictOneUs: latency((x) => model.predictOne(x), test.X, 1),
    batchRowsPerSecond: test.X.length / batchSeconds,
  });
}

// ml-knn as published: kd-tree, majority label only; timed on a sample of test rows.
{
  const t0 = now();
  const pkg = new MlKnn(
    train.X.map((r) => Array.from(r)),
    train.y,
    { k: 25 },
  );
  const fit = seconds(t0);
  const step = Math.max(1, Math.floor(test.X.length / KNN_SAMPLE));
  const sample = test.X.filter((_, i) => i % step === 0)
    .slice(0, KNN_SAMPLE)
    .map((r) => Array.from(r));
  const t1 = now();
  const labels = pkg.predict(sample);
  const batchSeconds = seconds(t1);
  const mine = createKnn({ k: 25, prior: 0 });
  mine.fit(train.X, train.y);
  const agree = sample.filter((x, i) => (mine.predictOne(Float64Array.from(x)) > 0.5 ? 1 : 0) === labels[i]).length;
  report({
    learner: `ml-knn as published (kd-tree, k=25)`,
    fitSeconds: fit,
    testRocAuc: null,
    predictOneUs: latency((x) => pkg.predict(x), sample.slice(0, Math.min(50, sample.length)), 1),
    batchRowsPerSecond: sample.length / batchSeconds,
    note: `labels only (no probability); ${sample.length} sampled test rows, majority label agrees with knn on ${agree}`,
  });
}

if (AS_JSON) console.log(JSON.stringify({ node: process.version, steps: STEPS, knnSample: KNN_SAMPLE, results }, null, 2));
