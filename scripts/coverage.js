#!/usr/bin/env node
// `npm run test:coverage`: the whole test suite under node's test coverage, summed over lib/ only (tests and scripts
// are not what is measured), per stage folder and in all. Node 20's coverage report fails on TypeScript's source maps
// ("Cannot read properties of undefined (reading 'line')", nodejs/node#51552), so the build it measures has none:
// the figures are for the compiled JavaScript of lib/, line for line the TypeScript less its type annotations.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const lcov = path.join(root, "artifacts", "coverage", "lcov.info");

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Line, branch and function totals per file of an lcov trace. */
function parseLcov(text) {
  const files = [];
  let cur = null;
  for (const line of text.split("\n")) {
    const [key, value] = [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)];
    if (key === "SF") cur = { file: value, LF: 0, LH: 0, BRF: 0, BRH: 0, FNF: 0, FNH: 0 };
    else if (cur && key in cur) cur[key] = Number(value);
    else if (line === "end_of_record" && cur) (files.push(cur), (cur = null));
  }
  return files;
}

function summarize(files) {
  const rows = new Map();
  const add = (name, f) => {
    const r = rows.get(name) ?? { name, files: 0, LF: 0, LH: 0, BRF: 0, BRH: 0, FNF: 0, FNH: 0 };
    r.files++;
    for (const k of ["LF", "LH", "BRF", "BRH", "FNF", "FNH"]) r[k] += f[k];
    rows.set(name, r);
  };
  for (const f of files) {
    const rel = path.relative(path.join(root, "dist", "lib"), path.resolve(root, f.file));
    if (rel.startsWith("..")) continue;
    add(rel.split(path.sep)[0], f);
    add("all of lib/", f);
  }
  const pct = (hit, found) => (found ? ((100 * hit) / found).toFixed(1) : "-");
  console.log("\ncoverage of lib/ (compiled), by stage:\n");
  console.log(
    `${"stage".padEnd(14)} ${"files".padStart(5)} ${"lines %".padStart(8)} ${"branches %".padStart(11)} ${"functions %".padStart(12)}`,
  );
  for (const r of [...rows.values()].sort(
    (a, b) => (a.name === "all of lib/") - (b.name === "all of lib/") || a.name.localeCompare(b.name),
  ))
    console.log(
      `${r.name.padEnd(14)} ${String(r.files).padStart(5)} ${pct(r.LH, r.LF).padStart(8)} ${pct(r.BRH, r.BRF).padStart(11)} ${pct(r.FNH, r.FNF).padStart(12)}`,
    );
}

fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });
run(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--sourceMap", "false"]);
fs.mkdirSync(path.dirname(lcov), { recursive: true });
run(process.execPath, [
  "--test",
  "--experimental-test-coverage",
  "--test-concurrency=2",
  "--test-reporter=dot",
  "--test-reporter-destination=stdout",
  "--test-reporter=lcov",
  `--test-reporter-destination=${lcov}`,
  "dist/test/",
]);
summarize(parseLcov(fs.readFileSync(lcov, "utf8")));
console.log(`\nlcov trace: ${path.relative(root, lcov)}`);
