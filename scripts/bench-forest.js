#!/usr/bin/env node
// Random-forest benchmark on Telco (60/20/20 split, seed 42): ml-cart per-tree time as published vs patched,
// forest fit time, test ROC-AUC (leaf shares vs votes), predictOne latency and batch throughput.
//
//   npm run build && node scripts/bench-forest.js [--trees 300] [--bins 32] [--reference-trees 3]
//
// "As published" is ml-cart's loaded file with its three patched functions put back verbatim (the same technique as
// test/models/forest.test.ts); "per-node route" puts back only DecisionTreeClassifier#train, i.e. the published algorithm
// with the patch's first two fixes (linear getNumberOfClasses, no repeated candidates), the state before the presorted
// route. All three are trained on the same bootstrap rows and columns and must grow identical trees.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createRequire } = require("node:module");

const root = path.resolve(__dirname, "..");
const { lib } = require("./lib/dist");
const { cleanFile } = lib("cleaning");
const { stratifiedSplit, shuffled } = lib("core/split");
const { rocAuc } = lib("evaluation/metrics");
const { createForest, featuresPerTree, FOREST_DEFAULTS } = lib("models/forest");
const seedrandom = require("seedrandom");

const { values: args } = require("./lib/args").scriptArgs(
  "bench-forest",
  "node scripts/bench-forest.js [--trees N] [--bins N] [--reference-trees N]",
  {
    trees: { type: "integer", min: 1, default: FOREST_DEFAULTS.nEstimators },
    bins: { type: "integer", min: 2, default: 32 },
    "reference-trees": { type: "integer", min: 1, default: 3 },
  },
);
const TREES = args.trees;
const BINS = args.bins;
const REFERENCE_TREES = args["reference-trees"];

// ---- Telco: unscaled one-hot matrix (as test/models/forest.test.ts; the real pipeline is lib/features/pipeline.ts).
const rawDir = path.join(root, "data", "raw");
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
  const customers = cleanFile(path.join(rawDir, "telco-customer-churn.csv")).customers;
  const byId = new Map(customers.map((c) => [c.customerID, c]));
  const label = (c) => (c.Churn === "Yes" ? 1 : 0);
  const split = stratifiedSplit([...byId.keys()], (id) => label(byId.get(id)), 42);
  const levels = CATEGORICAL.map((col) => [...new Set(customers.map((c) => String(c[col])))].sort());
  const row = (c) =>
    Float64Array.from([
      ...NUMERIC.map((col) => c[col]),
      ...CATEGORICAL.flatMap((col, j) => levels[j].map((l) => (String(c[col]) === l ? 1 : 0))),
    ]);
  const part = (ids) => ({ X: ids.map((id) => row(byId.get(id))), y: ids.map((id) => label(byId.get(id))) });
  return { train: part(split.train), test: part(split.test) };
}

// ---- ml-cart as loaded, as published (the three patched functions restored), and the per-node route.
const cartPath = require.resolve("ml-cart", { paths: [root] });
const cartSource = fs.readFileSync(cartPath, "utf8");
const PUBLISHED_TRAIN = `
DecisionTreeClassifier.prototype.train = function train(trainingSet, trainingLabels) {
  this.root = new TreeNode(this.options);
  trainingSet = mlMatrix.Matrix.checkMatrix(trainingSet);
  this.root.train(trainingSet, trainingLabels, 0, null);
};`;
const ORIGINAL =
  PUBLISHED_TRAIN +
  `
function getNumberOfClasses(array) {
  return array.filter((val, i, arr) => { return arr.indexOf(val) === i; }).map((val) => val + 1).reduce((a, b) => Math.max(a, b));
}
TreeNode.prototype.featureSplit = function featureSplit(x, y) {
  let splitValues = [];
  let arr = zip(x, y);
  arr.sort((a, b) => { return a[0] - b[0]; });
  for (let i = 1; i < arr.length; ++i) {
    if (arr[i - 1][1] !== arr[i][1]) {
      splitValues.push(splitFunctions[this.splitFunction](arr[i - 1][0], arr[i][0]));
    }
  }
  return splitValues;
};`;
function sandboxCart(extra) {
  const mod = { exports: {} };
  new Function("exports", "require", "module", `${cartSource}\n${extra}`)(mod.exports, createRequire(cartPath), mod);
  return mod.exports;
}

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

// eslint-disable-next-line max-lines-per-function -- one straight-line benchmark: fit, time and print each variant in order; stages would only pass its timings around
function main() {
  const { train, test } = telco();
  const n = train.X.length;
  const d = train.X[0].length;
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"}; Telco train ${n} x ${d}, test ${test.X.length}`);

  // 1. One ml-cart tree on a bootstrap sample and the default share of columns, published vs patched.
  const k = featuresPerTree(FOREST_DEFAULTS.maxFeatures, d);
  const options = { minNumSamples: FOREST_DEFAULTS.minNumSamples, gainThreshold: FOREST_DEFAULTS.gainThreshold };
  const rng = seedrandom("bench");
  const samples = Array.from({ length: REFERENCE_TREES }, () => {
    const rows = Array.from({ length: n }, () => Math.floor(rng() * n));
    const cols = shuffled([...Array(d).keys()], rng).slice(0, k);
    return { X: rows.map((i) => cols.map((c) => train.X[i][c])), y: rows.map((i) => train.y[i]) };
  });
  const timeTrees = (cart) => {
    const start = process.hrtime.bigint();
    const json = samples.map((s) => {
      const tree = new cart.DecisionTreeClassifier(options);
      tree.train(s.X, s.y);
      return JSON.stringify(tree.toJSON());
    });
    return { perTree: seconds(start) / samples.length, json };
  };
  const patchedCart = sandboxCart("");
  for (let pass = 0; pass < 5; pass++) timeTrees(patchedCart); // warm-up: the JIT, as in a forest of many trees
  const patched = timeTrees(patchedCart);
  const perNode = timeTrees(sandboxCart(PUBLISHED_TRAIN));
  const published = timeTrees(sandboxCart(ORIGINAL));
  const same = patched.json.every((j, i) => j === published.json[i] && j === perNode.json[i]);
  console.log(
    `\nml-cart tree (${n} bootstrap rows, ${k} of ${d} columns, minNumSamples ${options.minNumSamples}), ${REFERENCE_TREES} trees:`,
  );
  console.log(
    `  as published ${published.perTree.toFixed(2)} s/tree, per-node route ${perNode.perTree.toFixed(3)} s/tree, patched ${(patched.perTree * 1000).toFixed(1)} ms/tree`,
  );
  console.log(
    `  patched is ${(published.perTree / patched.perTree).toFixed(0)}x faster than published, ${(perNode.perTree / patched.perTree).toFixed(0)}x than the per-node route; identical trees: ${same}`,
  );

  // 2. Forests: default (unbinned) and binned.
  for (const params of [{ nEstimators: TREES }, { nEstimators: TREES, bins: BINS }]) {
    const m = createForest(params);
    let start = process.hrtime.bigint();
    m.fit(train.X, train.y);
    const fit = seconds(start);
    const p = m.predictProba(test.X);
    // ml-random-forest's own probability: the share of trees voting churn (leaf share > 0.5, ties to class 0).
    const ensemble = m.treeStructure();
    const votes = test.X.map((x) => {
      let v = 0;
      ensemble.trees.forEach((t) => {
        let i = 0;
        while (t.feature[i] >= 0) i = x[t.feature[i]] < t.threshold[i] ? t.left[i] : t.right[i];
        if (t.value[i] * ensemble.trees.length > 0.5) v++;
      });
      return v / ensemble.trees.length;
    });
    const nodes = ensemble.trees.reduce((s, t) => s + t.feature.length, 0);
    const json = JSON.stringify(m.toJSON()).length;
    console.log(
      `\nforest ${JSON.stringify(params)} (maxFeatures ${m.params.maxFeatures} = ${k} columns/tree, minNumSamples ${m.params.minNumSamples}):`,
    );
    console.log(
      `  fit ${fit.toFixed(1)} s (${((fit / TREES) * 1000).toFixed(0)} ms/tree), ${(nodes / TREES).toFixed(0)} nodes/tree, JSON ${(json / 1e6).toFixed(1)} MB`,
    );
    console.log(
      `  test ROC-AUC ${rocAuc(test.y, p).toFixed(4)} (mean leaf share); vote share would give ${rocAuc(test.y, votes).toFixed(4)}`,
    );

    // predictOne latency over every test row, several passes (the first warms up).
    const lat = [];
    for (let pass = 0; pass < 4; pass++) {
      for (const x of test.X) {
        const t0 = process.hrtime.bigint();
        m.predictOne(x);
        const dt = Number(process.hrtime.bigint() - t0) / 1e3;
        if (pass > 0) lat.push(dt);
      }
    }
    lat.sort((a, b) => a - b);
    start = process.hrtime.bigint();
    let rows = 0;
    while (seconds(start) < 2) {
      m.predictProba(test.X);
      rows += test.X.length;
    }
    const rate = rows / seconds(start);
    console.log(
      `  predictOne p50 ${quantile(lat, 0.5).toFixed(1)} µs, p99 ${quantile(lat, 0.99).toFixed(1)} µs; predictProba ${Math.round(rate).toLocaleString("en")} rows/s`,
    );
  }

  // 3. ml-random-forest's own scoring of one row, for comparison (its predictProbability walks ml-matrix views).
  const { RandomForestClassifier } = require(require.resolve("ml-random-forest", { paths: [root] }));
  const lib = new RandomForestClassifier({
    nEstimators: 50,
    maxFeatures: k,
    replacement: false,
    noOOB: true,
    seed: 1,
    treeOptions: options,
  });
  lib.train(
    train.X.map((r) => Array.from(r)),
    train.y,
  );
  const one = [Array.from(test.X[0])];
  lib.predictProbability(one, 1);
  const start = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) lib.predictProbability([Array.from(test.X[i])], 1);
  const perRow = (seconds(start) / 200) * 1e6;
  console.log(
    `\nml-random-forest predictProbability, one row, 50 trees: ${perRow.toFixed(0)} µs (~${((perRow * TREES) / 50 / 1000).toFixed(1)} ms at ${TREES} trees)`,
  );
}

main();
