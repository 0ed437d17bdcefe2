#!/usr/bin/env node
// Renders the README's figures (lib/reporting/doc-figures.ts) to docs/figures/<name>.png with headless Chromium and writes
// docs/figures/manifest.json: { figures: [{ name, title, alt, file, digest, measured }] } sorted by name.
//
//   npm run build && node scripts/render-figures.js [--check] [--force] [--artifacts DIR] [--data CSV] [--out DIR]
//
// --artifacts  a `churn train` folder (default: env CHURN_ARTIFACTS, else artifacts)
// --data       the export the artifacts were trained on (default: env CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv:
//              lib/data/acquire.ts locateData)
// --out        where PNGs and manifest.json go (default: docs/figures)
// --check      render nothing; exit 1 listing the figures whose digest differs from the manifest or whose PNG is missing
//              (figures marked `measured`, e.g. benchmark numbers, only need their PNG). Chromium is not needed.
// --force      re-render every figure (by default a figure whose digest and PNG are unchanged is left alone)
//
// Chromium: env CHROMIUM, else chromium / chromium-browser / google-chrome on PATH; missing: exit 2.
// The page inlines node_modules/plotly.js-dist-min/plotly.min.js, so rendering works offline.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const { QUIET_FLAGS, findChromium, missingChromium } = require("./lib/chromium");
// The page that draws the figures, shared with scripts/run-notebooks.js (the notebooks' figures).
const { plotlySource, figureSize: size, batchPage, parseBatchOutput } = require("./lib/plotly-png");
const PARALLEL = Math.max(1, Math.min(2, os.cpus().length));

function loadLib() {
  try {
    return require("./lib/dist").lib("reporting/doc-figures");
  } catch (err) {
    throw new Error(`cannot load dist/lib/doc-figures (${err.message}): run \`npm run build\` first`, { cause: err });
  }
}

function loadDataLib() {
  try {
    return require("./lib/dist").lib("data/acquire");
  } catch (err) {
    throw new Error(`cannot load dist/lib/data (${err.message}): run \`npm run build\` first`, { cause: err });
  }
}

/** Default export: the project's convention (lib/data/acquire.ts locateData). */
function defaultData() {
  return loadDataLib().locateData(root).exportFile;
}

function readManifest(outDir) {
  const file = path.join(outDir, "manifest.json");
  if (!fs.existsSync(file)) return { figures: [] };
  try {
    const m = JSON.parse(fs.readFileSync(file, "utf8"));
    return Array.isArray(m.figures) ? m : { figures: [] };
  } catch {
    return { figures: [] };
  }
}

/** The manifest's `file`: relative to the repository (for README links) when inside it, else absolute. */
function manifestPath(file) {
  const rel = path.relative(root, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel.split(path.sep).join("/");
}

function page(figure) {
  const { width, height } = size(figure);
  // `</script` inside the JSON would end the script element early.
  const spec = JSON.stringify(figure).replace(/<\/(script)/gi, "<\\/$1");
  return `<!doctype html>
<html><head><meta charset="utf-8">
<style>html,body{margin:0;padding:0;background:#fff;overflow:hidden}#plot{width:${width}px;height:${height}px}</style>
<script>${plotlySource()}</script>
</head><body><div id="plot"></div>
<script>
const spec = ${spec};
Plotly.newPlot("plot", spec.data, Object.assign({}, spec.layout, { width: ${width}, height: ${height} }), { staticPlot: true, displayModeBar: false });
</script></body></html>
`;
}

/** Renders every figure in one Chromium run (--dump-dom); returns name -> PNG bytes, or name -> Error. */
async function renderBatch(chromium, figures, workDir, budgetMs) {
  const html = path.join(workDir, "figures.html");
  fs.writeFileSync(html, batchPage(figures));
  const dom = await run(
    chromium,
    [...chromiumFlags(workDir, "batch"), `--virtual-time-budget=${budgetMs}`, "--dump-dom", `file://${html}`],
    120_000,
    true,
  );
  const m = /<pre id="out">([^<]*)<\/pre>/.exec(dom);
  return parseBatchOutput(m ? m[1] : "");
}

function chromiumFlags(workDir, profile) {
  return [
    "--headless",
    ...QUIET_FLAGS,
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    `--user-data-dir=${path.join(workDir, `profile-${profile}`)}`,
  ];
}

/** Runs a command; resolves with its stdout (or stdout and stderr when `stdoutOnly` is false). */
function run(cmd, args, timeoutMs, stdoutOnly = false) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let errors = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (stdoutOnly ? (errors += d) : (output += d)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else
        reject(
          new Error(`${path.basename(cmd)} exited with ${signal ?? code}: ${(errors || output).trim().split("\n").slice(-3).join(" | ")}`),
        );
    });
  });
}

async function renderPng(chromium, figure, outFile, workDir) {
  const { width, height } = size(figure);
  const stem = path.basename(outFile, ".png");
  const html = path.join(workDir, `${stem}.html`);
  const tmpPng = path.join(workDir, `${stem}.png`);
  fs.writeFileSync(html, page(figure));
  await run(
    chromium,
    [
      ...chromiumFlags(workDir, stem),
      `--window-size=${width},${height}`,
      `--screenshot=${tmpPng}`,
      "--virtual-time-budget=5000",
      `file://${html}`,
    ],
    60_000,
  );
  if (!fs.existsSync(tmpPng) || fs.statSync(tmpPng).size === 0) throw new Error(`chromium wrote no screenshot for ${stem}`);
  fs.copyFileSync(tmpPng, outFile);
}

/**
 * Renders (or with `check`, verifies) the README figures. Returns the PNGs written and the figures found stale.
 * Throws when Chromium is needed but missing (err.code === "NO_CHROMIUM").
 */
/** --check: the figures whose PNG, digest, title or alt text disagree with the manifest, and manifest entries gone. */
function staleFigures(figures, previous, staleReason, fileOf) {
  const stale = [];
  for (const f of figures) {
    const why = staleReason(f);
    if (why) stale.push(`${f.name}: ${why}`);
  }
  const produced = new Set(figures.map((f) => f.name));
  for (const e of previous.figures) {
    if (produced.has(e.name)) continue;
    // A measured figure whose measurement is absent here (e.g. no bench run) only needs its PNG.
    if (e.measured) {
      if (!fs.existsSync(fileOf(e.name))) stale.push(`${e.name}: PNG missing`);
    } else stale.push(`${e.name}: in manifest.json but no longer produced`);
  }
  return stale;
}

/**
 * Every figure in one browser run; whatever it did not produce (a slow machine, a canvas problem) is retried with a
 * longer budget. Returns the figures still missing, for one screenshot page each.
 */
async function renderInBatches(chromium, todo, workDir, fileOf, written, log) {
  let queue = [...todo];
  for (const budget of [5000, 20000]) {
    if (queue.length === 0) break;
    const started = Date.now();
    let results = new Map();
    try {
      results = await renderBatch(chromium, queue, workDir, budget);
    } catch (err) {
      log(`  batch render failed: ${err.message}`);
    }
    const missing = [];
    for (const f of queue) {
      const png = results.get(f.name);
      if (Buffer.isBuffer(png) && png.length > 0) {
        fs.writeFileSync(fileOf(f.name), png);
        written.push(fileOf(f.name));
      } else {
        if (png instanceof Error) log(`  ${f.name}: ${png.message}`);
        missing.push(f);
      }
    }
    log(
      `  ${queue.length - missing.length} of ${queue.length} figure(s) rendered in one Chromium run (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    queue = missing;
  }
  return queue;
}

async function renderFigures(options = {}) {
  const artifactsDir = path.resolve(root, options.artifactsDir ?? (process.env.CHURN_ARTIFACTS || "artifacts"));
  const exportFile = path.resolve(root, options.exportFile ?? defaultData());
  const outDir = path.resolve(root, options.outDir ?? path.join("docs", "figures"));
  const log = options.log ?? (() => {});
  const { docFigures, figureDigest } = loadLib();
  const figures = docFigures({ artifactsDir, exportFile }).map((f) => ({
    ...f,
    digest: figureDigest(f.figure),
    measured: f.measured === true,
  }));
  const previous = readManifest(outDir);
  const before = new Map(previous.figures.map((e) => [e.name, e]));
  const fileOf = (name) => path.join(outDir, `${name}.png`);

  const staleReason = (f) => {
    const old = before.get(f.name);
    if (!fs.existsSync(fileOf(f.name))) return "PNG missing";
    if (!old) return "not in manifest.json";
    if (!f.measured && old.digest !== f.digest) return "digest differs from manifest.json";
    if (!f.measured && (old.title !== f.title || old.alt !== f.alt)) return "title or alt text differs from manifest.json";
    return null;
  };

  if (options.check) return { written: [], stale: staleFigures(figures, previous, staleReason, fileOf) };

  const chromium = options.chromium ?? findChromium();
  if (!chromium) {
    const err = new Error(missingChromium());
    err.code = "NO_CHROMIUM";
    throw err;
  }
  fs.mkdirSync(outDir, { recursive: true });
  const todo = figures.filter((f) => options.force || staleReason(f) !== null || before.get(f.name)?.digest !== f.digest);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-figures-"));
  const written = [];
  try {
    const queue = await renderInBatches(chromium, todo, workDir, fileOf, written, log);
    const worker = async () => {
      for (let f = queue.shift(); f; f = queue.shift()) {
        const started = Date.now();
        await renderPng(chromium, f.figure, fileOf(f.name), workDir);
        written.push(fileOf(f.name));
        log(`  ${f.name}.png by screenshot (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  // PNGs of figures the previous manifest listed and this run no longer produces are removed.
  const produced = new Set(figures.map((f) => f.name));
  for (const e of previous.figures) {
    if (!produced.has(e.name) && typeof e.name === "string" && /^[a-z0-9-]+$/.test(e.name)) fs.rmSync(fileOf(e.name), { force: true });
  }
  const manifest = {
    figures: [...figures]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((f) => ({
        name: f.name,
        title: f.title,
        alt: f.alt,
        file: manifestPath(fileOf(f.name)),
        digest: f.digest,
        measured: f.measured,
      })),
  };
  fs.writeFileSync(path.join(outDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  written.sort();
  return { written, stale: [] };
}

async function main() {
  const { values } = require("./lib/args").scriptArgs(
    "render-figures",
    "node scripts/render-figures.js [--check] [--force] [--artifacts DIR] [--data CSV] [--out DIR]",
    {
      check: { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      artifacts: { type: "string" },
      data: { type: "string" },
      out: { type: "string" },
    },
  );
  const opts = { check: values.check, force: values.force, artifactsDir: values.artifacts, exportFile: values.data, outDir: values.out };
  const started = Date.now();
  try {
    const { written, stale } = await renderFigures({ ...opts, log: (line) => console.log(line) });
    const outDir = path.relative(root, path.resolve(root, opts.outDir ?? path.join("docs", "figures"))) || ".";
    if (opts.check) {
      if (stale.length) {
        console.error(`${stale.length} figure(s) out of date in ${outDir} (run \`node scripts/render-figures.js\`):`);
        for (const s of stale) console.error(`  ${s}`);
        process.exit(1);
      }
      console.log(`figures in ${outDir} are up to date`);
    } else {
      console.log(`${written.length} PNG(s) written to ${outDir}, manifest.json updated (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
  } catch (err) {
    console.error(`render-figures: ${err.message}`);
    process.exit(err.code === "NO_CHROMIUM" ? 2 : 1);
  }
}

module.exports = { renderFigures, findChromium };

if (require.main === module) void main();
