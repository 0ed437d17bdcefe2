#!/usr/bin/env node
// `npm run docs [-- --check]`: regenerates the generated sections of README.md and REPORT.md (and the README figures)
// from the artifacts of the last run; --check changes nothing and exits 1 when a committed document disagrees.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const { check } = require("./lib/args").scriptArgs("docs", "npm run docs [-- --check]", {
  check: { type: "boolean", default: false },
}).values;
const { locateRun } = require("./lib/dist").lib("artifact/run");
const { generateSections, applySections } = require("./lib/dist").lib("reporting/docs");
const DOCUMENTS = ["README.md", "REPORT.md"];

async function main() {
  // The artifacts and the export they came from, checked to belong together (refused with both files named if not).
  const { artifactsDir, exportFile } = locateRun(root);
  const figureManifest = path.join(root, "docs", "figures", "manifest.json");
  let figureProblems = [];
  const renderer = path.join(root, "scripts", "render-figures.js");
  if (fs.existsSync(renderer)) {
    const { renderFigures } = require(renderer);
    const result = await renderFigures({ artifactsDir, exportFile, outDir: path.dirname(figureManifest), check });
    figureProblems = result.stale || [];
    if (!check) console.log(`docs: ${result.written.length} figure(s) rendered to docs/figures/`);
  }
  const sections = generateSections({
    artifactsDir,
    exportFile,
    figureManifest: fs.existsSync(figureManifest) ? figureManifest : undefined,
  });
  let failed = false;
  for (const doc of DOCUMENTS) {
    const file = path.join(root, doc);
    if (!fs.existsSync(file)) continue;
    const before = fs.readFileSync(file, "utf8");
    const result = applySections(before, sections);
    if (result.unknown.length) {
      console.error(`docs: ${doc} has markers with no generator: ${result.unknown.join(", ")}`);
      failed = true;
    }
    if (check) {
      if (result.stale.length) {
        console.error(`docs: ${doc} disagrees with the artifacts in: ${result.stale.join(", ")} (run \`npm run docs\`)`);
        failed = true;
      } else
        console.log(
          `docs: ${doc} agrees with the artifacts (${result.changed.length - result.stale.length} measured section(s) differ by machine, not checked)`,
        );
    } else {
      if (result.text !== before) fs.writeFileSync(file, result.text);
      console.log(`docs: ${doc}: ${result.changed.length ? `updated ${result.changed.join(", ")}` : "up to date"}`);
    }
  }
  if (figureProblems.length) {
    console.error(`docs: figures out of date: ${figureProblems.join(", ")} (run \`npm run docs\`)`);
    failed = true;
  }
  if (failed) process.exit(1);
}

main().catch((err) => {
  console.error(`docs: ${err && err.message ? err.message : err}`);
  process.exit(typeof err?.exitCode === "number" ? err.exitCode : 1);
});
