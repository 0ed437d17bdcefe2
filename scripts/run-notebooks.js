#!/usr/bin/env node
// Executes the tslab notebooks headless, refreshes (or checks) their committed copies and renders the HTML report.
//
//   npm run report                                 # all notebooks/[0-9][0-9]_*.ipynb, in order (npm run notebooks too)
//   npm run report -- 02_preprocessing.ipynb       # just these (paths, or names inside notebooks/)
//   npm run report -- --check                      # compare the committed notebooks with this run instead of writing
//   npm run report -- --no-html                    # skip the HTML report
//
// Per notebook:
// - the executed notebook, interactive (Plotly as text/html, the library inlined by lib/reporting/notebook.ts), goes to
//   artifacts/notebooks/. Stops at the first notebook that fails (non-zero exit, naming the notebook and the failing
//   cell's error); the partially executed notebook is still written there for inspection.
// - notebooks/NN_*.ipynb is rewritten with the outputs, as GitHub can show them (lib/reporting/published-notebook.ts):
//   each Plotly figure as image/png + its title as text/plain, with the sha256 of its spec in the output's metadata,
//   no library output, cell sources and metadata untouched, no execution timing; written only when its text changed,
//   refused over 2 MB. The PNGs are drawn by puppeteer-core on the system Chromium (scripts/lib/chromium.js: env
//   CHROMIUM or chromium on PATH; missing: exit 2), one browser for all notebooks, from a page that inlines
//   plotly.min.js (scripts/lib/plotly-png.js, shared with render-figures.js), so nothing is fetched.
// - --check writes nothing in notebooks/ and needs no browser: it exits 1, naming notebook, cell and a short diff, when a
//   committed notebook's outputs differ from this run's, outside the cells tagged `measured` (timings, throughput, a
//   benchmark's date) and comparing figures by digest, not PNG bytes; also when a figure has no PNG or a file is over 2 MB.
// The HTML report (artifacts/report/, scripts/lib/report-html.js): index.html linking the notebooks (titled by their
// first heading) and the slides (../slides/, `npm run slides`); per notebook <name>.html with the code hidden (the
// reading version) and <name>.code.html with it; plotly.min.js copied once beside them; no MathJax, require.js or any
// remote source (checked, scripts/lib/offline.js).
//
// The kernel runs with cwd = the notebook's folder (nbconvert's default), so notebooks import the compiled library as
// `../dist/lib/...` (`npm run report` builds first).
//
// Execution uses nbconvert's ExecutePreprocessor (what `jupyter nbconvert --to notebook --execute
// --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=tslab` runs) through a few
// lines of Python rather than the CLI: tslab reports a failing cell only as stderr text plus an
// execute_reply with status "error" and no ename/evalue, and the CLI writes nothing on failure,
// so its message would say just "<Error>:". Here the partial notebook is saved and the failing
// cell's stderr is printed. The HTML pages come from nbconvert's HTMLExporter, also through a few lines of Python,
// so one interpreter exports every page.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { setupJupyter, jupyterEnv, findJupyterPython, ROOT } = require("./setup-jupyter");
const { findChromium, missingChromium, withBrowser } = require("./lib/chromium");
const { renderInBrowser } = require("./lib/plotly-png");

const NOTEBOOKS_DIR = path.join(ROOT, "notebooks");
const OUT_NOTEBOOKS = path.join(ROOT, "artifacts", "notebooks");
const OUT_REPORT = path.join(ROOT, "artifacts", "report");
const KERNEL = "tslab";
const TIMEOUT_S = 600;

const rel = (p) => path.relative(process.cwd(), p) || ".";
// ANSI escape sequences (colours, cursor moves). Built from a string because no-control-regex refuses ESC in a
// regex literal, written raw or escaped; replace() with a global regex starts from 0 each time, so one object serves.
const ESC = "\u001b";
const ANSI_ESCAPE = new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, "g");
const stripAnsi = (s) => s.replace(ANSI_ESCAPE, "");

function listNotebooks(args) {
  if (args.length === 0) {
    if (!fs.existsSync(NOTEBOOKS_DIR)) return [];
    return fs
      .readdirSync(NOTEBOOKS_DIR)
      .filter((f) => /^[0-9]{2}_.*\.ipynb$/.test(f))
      .sort()
      .map((f) => path.join(NOTEBOOKS_DIR, f));
  }
  return args.map((a) => {
    for (const p of [path.resolve(a), path.join(NOTEBOOKS_DIR, a)]) {
      if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
    }
    throw new Error(`notebook not found: ${a}`);
  });
}

/** Errors recorded in an executed notebook: [{ cell, ename, evalue }] (cell is 1-based). */
function notebookErrors(file) {
  const nb = JSON.parse(fs.readFileSync(file, "utf8"));
  const errors = [];
  (nb.cells || []).forEach((cell, i) => {
    for (const out of cell.outputs || []) {
      if (out.output_type === "error") {
        errors.push({ cell: i + 1, ename: out.ename, evalue: stripAnsi(String(out.evalue || "")) });
      }
    }
  });
  return errors;
}

/** The useful part of nbconvert's stderr on failure: the CellExecutionError and its traceback. */
function failureSummary(stderr) {
  const text = stripAnsi(stderr || "");
  const i = text.search(/CellExecutionError|DeadKernelError|TimeoutError|CellTimeoutError|NoSuchKernel/);
  const tail = i >= 0 ? text.slice(i) : text.split("\n").slice(-30).join("\n");
  return tail.trim().split("\n").slice(0, 60).join("\n");
}

// argv: <in.ipynb> <out.ipynb> <kernel_name> <timeout_s>. Exit 0 ok, 3 cell error (notebook
// saved, "RUN_NOTEBOOKS_FAILED_CELL=<index>" on stderr), anything else: could not run (no kernel,
// kernel died, timeout...; message on stderr). tslab sends no execute_input message, so nbclient
// leaves execution_count empty; we number the executed code cells ourselves (In [1], In [2], ...).
const EXECUTE_PY = `
import os, sys, nbformat
from nbconvert.preprocessors import ExecutePreprocessor
from nbclient.exceptions import CellExecutionError

class EP(ExecutePreprocessor):
    current = None
    count = 0
    def preprocess_cell(self, cell, resources, index):
        self.current = index
        if cell.cell_type == "code" and cell.source.strip():
            EP.count += 1
            n = EP.count
        else:
            n = None
        try:
            return super().preprocess_cell(cell, resources, index)
        finally:
            if n is not None and cell.get("execution_count") is None:
                cell.execution_count = n

src, dst, kernel, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nb = nbformat.read(src, as_version=4)
ep = EP(timeout=timeout, kernel_name=kernel)
status = 0
try:
    ep.preprocess(nb, {"metadata": {"path": os.path.dirname(os.path.abspath(src))}})
except CellExecutionError as e:
    sys.stderr.write(str(e) + "\\nRUN_NOTEBOOKS_FAILED_CELL=%s\\n" % ep.current)
    status = 3
finally:
    nbformat.write(nb, dst)
sys.exit(status)
`;

/** Source and error text (stderr stream / error outputs) of cell `index` of an executed notebook. */
function cellReport(file, index) {
  const nb = JSON.parse(fs.readFileSync(file, "utf8"));
  const c = (nb.cells || [])[index];
  if (!c) return null;
  const text = (v) => (Array.isArray(v) ? v.join("") : String(v || ""));
  const errText = (c.outputs || [])
    .map((o) =>
      o.output_type === "error"
        ? `${o.ename}: ${o.evalue}\n${(o.traceback || []).join("\n")}`
        : o.output_type === "stream" && o.name === "stderr"
          ? text(o.text)
          : "",
    )
    .join("");
  return { cell: index + 1, source: text(c.source), error: stripAnsi(errText).trim() };
}

/** The failing cell of an executeNotebook run ({cell, source, error}), or null. */
function failedCell(result, executed) {
  const m = /RUN_NOTEBOOKS_FAILED_CELL=(\d+)/.exec(result.stderr || "");
  return m && fs.existsSync(executed) ? cellReport(executed, Number(m[1])) : null;
}

/** Executes src with the tslab kernel and writes the executed notebook (partial on failure) to dst. */
function executeNotebook(python, src, dst, env) {
  return spawnSync(python, ["-c", EXECUTE_PY, src, dst, KERNEL, String(TIMEOUT_S)], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
}

const MAX_COMMITTED_BYTES = 2 * 1024 * 1024;
const REPORT_TITLE = "Customer churn, end to end, in TypeScript";
const SLIDES = { html: "../slides/slides.slides.html", pdf: "../slides/slides.pdf" };
const kb = (bytes) => `${Math.round(bytes / 1024)} KB`;
const readNotebook = (file) => JSON.parse(fs.readFileSync(file, "utf8"));

/** Executes one notebook into artifacts/notebooks/; on failure prints the notebook, the cell and its error, and returns false. */
function runOne(python, nb, executed, env) {
  const t0 = Date.now();
  process.stdout.write(`  ${rel(nb)} ... `);
  const r = executeNotebook(python, nb, executed, env);
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status === 3) {
    console.log(`FAILED (${secs}s)`);
    const f = failedCell(r, executed);
    if (f) {
      const src = f.source
        .split("\n")
        .slice(0, 8)
        .map((l) => `    | ${l}`)
        .join("\n");
      const err = (f.error || "(no error text from the kernel)")
        .split("\n")
        .slice(0, 40)
        .map((l) => `    ${l}`)
        .join("\n");
      console.error(`\nrun-notebooks: ${rel(nb)}: cell ${f.cell} failed:\n${src}\n  error:\n${err}`);
    } else {
      console.error(`\nrun-notebooks: ${rel(nb)} failed:\n${failureSummary(r.stderr)}`);
    }
    console.error(`  (partially executed notebook: ${rel(executed)})`);
    return false;
  }
  if (r.error || r.status !== 0) {
    console.log(`FAILED (${secs}s)`);
    console.error(`\nrun-notebooks: ${rel(nb)} failed:\n${r.error ? r.error.message : failureSummary(r.stderr)}`);
    return false;
  }
  const errors = fs.existsSync(executed) ? notebookErrors(executed) : [{ cell: 0, ename: "MissingOutput", evalue: executed }];
  if (errors.length > 0) {
    console.log(`FAILED (${secs}s)`);
    for (const e of errors) console.error(`run-notebooks: ${rel(nb)} cell ${e.cell}: ${e.ename}: ${e.evalue}`);
    return false;
  }
  process.stdout.write(`ok (${secs}s) -> ${rel(executed)}`);
  return true;
}

/** Base64 PNGs of the notebook's figures, by digest, drawn in one tab of `browser`; throws naming a figure not drawn. */
async function figureImages(pub, browser, figures, workDir) {
  const unique = new Map(figures.map((f) => [f.digest, { name: f.digest, figure: pub.figureForImage(f) }]));
  if (unique.size === 0) return new Map();
  const results = await renderInBrowser(browser, [...unique.values()], { workDir });
  const images = new Map();
  for (const f of figures) {
    const png = results.get(f.digest);
    if (!Buffer.isBuffer(png) || png.length === 0) {
      throw new Error(`cell ${f.cell + 1}: the figure "${f.title}" was not rendered${png instanceof Error ? `: ${png.message}` : ""}`);
    }
    images.set(f.digest, png.toString("base64"));
  }
  return images;
}

/** Writes the committed copy of `nb` (outputs published, figures as PNG) unless its text is unchanged; checks its size. */
async function publish(ctx, nb, source, executed) {
  const figures = ctx.pub.notebookFigures(executed);
  const images = await figureImages(ctx.pub, ctx.browser, figures, ctx.workDir);
  const text = ctx.pub.notebookJson(ctx.pub.publishedNotebook(source, executed, images));
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_COMMITTED_BYTES) {
    throw new Error(`${rel(nb)} would be ${kb(bytes)} with its outputs, over the ${kb(MAX_COMMITTED_BYTES)} limit: not written`);
  }
  const changed = fs.readFileSync(nb, "utf8") !== text;
  if (changed) fs.writeFileSync(nb, text);
  console.log(`\n      ${rel(nb)} ${changed ? "written" : "unchanged"} (${kb(bytes)}, ${figures.length} figure(s) as PNG)`);
}

/** --check: the committed copy against the fresh run (measured cells and PNG bytes aside); differences go to ctx. */
function compare(ctx, nb, source, executed) {
  const fresh = ctx.pub.publishedNotebook(source, executed, null);
  const found = ctx.pub.notebookDifferences(source, fresh).map((d) => ({ notebook: rel(nb), ...d }));
  for (const cell of ctx.pub.figuresWithoutImage(source)) {
    found.push({ notebook: rel(nb), cell, id: source.cells[cell - 1]?.id, diff: ["a figure output without its PNG"] });
  }
  const bytes = fs.statSync(nb).size;
  if (bytes > MAX_COMMITTED_BYTES) {
    found.push({ notebook: rel(nb), cell: 0, id: undefined, diff: [`${kb(bytes)}, over the ${kb(MAX_COMMITTED_BYTES)} limit`] });
  }
  const measured = source.cells.filter((c) => ctx.pub.isMeasured(c)).length;
  ctx.differences.push(...found);
  console.log(
    found.length === 0
      ? `\n      matches ${rel(nb)} (${measured} measured cell(s) not compared)`
      : `\n      ${found.length} difference(s) from ${rel(nb)}`,
  );
}

/** Executes every notebook in order; false (after printing why) at the first that fails. */
async function runAll(ctx, notebooks) {
  for (const nb of notebooks) {
    const name = path.basename(nb, ".ipynb");
    const executedFile = path.join(OUT_NOTEBOOKS, `${name}.ipynb`);
    if (!runOne(ctx.python, nb, executedFile, ctx.env)) return false;
    const source = readNotebook(nb);
    const executed = readNotebook(executedFile);
    const heading = ctx.pub.notebookHeading(source);
    ctx.reportPages.push({ name, notebook: ctx.pub.reportNotebook(executed, heading ? heading.title : name) });
    if (ctx.check) compare(ctx, nb, source, executed);
    else await publish(ctx, nb, source, executed);
  }
  return true;
}

// argv: <template_basedir> <template_name> <out_dir> <notebook.ipynb>... Each notebook is exported twice with the
// report template: <name>.html without code and prompts (what `--no-input` sets), <name>.code.html with them.
const REPORT_PY = `
import os, sys, nbformat
from nbconvert import HTMLExporter

basedir, template, out = sys.argv[1], sys.argv[2], sys.argv[3]
for src in sys.argv[4:]:
    name = os.path.splitext(os.path.basename(src))[0]
    nb = nbformat.read(src, as_version=4)
    for suffix, hide in ((".html", True), (".code.html", False)):
        exporter = HTMLExporter(template_name=template, extra_template_basedirs=[basedir],
                                exclude_input=hide, exclude_input_prompt=hide, exclude_output_prompt=hide)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name, "path": os.path.dirname(src)}})
        with open(os.path.join(out, name + suffix), "w", encoding="utf-8") as f:
            f.write(body)
`;

/** The HTML report: two pages a notebook, plotly.min.js beside them, index.html; fails if a page loads anything remote. */
function writeReport(ctx, notebooks) {
  const { TEMPLATE_NAME, writeReportTemplate, indexPage } = require("./lib/report-html");
  const inputs = ctx.reportPages.map(({ name, notebook }) => {
    const file = path.join(ctx.workDir, `${name}.ipynb`);
    // The report loads no MathJax: markdown outputs get their plain "$" back (notebooks keep "\\$" for Jupyter and GitHub).
    const { markdownOutputsWithoutMathEscapes } = require("./lib/dist").lib("reporting/notebook");
    fs.writeFileSync(file, JSON.stringify(markdownOutputsWithoutMathEscapes(notebook)));
    return file;
  });
  const templates = writeReportTemplate();
  try {
    const r = spawnSync(ctx.python, ["-c", REPORT_PY, templates, TEMPLATE_NAME, OUT_REPORT, ...inputs], {
      cwd: ROOT,
      env: ctx.env,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.error || r.status !== 0) throw new Error(`HTML export failed:\n${r.error ? r.error.message : failureSummary(r.stderr)}`);
  } finally {
    fs.rmSync(templates, { recursive: true, force: true });
  }
  fs.copyFileSync(require.resolve("plotly.js-dist-min/plotly.min.js", { paths: [ROOT] }), path.join(OUT_REPORT, "plotly.min.js"));
  const entries = notebooks.map((nb) => {
    const heading = ctx.pub.notebookHeading(readNotebook(nb));
    return {
      name: path.basename(nb, ".ipynb"),
      title: heading ? heading.title : path.basename(nb),
      summary: heading ? heading.summary : "",
    };
  });
  fs.writeFileSync(path.join(OUT_REPORT, "index.html"), indexPage({ title: REPORT_TITLE, notebooks: entries, slides: SLIDES }));
  const pages = ["index.html", ...ctx.reportPages.flatMap(({ name }) => [`${name}.html`, `${name}.code.html`])];
  const { externalSources } = require("./lib/offline");
  for (const page of pages) {
    const external = externalSources(fs.readFileSync(path.join(OUT_REPORT, page), "utf8"));
    if (external.length) throw new Error(`${page} loads non-local resources, so it would not work offline:\n  ${external.join("\n  ")}`);
  }
  const size = pages.reduce((sum, p) => sum + fs.statSync(path.join(OUT_REPORT, p)).size, 0);
  console.log(
    `  report: ${rel(path.join(OUT_REPORT, "index.html"))} and ${pages.length - 1} pages (${kb(size)}, plotly.min.js once; offline)`,
  );
}

/** --check's verdict: 0, or 1 after naming every differing cell with a short diff. */
function checkVerdict(differences, tag) {
  if (differences.length === 0) {
    console.log("run-notebooks: the committed notebooks match this run (measured cells and PNG bytes aside)");
    return 0;
  }
  for (const d of differences) {
    const where = d.cell > 0 ? `cell ${d.cell}${d.id ? ` (id ${d.id})` : ""}` : "notebook";
    console.error(`run-notebooks: ${d.notebook} ${where}: the committed outputs differ from this run:`);
    for (const line of d.diff) console.error(`    ${line}`);
  }
  console.error(
    `run-notebooks: ${differences.length} difference(s): run \`npm run report\` to refresh the committed notebooks, ` +
      `or tag a cell whose outputs depend on the machine \`${tag}\``,
  );
  return 1;
}

async function main(argv) {
  const { values, positionals: names } = require("./lib/args").scriptArgs(
    "run-notebooks",
    "npm run report [-- NOTEBOOK...] [--check] [--no-html]",
    { "no-html": { type: "boolean", default: false }, check: { type: "boolean", default: false } },
    argv,
  );
  const html = !values["no-html"];
  const check = values.check;
  const notebooks = listNotebooks(names);
  if (notebooks.length === 0) {
    console.log(`run-notebooks: no notebooks matching notebooks/[0-9][0-9]_*.ipynb`);
    return 0;
  }
  if (!fs.existsSync(path.join(ROOT, "dist", "lib", "reporting", "notebook.js"))) {
    console.error("run-notebooks: dist/lib/reporting/notebook.js is missing; run `npm run build` (npm run notebooks does).");
    return 2;
  }
  // Notebooks 03-05 read the run's artifacts beside the export: refuse up front, naming both files, if they do not
  // belong together (the notebooks check again, for JupyterLab users).
  if (notebooks.some((nb) => !/^0[12]_/.test(path.basename(nb)))) {
    try {
      require("./lib/dist").lib("artifact/run").locateRun(ROOT);
    } catch (err) {
      console.error(`run-notebooks: ${err.message}`);
      return typeof err.exitCode === "number" ? err.exitCode : 1;
    }
  }
  const chromium = check ? null : findChromium();
  if (!check && !chromium) {
    console.error(`run-notebooks: ${missingChromium()} (the committed notebooks show their figures as PNG; --check needs no browser)`);
    return 2;
  }

  setupJupyter({ quiet: true }); // idempotent: registers the tslab kernel under .jupyter/ if needed
  const { python } = findJupyterPython({ modules: ["jupyter_client", "nbconvert", "nbclient"] });
  // PYDEVD_DISABLE_FILE_VALIDATION silences debugpy's "frozen modules" warning on Python >= 3.11.
  const env = { ...jupyterEnv(), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
  fs.mkdirSync(OUT_NOTEBOOKS, { recursive: true });
  if (html) fs.mkdirSync(OUT_REPORT, { recursive: true });
  const what = check ? "checked against the committed copies" : "committed copies refreshed";
  console.log(`run-notebooks: ${notebooks.length} notebook(s), python ${python}, kernel ${KERNEL}; ${what}`);
  const started = Date.now();
  const pub = require("./lib/dist").lib("reporting/published-notebook");
  const ctx = {
    python,
    env,
    pub,
    check,
    browser: null,
    differences: [],
    reportPages: [],
    workDir: fs.mkdtempSync(path.join(os.tmpdir(), "churn-notebooks-")),
  };
  try {
    const ok = check
      ? await runAll(ctx, notebooks)
      : await withBrowser(chromium, (browser) => runAll(Object.assign(ctx, { browser }), notebooks));
    if (!ok) return 1;
    if (html) writeReport(ctx, notebooks);
  } finally {
    fs.rmSync(ctx.workDir, { recursive: true, force: true });
  }
  console.log(`run-notebooks: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return check ? checkVerdict(ctx.differences, pub.MEASURED_TAG) : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`run-notebooks: ${err && err.message ? err.message : err}`);
      process.exitCode = 1;
    },
  );
}

module.exports = { notebookErrors, listNotebooks, executeNotebook, failedCell };
