#!/usr/bin/env node
// Training benchmark, measured in one run on this machine: `churn train` against the scikit-learn/XGBoost peer on the
// same customers (the project's split), plus training on the messy export against training on the clean file.
//
//   npm run bench:train                              # full training
//   npm run bench:train -- --quick                   # quick mode, for a smoke run
//   npm run bench:train -- --peers DIR               # and peer_sklearn.py from DIR on the same split
//
// The peer needs Debian's python3-sklearn python3-pandas python3-xgboost (it is skipped, and said so, without them).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const { values: args } = require("./lib/args").scriptArgs("bench-train", "node scripts/bench-train.js [--quick] [--peers DIR]", {
  quick: { type: "boolean", default: false },
  peers: { type: "string" },
});
const { locateData } = require("./lib/dist").lib("data/acquire");
const { cleanFile: CLEAN, exportFile: MESSY } = locateData(ROOT);
const PEERS = args.peers ? path.resolve(args.peers) : null;
const OUT = path.join(ROOT, "artifacts", "bench");
const PYTHON = process.env.PEER_PYTHON || "/usr/bin/python3";
const quick = args.quick;
const seed = "42";

function timed(cmd, args, opts = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr || r.stdout}`);
  }
  return { seconds, stdout: r.stdout };
}

function churnTrain(data, out) {
  const args = [path.join(ROOT, "bin", "churn.js"), "train", "--data", data, "--out", out, "--seed", seed];
  if (quick) args.push("--quick");
  const { seconds } = timed(process.execPath, args, { env: { ...process.env, CI: "1" } });
  return { seconds, metrics: JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")) };
}

function bestTest(metrics) {
  return Object.entries(metrics.models).reduce((b, [name, m]) => (m.test.roc_auc > b.auc ? { name, auc: m.test.roc_auc } : b), {
    name: "",
    auc: -1,
  });
}

const f4 = (x) => (typeof x === "number" ? x.toFixed(4) : "-");

function main() {
  fs.mkdirSync(OUT, { recursive: true });
  console.log(
    `bench:train (${quick ? "quick" : "full"}), seed ${seed}, ${require("node:os").cpus().length} cores, node ${process.version}`,
  );

  const clean = churnTrain(CLEAN, path.join(OUT, "clean"));
  const messy = churnTrain(MESSY, path.join(OUT, "messy"));

  let peer = null;
  const peerScript = PEERS && path.join(PEERS, "peer_sklearn.py");
  const hasPeerDeps = spawnSync(PYTHON, ["-c", "import sklearn, pandas, xgboost"]).status === 0;
  if (!peerScript) console.log("peer skipped: no --peers folder given");
  else if (fs.existsSync(peerScript) && hasPeerDeps) {
    const args = [peerScript, CLEAN, "--split", path.join(OUT, "clean", "split.json"), "--seed", seed];
    if (quick) args.push("--quick");
    const r = timed(PYTHON, args, { cwd: PEERS });
    peer = { seconds: r.seconds, out: JSON.parse(r.stdout) };
  } else {
    console.log(
      `peer skipped: ${fs.existsSync(peerScript) ? "" : `${peerScript} missing; `}${hasPeerDeps ? "" : "python3-sklearn/pandas/xgboost not installed"}`,
    );
  }

  console.log("\nTest ROC-AUC on the project's split (clean file), same customers for both sides:");
  const families = ["logistic_regression", "random_forest", "knn", "xgboost", "ensemble"];
  console.log(`  ${"model".padEnd(22)}${"ours".padStart(9)}${"peer".padStart(9)}`);
  for (const name of families) {
    const ours = clean.metrics.models[name];
    const theirs = peer?.out.models[name];
    console.log(`  ${name.padEnd(22)}${f4(ours?.test.roc_auc).padStart(9)}${f4(theirs?.roc_auc).padStart(9)}`);
  }
  const oursBest = bestTest(clean.metrics);
  const peerBest = peer
    ? Object.entries(peer.out.models).reduce((b, [name, m]) => (m.roc_auc > b.auc ? { name, auc: m.roc_auc } : b), { name: "", auc: -1 })
    : null;
  const messyBest = bestTest(messy.metrics);
  const selected = clean.metrics.models[clean.metrics.best_model].test.roc_auc;

  console.log("\nWall time (seconds):");
  console.log(`  churn train, clean file   ${clean.seconds.toFixed(1)}`);
  console.log(`  churn train, messy export ${messy.seconds.toFixed(1)}`);
  if (peer) console.log(`  peer_sklearn.py --split   ${peer.seconds.toFixed(1)}`);

  const checks = [];
  if (peerBest) {
    checks.push([
      `best test ROC-AUC ${f4(oursBest.auc)} (${oursBest.name}) >= peer best ${f4(peerBest.auc)} (${peerBest.name})`,
      oursBest.auc >= peerBest.auc,
    ]);
    checks.push([
      `selected model (${clean.metrics.best_model}) test ROC-AUC ${f4(selected)} >= peer best ${f4(peerBest.auc)}`,
      selected >= peerBest.auc,
    ]);
    checks.push([`churn train ${clean.seconds.toFixed(1)} s < peer ${peer.seconds.toFixed(1)} s`, clean.seconds < peer.seconds]);
    for (const name of ["logistic_regression", "random_forest", "knn", "xgboost"]) {
      const ours = clean.metrics.models[name]?.test.roc_auc;
      const theirs = peer.out.models[name]?.roc_auc;
      if (ours !== undefined && theirs !== undefined) {
        checks.push([
          `${name} within 0.01 of scikit-learn: ${f4(ours)} vs ${f4(theirs)}`,
          Math.abs(ours - theirs) <= 0.01 || ours > theirs,
        ]);
      }
    }
  }
  checks.push([
    `messy export best test ROC-AUC ${f4(messyBest.auc)} within 0.01 of clean ${f4(oursBest.auc)}`,
    Math.abs(messyBest.auc - oursBest.auc) <= 0.01,
  ]);
  console.log("\nChecks:");
  for (const [text, ok] of checks) console.log(`  ${ok ? "PASS" : "FAIL"}  ${text}`);
  const summary = {
    quick,
    seed: Number(seed),
    clean: { seconds: clean.seconds, best: oursBest, selected: clean.metrics.best_model },
    messy: { seconds: messy.seconds, best: messyBest },
    peer: peer && { seconds: peer.seconds, best: peerBest, models: peer.out.models },
    checks: checks.map(([text, ok]) => ({ text, ok })),
  };
  fs.writeFileSync(path.join(OUT, "bench-train.json"), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(OUT, "bench-train.json"))}`);
}

main();
