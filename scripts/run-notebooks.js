#!/usr/bin/env node
// Executes the tslab notebooks headless and renders an HTML report.
//
//   npm run notebooks                              # all notebooks/[0-9][0-9]_*.ipynb, in order
//   npm run notebooks -- notebooks/02_eda.ipynb    # just these (paths, or names inside notebooks/)
//   npm run notebooks -- --no-html                 # skip the HTML report
//
// Executed notebooks go to artifacts/notebooks/, HTML to artifacts/report/. Stops at the first
// notebook that fails (non-zero exit, naming the notebook and the failing cell's error); the
// partially executed notebook is still written to artifacts/notebooks/ for inspection.
// The kernel runs with cwd = the notebook's folder (nbconvert's default), so notebooks import the
// compiled library as `../dist/lib/...` (`npm run notebooks` builds first).
//
// Execution uses nbconvert's ExecutePreprocessor (what `jupyter nbconvert --to notebook --execute
// --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=tslab` runs) through a few
// lines of Python rather than the CLI: tslab reports a failing cell only as stderr text plus an
// execute_reply with status "error" and no ename/evalue, and the CLI writes nothing on failure,
// so its message would say just "<Error>:". Here the partial notebook is saved and the failing
// cell's stderr is printed. The HTML report uses the nbconvert CLI (`python -m nbconvert --to html`).
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { setupJupyter, jupyterEnv, findJupyterPython, ROOT } = require("./setup-jupyter");

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

function nbconvert(python, args, env) {
  return spawnSync(python, ["-m", "nbconvert", ...args], {
    cwd: ROOT,
    env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
}

function main(argv) {
  const { values, positionals: names } = require("./lib/args").scriptArgs(
    "run-notebooks",
    "npm run report [-- NOTEBOOK...] [--no-html]",
    { "no-html": { type: "boolean", default: false } },
    argv,
  );
  const html = !values["no-html"];
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

  setupJupyter({ quiet: true }); // idempotent: registers the tslab kernel under .jupyter/ if needed
  const { python } = findJupyterPython({ modules: ["jupyter_client", "nbconvert", "nbclient"] });
  // PYDEVD_DISABLE_FILE_VALIDATION silences debugpy's "frozen modules" warning on Python >= 3.11.
  const env = { ...jupyterEnv(), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
  fs.mkdirSync(OUT_NOTEBOOKS, { recursive: true });
  if (html) fs.mkdirSync(OUT_REPORT, { recursive: true });
  console.log(`run-notebooks: ${notebooks.length} notebook(s), python ${python}, kernel ${KERNEL}`);

  for (const nb of notebooks) {
    const name = path.basename(nb);
    const executed = path.join(OUT_NOTEBOOKS, name);
    const t0 = Date.now();
    process.stdout.write(`  ${rel(nb)} ... `);
    const r = executeNotebook(python, nb, executed, env);
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (r.status === 3) {
      console.log(`FAILED (${secs}s)`);
      const m = /RUN_NOTEBOOKS_FAILED_CELL=(\d+)/.exec(r.stderr || "");
      const f = m && fs.existsSync(executed) ? cellReport(executed, Number(m[1])) : null;
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
      return 1;
    }
    if (r.error || r.status !== 0) {
      console.log(`FAILED (${secs}s)`);
      console.error(`\nrun-notebooks: ${rel(nb)} failed:\n${r.error ? r.error.message : failureSummary(r.stderr)}`);
      return 1;
    }
    const errors = fs.existsSync(executed) ? notebookErrors(executed) : [{ cell: 0, ename: "MissingOutput", evalue: executed }];
    if (errors.length > 0) {
      console.log(`FAILED (${secs}s)`);
      for (const e of errors) console.error(`run-notebooks: ${rel(nb)} cell ${e.cell}: ${e.ename}: ${e.evalue}`);
      return 1;
    }
    console.log(`ok (${secs}s) -> ${rel(executed)}`);

    if (html) {
      const h = nbconvert(python, ["--to", "html", "--output-dir", OUT_REPORT, executed], env);
      if (h.error || h.status !== 0) {
        console.error(`run-notebooks: HTML export of ${rel(executed)} failed:\n${h.error ? h.error.message : failureSummary(h.stderr)}`);
        return 1;
      }
      console.log(`      html -> ${rel(path.join(OUT_REPORT, name.replace(/\.ipynb$/, ".html")))}`);
    }
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    console.error(`run-notebooks: ${err && err.message ? err.message : err}`);
    process.exitCode = 1;
  }
}

module.exports = { notebookErrors, listNotebooks, executeNotebook, failedCell };
