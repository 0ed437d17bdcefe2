#!/usr/bin/env node
// Runs every notebook the way a reader meets it: in the classic Jupyter Notebook UI (Debian's jupyter-notebook 6.x),
// in headless Chromium driven by puppeteer-core, with the project's tslab kernel; then checks what the page shows.
//
//   npm run test:browser                            # builds, then all notebooks/[0-9][0-9]_*.ipynb in order
//   node scripts/browser-notebooks.js [NOTEBOOK...]  # just these (paths, or names inside --dir)
//     --dir DIR              the notebooks' folder, inside the repository (default notebooks/)
//     --out DIR              where the screenshots go (default artifacts/browser/)
//     --timeout S            per notebook, from Run All to idle (default 180)
//     --figure-timeout S     for the last figures to draw once the kernel is idle (default 30)
//   node scripts/browser-notebooks.js --self-test   # notebooks with one fault each (artifacts/browser/self-test/):
//                                                   # exit 0 when every fault is caught and the clean one passes
//
// For each notebook: open it, turn autosave off, Run All (Jupyter.notebook.execute_all_cells()), wait until no cell
// is running and the kernel is idle, then check
//   - no cell failed: tslab answers a failing cell (compile error or exception) with an execute_reply of status
//     "error" and the message as stderr text, not as an error output, so the reply status is recorded for every
//     cell; error outputs and stderr mentioning an Error (e.g. a rejected promise reported by a later cell) count too,
//     and code cells the kernel skipped after a failure are listed;
//   - every Plotly figure lib/reporting/notebook.ts emitted (div.plotly-figure) holds Plotly's SVG (.main-svg);
//   - the notebook on disk is byte for byte what it was: the page never saves (autosave off, and every write to the
//     server's contents API is blocked and reported), and the file's sha256 is compared before and after.
// Printed as warnings, not failed on: stderr without an Error, and output text MathJax typeset as math (in Jupyter's
// markdown two "$" make inline TeX, so "$5 to $6" comes out as italic "5 to").
// A screenshot of each notebook (full page, height capped) goes to <out>/<name>.png, the server's log to
// artifacts/browser/server.log. Each notebook's kernel is shut down before the next starts.
//
// Exit: 0 all good; 1 a notebook failed a check (named, with the cell number and the error text); 2 a bad command line,
// or no dist/ (run `npm run build`), no Chromium or no classic Notebook. The server is stopped on every exit path.
// The server: `<python> -m notebook` (JUPYTER_PYTHON, else the Python of `jupyter` on PATH, python3, /usr/bin/python3:
// the first that has notebook.notebookapp, i.e. classic Notebook < 7) on a free loopback port with a random token,
// rooted at the repository, JUPYTER_PATH from setup-jupyter (the tslab kernelspec) and throw-away config and runtime
// folders, so neither ~/.jupyter's settings nor its notebook signatures are read or written.
"use strict";
/* global window, document, Jupyter -- the functions handed to page.evaluate run in the notebook's page */

const fs = require("node:fs");
const os = require("node:os");
const net = require("node:net");
const path = require("node:path");
const crypto = require("node:crypto");
const { spawn } = require("node:child_process");
const { setupJupyter, jupyterEnv, findJupyterPython, ROOT } = require("./setup-jupyter");

const NOTEBOOKS_DIR = path.join(ROOT, "notebooks");
const OUT_DIR = path.join(ROOT, "artifacts", "browser");
const SELF_TEST_DIR = path.join(OUT_DIR, "self-test");
const VIEWPORT = { width: 1280, height: 900 };
// Chromium refuses screenshots much taller than its maximum texture size (16384 px); a reviewer needs the top anyway.
const SCREENSHOT_MAX_HEIGHT = 16000;
const SERVER_START_TIMEOUT_MS = 60_000;
const USAGE =
  "node scripts/browser-notebooks.js [NOTEBOOK...] [--dir DIR] [--out DIR] [--timeout SECONDS] [--figure-timeout SECONDS] [--self-test]";

const rel = (p) => path.relative(process.cwd(), p) || ".";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const indent = (text, prefix, maxLines) =>
  String(text)
    .split("\n")
    .slice(0, maxLines)
    .map((l) => prefix + l)
    .join("\n");

/** A missing prerequisite or a bad argument: exit 2. */
class UsageError extends Error {}

/** The notebooks to run: positional paths (or names inside dir), else dir's [0-9][0-9]_*.ipynb sorted. */
function listNotebooks(dir, names) {
  if (names.length > 0) {
    return names.map((a) => {
      for (const p of [path.resolve(a), path.join(dir, a)]) if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
      throw new UsageError(`notebook not found: ${a}`);
    });
  }
  if (!fs.existsSync(dir)) throw new UsageError(`${rel(dir)} does not exist`);
  return fs
    .readdirSync(dir)
    .filter((f) => /^[0-9]{2}_.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** A port free on the loopback interface right now (the server is told not to try others, so a race fails loudly). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Keeps the last `max` lines written to a stream, and copies everything to `file`. */
function lineTail(stream, file, max = 40) {
  const lines = [];
  const out = fs.createWriteStream(file, { flags: "a" });
  let partial = "";
  stream.on("data", (chunk) => {
    out.write(chunk);
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop();
    lines.push(...parts);
    if (lines.length > max) lines.splice(0, lines.length - max);
  });
  stream.on("end", () => out.end());
  return () => [...lines, partial].filter(Boolean).join("\n");
}

/**
 * Starts `python -m notebook` on a free loopback port and waits for its /api to answer. Returns
 * { url, token, version, stop(), tail(), exited() }; stop() ends the server and the kernels it started.
 */
async function startServer(python) {
  const port = await freePort();
  const token = crypto.randomBytes(24).toString("hex");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "churn-notebook-server-"));
  const logFile = path.join(OUT_DIR, "server.log");
  fs.writeFileSync(logFile, "");
  const args = ["-m", "notebook", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0"];
  args.push(`--NotebookApp.token=${token}`, `--notebook-dir=${ROOT}`, "--NotebookNotary.db_file=:memory:");
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--allow-root");
  const env = {
    ...jupyterEnv(),
    JUPYTER_CONFIG_DIR: path.join(scratch, "config"),
    JUPYTER_RUNTIME_DIR: path.join(scratch, "runtime"),
    PYDEVD_DISABLE_FILE_VALIDATION: "1", // debugpy's "frozen modules" warning on Python >= 3.11
  };
  // detached: a process group of its own, so a Ctrl-C in the terminal reaches this script only, which then stops the
  // server itself (Notebook answers a SIGINT by asking on stdin whether to shut down).
  const child = spawn(python, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const stderrTail = lineTail(child.stderr, logFile);
  lineTail(child.stdout, logFile);
  let exit = null;
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve((exit = { code, signal }))));
  child.once("error", (err) => (exit = { code: null, signal: null, error: err }));
  const server = { url: `http://127.0.0.1:${port}/`, token, child, scratch, tail: stderrTail, exited: () => exit, exitedPromise: exited };
  server.stop = () => stopServer(server);
  running.add(server);

  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit) break;
    try {
      const res = await fetch(`${server.url}api?token=${token}`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        server.version = (await res.json()).version;
        return server;
      }
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  const api = `${server.url}api`;
  const why = exit
    ? `exited (${exit.error ? exit.error.message : (exit.signal ?? `code ${exit.code}`)}) before answering on ${api}`
    : `did not answer on ${api} within ${SERVER_START_TIMEOUT_MS / 1000} s`;
  await server.stop();
  throw new UsageError(
    `the Notebook server (${python} -m notebook) ${why}; its stderr ended with:\n${indent(stderrTail() || "(nothing)", "    ", 40)}`,
  );
}

// Servers not yet stopped: { child, scratch, stop }. On SIGINT/SIGTERM each is stopped the normal way before the
// process exits; on any other exit (an uncaught error) there is no time to wait, so server and kernels get SIGKILL.
const running = new Set();
process.once("exit", () => running.forEach((s) => killNow(s.child, s.scratch)));
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    console.error(`browser-notebooks: ${sig}: stopping the Notebook server`);
    const code = 128 + os.constants.signals[sig];
    Promise.allSettled([...running].map((s) => s.stop())).finally(() => process.exit(code));
  });
}

function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * The kernels this server started, by pid: jupyter_client gives each kernel a session of its own, so they are not in
 * the server's process group, but each one's command line names its connection file in this server's runtime folder.
 */
function kernelPids(scratch) {
  if (process.platform !== "linux") return [];
  const marker = path.join(scratch, "runtime") + path.sep;
  const pids = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) pids.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return pids;
}

function killNow(child, scratch) {
  if (child.exitCode === null && child.signalCode === null) signalPid(-child.pid, "SIGKILL");
  kernelPids(scratch).forEach((pid) => signalPid(pid, "SIGKILL"));
  fs.rmSync(scratch, { recursive: true, force: true });
}

/**
 * SIGTERM to the server (it shuts its kernels down: about a second here), SIGKILL after 5 s; then any kernel of its
 * still alive gets SIGKILL too, and the scratch folder is removed.
 */
async function stopServer(server) {
  const { child, scratch } = server;
  if (child.exitCode === null && child.signalCode === null) {
    signalPid(-child.pid, "SIGTERM");
    const done = await Promise.race([server.exitedPromise.then(() => true), sleep(5000).then(() => false)]);
    if (!done) {
      signalPid(-child.pid, "SIGKILL");
      await server.exitedPromise;
    }
  }
  kernelPids(scratch).forEach((pid) => signalPid(pid, "SIGKILL"));
  running.delete(server);
  fs.rmSync(scratch, { recursive: true, force: true });
}

// --- In the page -------------------------------------------------------------------------------------------------

/** Autosave off, the reply status of every executed cell recorded on the cell, then Run All. */
function runAllInPage() {
  const nb = Jupyter.notebook;
  nb.set_autosave_interval(0);
  const code = nb.get_cells().find((c) => c.cell_type === "code");
  if (code) {
    // tslab tells a failed cell only by the execute_reply's status; the classic UI drops it, so keep it on the cell.
    const proto = Object.getPrototypeOf(code);
    if (!proto.__churnReplyRecorded) {
      const handle = proto._handle_execute_reply;
      proto._handle_execute_reply = function (msg) {
        this.__churnReplyStatus = msg && msg.content ? msg.content.status : "missing";
        return handle.call(this, msg);
      };
      proto.__churnReplyRecorded = true;
    }
  }
  nb.execute_all_cells();
}

function kernelReadyInPage() {
  const k = window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel;
  return Boolean(k && k.info_reply && k.info_reply.protocol_version);
}

function idleInPage() {
  return (
    document.querySelectorAll(".cell.running").length === 0 && document.querySelector("#kernel_indicator_icon.kernel_idle_icon") !== null
  );
}

/** Every figure container holds Plotly's SVG, or has given up (lib/reporting/notebook.ts writes why into it). */
function figuresSettledInPage() {
  return [...document.querySelectorAll("div.plotly-figure")].every((d) => d.querySelector(".main-svg") || d.textContent.trim());
}

/** Resolves once MathJax (2.x, the classic UI's) has typeset what is queued, or at once without MathJax. */
function mathTypesetInPage() {
  return new Promise((resolve) => {
    if (window.MathJax && window.MathJax.Hub && typeof window.MathJax.Hub.Queue === "function") {
      window.MathJax.Hub.Queue(() => resolve(true));
      setTimeout(() => resolve(false), 10_000);
    } else resolve(false);
  });
}

/** What the page shows: each cell (1-based, prompt, reply status, outputs) and each figure (its cell, drawn or not). */
function pageStateInPage() {
  const nb = Jupyter.notebook;
  const cellEls = nb.get_cell_elements().toArray();
  const text = (v) => (Array.isArray(v) ? v.join("") : v == null ? "" : String(v));
  return {
    sessionId: nb.session ? nb.session.id : null,
    cells: nb.get_cells().map((c, i) => ({
      cell: i + 1,
      type: c.cell_type,
      source: c.get_text(),
      prompt: c.cell_type === "code" ? c.input_prompt_number : null,
      status: c.__churnReplyStatus || null,
      outputs: c.cell_type === "code" ? c.output_area.outputs.map((o) => ({ ...o, text: text(o.text) })) : [],
      errorElements: c.element[0].querySelectorAll(".output_error").length,
      // Output text MathJax typeset as math (it keeps the TeX source in a script element): a pair of "$" in markdown.
      math: [...c.element[0].querySelectorAll(".output_area script[type^='math/tex']")].map((m) => m.textContent.slice(0, 120)),
    })),
    figures: [...document.querySelectorAll("div.plotly-figure")].map((d) => ({
      cell: cellEls.indexOf(d.closest(".cell")) + 1,
      drawn: d.querySelector(".main-svg") !== null,
      text: d.textContent.trim().slice(0, 200),
    })),
  };
}

// --- Checks ------------------------------------------------------------------------------------------------------

const ERROR_WORD = /\b\w*Error\b/;

/** "cell 7 (In [4])": the cell's place in the notebook (1-based, markdown cells counted) and its prompt number. */
const cellName = (c) => `cell ${c.cell}${typeof c.prompt === "number" ? ` (In [${c.prompt}])` : ""}`;

/** The failures a page state shows: [{ cell, prompt, kind, text, source }]. */
function cellProblems(cells) {
  const problems = [];
  let failedAt = null;
  for (const c of cells) {
    if (c.type !== "code" || c.source.trim() === "") continue;
    const stderr = c.outputs
      .filter((o) => o.output_type === "stream" && o.name === "stderr")
      .map((o) => o.text)
      .join("");
    const errors = c.outputs
      .filter((o) => o.output_type === "error")
      .map((o) => `${o.ename}: ${o.evalue}\n${(o.traceback || []).join("\n")}`.trim());
    const base = { cell: c.cell, prompt: c.prompt, source: c.source };
    if (c.status === "error" || errors.length > 0 || c.errorElements > 0 || ERROR_WORD.test(stderr)) {
      const why = c.status === "error" ? "failed" : "reported an error";
      problems.push({ ...base, kind: why, text: [...errors, stderr].join("\n").trim() || "(no error text from the kernel)" });
      failedAt = failedAt || c.cell;
    } else if (c.prompt === "*") {
      // Run All queues every cell at once, so all after the one executing show "In [*]" too: one line for those.
      const running = problems.find((p) => p.kind === "still running");
      if (running) running.queued.push(c.cell);
      else problems.push({ ...base, kind: "still running", text: "", queued: [] });
    } else if (c.status !== "ok") {
      const after = failedAt ? ` (the kernel skipped it after cell ${failedAt} failed)` : "";
      problems.push({ ...base, kind: "not run", text: `reply status ${c.status || "none"}${after}` });
    }
  }
  return problems;
}

/**
 * What a reader would notice but the kernel does not call an error: stderr without an Error (a warning) and output
 * text typeset as math (dollar amounts in markdown). Printed, not failed on.
 */
function cellWarnings(cells) {
  const warnings = [];
  for (const c of cells) {
    if (c.type !== "code" || c.status !== "ok") continue;
    const stderr = c.outputs
      .filter((o) => o.output_type === "stream" && o.name === "stderr")
      .map((o) => o.text)
      .join("")
      .trim();
    if (stderr && !ERROR_WORD.test(stderr)) warnings.push(`${cellName(c)} wrote to stderr: ${stderr.split("\n").slice(0, 3).join(" / ")}`);
    if (c.math.length > 0) {
      const first = JSON.stringify(c.math[0]);
      warnings.push(
        `${cellName(c)}: ${c.math.length} piece(s) of output text typeset as math by MathJax (a pair of "$" in markdown?), first: ${first}`,
      );
    }
  }
  return warnings;
}

function figureSummary(figures) {
  const failed = figures.map((f, i) => ({ ...f, n: i + 1 })).filter((f) => !f.drawn);
  if (figures.length === 0) return { failed, text: "no figures" };
  if (failed.length === 0) return { failed, text: `${figures.length} figure${figures.length === 1 ? "" : "s"}, all drawn` };
  return { failed, text: `${figures.length} figures, ${failed.length} not drawn` };
}

// --- One notebook ------------------------------------------------------------------------------------------------

/** Waits for `fn` in the page; false on timeout (the caller reports what the page shows at that point). */
async function waitInPage(page, fn, timeoutMs) {
  try {
    await page.waitForFunction(fn, { timeout: timeoutMs, polling: 250 });
    return true;
  } catch (err) {
    if (err && err.name === "TimeoutError") return false;
    throw err;
  }
}

/** Blocks (and records) every request that would write to the server's contents API: saves, checkpoints, renames. */
async function refuseWrites(page, server, attempts) {
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const u = new URL(req.url());
    const write = !["GET", "HEAD", "OPTIONS"].includes(req.method());
    if (u.origin === new URL(server.url).origin && u.pathname.startsWith("/api/contents") && write) {
      attempts.push(`${req.method()} ${decodeURIComponent(u.pathname)}`);
      void req.abort("blockedbyclient");
    } else {
      void req.continue();
    }
  });
}

/** Lays the notebook out in the page's flow (the classic UI scrolls inside #site) and screenshots it, height capped. */
async function screenshot(page, file) {
  await page.addStyleTag({ content: "html, body, #site { height: auto !important; overflow: visible !important; }" });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const clip = { x: 0, y: 0, width: VIEWPORT.width, height: Math.min(height, SCREENSHOT_MAX_HEIGHT) };
  await page.screenshot({ path: file, clip, captureBeyondViewport: true });
  return { height, capped: height > SCREENSHOT_MAX_HEIGHT };
}

/** Ends the notebook's kernel through the server (DELETE /api/sessions/<id>), so kernels do not pile up. */
async function shutDownSession(server, sessionId) {
  if (!sessionId) return;
  await fetch(`${server.url}api/sessions/${sessionId}`, {
    method: "DELETE",
    headers: { Authorization: `token ${server.token}` },
    signal: AbortSignal.timeout(10_000),
  }).catch(() => {});
}

/** Opens `file` in the Notebook UI, runs all cells and checks the page; returns the notebook's result. */
async function checkNotebook(browser, server, file, opts) {
  const t0 = Date.now();
  const before = sha256(file);
  const result = { file, name: path.basename(file, ".ipynb"), problems: [], warnings: [], figures: [], saves: [], pageErrors: [] };
  const page = await browser.newPage();
  let sessionId = null;
  try {
    await page.setViewport(VIEWPORT);
    page.on("pageerror", (err) => result.pageErrors.push(String(err && err.message ? err.message : err)));
    await refuseWrites(page, server, result.saves);
    const urlPath = path.relative(ROOT, file).split(path.sep).map(encodeURIComponent).join("/");
    await page.goto(`${server.url}notebooks/${urlPath}?token=${server.token}`, { waitUntil: "load", timeout: 60_000 });
    if (!(await waitInPage(page, kernelReadyInPage, 60_000))) {
      result.problems.push({ cell: null, kind: "kernel", text: "the notebook did not load or its tslab kernel did not start within 60 s" });
    } else {
      await page.evaluate(runAllInPage);
      if (!(await waitInPage(page, idleInPage, opts.timeout * 1000))) result.timedOut = true;
      await waitInPage(page, figuresSettledInPage, opts.figureTimeout * 1000);
      await page.evaluate(mathTypesetInPage);
      const state = await page.evaluate(pageStateInPage);
      sessionId = state.sessionId;
      result.codeCells = state.cells.filter((c) => c.type === "code" && c.source.trim() !== "").length;
      result.problems.push(...cellProblems(state.cells));
      result.warnings = cellWarnings(state.cells);
      result.figures = state.figures;
    }
    if (!sessionId)
      sessionId = await page.evaluate(() => (window.Jupyter && Jupyter.notebook.session ? Jupyter.notebook.session.id : null));
    fs.mkdirSync(opts.out, { recursive: true });
    result.screenshot = path.join(opts.out, `${result.name}.png`);
    result.shot = await screenshot(page, result.screenshot);
  } finally {
    await shutDownSession(server, sessionId);
    await page.close();
  }
  result.modified = sha256(file) !== before;
  result.secs = (Date.now() - t0) / 1000;
  return result;
}

/** The failure lines of a result (empty when it passed). */
function failureLines(r, opts) {
  const where = rel(r.file);
  const lines = [];
  if (r.timedOut) lines.push(`${where}: still running after ${opts.timeout} s (--timeout)`);
  for (const p of r.problems) {
    if (p.cell === null) {
      lines.push(`${where}: ${p.text}`);
      continue;
    }
    // The stack below the cell's own frames is tslab's and Node's (vm, the kernel's queue): not the reader's business.
    const text = p.text
      .split("\n")
      .filter((l) => !/^\s+at .*(\(node:|node:internal|[\\/]tslab[\\/])/.test(l))
      .join("\n");
    const detail = text ? `\n  ${p.kind === "not run" ? "why" : "error"}:\n${indent(text, "    ", 30)}` : "";
    const queued = p.queued && p.queued.length ? `\n  queued behind it: cells ${p.queued.join(", ")}` : "";
    lines.push(`${where}: ${cellName(p)} ${p.kind}:\n${indent(p.source, "    | ", 6)}${detail}${queued}`);
  }
  for (const f of figureSummary(r.figures).failed) {
    const why = f.text ? `: ${f.text}` : `: no Plotly SVG (.main-svg) after ${opts.figureTimeout} s`;
    lines.push(`${where}: figure ${f.n} of ${r.figures.length} (cell ${f.cell}) not drawn${why}`);
  }
  for (const s of r.saves) lines.push(`${where}: the page tried to write to the server (${s}); the request was blocked`);
  if (r.modified) lines.push(`${where}: the file changed on disk while the notebook ran (sha256 differs)`);
  for (const e of r.pageErrors) lines.push(`${where}: JavaScript error in the page: ${e}`);
  return lines;
}

function summaryLine(r, failures) {
  const cells = r.codeCells === undefined ? "" : `${r.codeCells} code cell${r.codeCells === 1 ? "" : "s"}, `;
  const shot = r.shot ? ` -> ${rel(r.screenshot)}${r.shot.capped ? ` (first ${SCREENSHOT_MAX_HEIGHT} of ${r.shot.height} px)` : ""}` : "";
  const verdict = failures.length === 0 ? "ok" : `FAILED (${failures.length} problem${failures.length === 1 ? "" : "s"})`;
  return `  ${path.basename(r.file).padEnd(26)} ${verdict}  ${r.secs.toFixed(1)} s  ${cells}${figureSummary(r.figures).text}${shot}`;
}

// --- Runs ----------------------------------------------------------------------------------------------------------

/** The notebooks import the compiled library (../dist/lib/...): without it every notebook would fail in cell 1. */
function requireDist() {
  if (!fs.existsSync(path.join(ROOT, "dist", "lib", "reporting", "notebook.js"))) {
    throw new UsageError("dist/lib is missing: run `npm run build` (npm run test:browser does).");
  }
}

/** The Chromium binary, the classic Notebook's Python and a registered tslab kernel, or a UsageError saying what to do. */
function prerequisites() {
  requireDist();
  const { findChromium, missingChromium } = require("./lib/chromium");
  const chromium = findChromium();
  if (!chromium) throw new UsageError(missingChromium());
  let python;
  try {
    setupJupyter({ quiet: true }); // idempotent: the tslab kernelspec under .jupyter/
    // notebook.notebookapp exists in the classic Notebook only (6.x; Notebook 7 is JupyterLab-based, another UI).
    python = findJupyterPython({ modules: ["notebook.notebookapp"] }).python;
  } catch (err) {
    throw new UsageError(`${err.message}\n(the classic Notebook server: apt-get install jupyter-notebook)`);
  }
  return { chromium, python };
}

/** Runs `notebooks` in one server and one browser; returns the results, printing a line per notebook. */
async function runNotebooks(notebooks, opts) {
  const { chromium, python } = prerequisites();
  for (const nb of notebooks) {
    if (path.relative(ROOT, nb).startsWith("..")) throw new UsageError(`${rel(nb)} is outside the repository (the server's root)`);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const server = await startServer(python);
  const results = [];
  try {
    if (!/^6\./.test(server.version || "")) {
      throw new UsageError(`${python} -m notebook is Notebook ${server.version}; these checks drive the classic UI, Notebook 6.x`);
    }
    console.log(`browser-notebooks: ${notebooks.length} notebook(s), Notebook ${server.version} (${python}), ${chromium}`);
    await require("./lib/chromium").withBrowser(
      chromium,
      async (browser) => {
        for (const nb of notebooks) {
          const r = await checkNotebook(browser, server, nb, opts).catch((err) => {
            throw new Error(`${rel(nb)}: ${err && err.message ? err.message : err}`, { cause: err });
          });
          r.failures = failureLines(r, opts);
          results.push(r);
          console.log(summaryLine(r, r.failures));
          for (const w of r.warnings) console.log(`      warning: ${w}`);
          const gone = server.exited();
          if (gone)
            throw new Error(`the Notebook server exited (${gone.signal ?? `code ${gone.code}`}):\n${indent(server.tail(), "    ", 30)}`);
        }
      },
      // A signal stops the Notebook server first (see `running`); puppeteer's own handlers would exit at once.
      { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false },
    );
  } finally {
    await server.stop();
  }
  return results;
}

async function main(argv) {
  const { values, positionals } = require("./lib/args").scriptArgs(
    "browser-notebooks",
    USAGE,
    {
      dir: { type: "string", default: NOTEBOOKS_DIR },
      out: { type: "string", default: OUT_DIR },
      timeout: { type: "integer", default: 180, min: 1 },
      "figure-timeout": { type: "integer", default: 30, min: 1 },
      "self-test": { type: "boolean", default: false },
    },
    argv,
  );
  const opts = { timeout: values.timeout, figureTimeout: values["figure-timeout"], out: path.resolve(values.out) };
  if (values["self-test"]) return selfTest(opts);
  const notebooks = listNotebooks(path.resolve(values.dir), positionals);
  if (notebooks.length === 0) throw new UsageError(`no notebooks matching ${rel(path.resolve(values.dir))}/[0-9][0-9]_*.ipynb`);
  requireDist();
  // Notebooks 03-05 read the run's artifacts beside the export: refused up front, naming both files, if they do not
  // belong together (as scripts/run-notebooks.js does).
  if (notebooks.some((nb) => path.dirname(nb) === NOTEBOOKS_DIR && !/^0[12]_/.test(path.basename(nb)))) {
    try {
      require("./lib/dist").lib("artifact/run").locateRun(ROOT);
    } catch (err) {
      console.error(`browser-notebooks: ${err.message}`);
      return typeof err.exitCode === "number" ? err.exitCode : 1;
    }
  }
  const t0 = Date.now();
  const results = await runNotebooks(notebooks, opts);
  const failed = results.filter((r) => r.failures.length > 0);
  for (const r of failed) for (const line of r.failures) console.error(`\nbrowser-notebooks: ${line}`);
  const total = ((Date.now() - t0) / 1000).toFixed(1);
  if (failed.length > 0) {
    console.error(
      `\nbrowser-notebooks: ${failed.length} of ${results.length} notebook(s) failed: ${failed.map((r) => path.basename(r.file)).join(", ")} (${total} s)`,
    );
    return 1;
  }
  console.log(
    `browser-notebooks: all ${results.length} notebook(s) ran in the browser without an error, every figure drawn, files unchanged (${total} s)`,
  );
  return 0;
}

// --- Self-test: notebooks with one fault each, and one without; every fault must be caught, the clean one pass -----

function notebookJson(cells) {
  return {
    cells: cells.map((source, i) =>
      source.startsWith("# ")
        ? { cell_type: "markdown", id: `c${i}`, metadata: {}, source }
        : { cell_type: "code", id: `c${i}`, metadata: {}, source, outputs: [], execution_count: null },
    ),
    metadata: { kernelspec: { name: "tslab", display_name: "TypeScript", language: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/** name -> { cells, expect(result) -> true when the result shows the fault }. */
function selfTestCases(libImport) {
  const imp = `import * as tslab from "tslab";\nimport { showFigure, showMarkdown, plotlyFigureHtml } from "${libImport}";`;
  const fig = `{ data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }] }`;
  const has = (r, pattern) => r.failures.some((l) => pattern.test(l));
  return {
    "01_throws": {
      cells: ["# An exception", 'console.log("fine");', 'throw new Error("deliberate failure");', 'console.log("never");'],
      expect: (r) => has(r, /cell 3 \(In \[2\]\) failed:[\s\S]*Error: deliberate failure/) && has(r, /cell 4 not run/),
    },
    "02_compile_error": {
      cells: ["# A type error", 'const n: number = "text";'],
      expect: (r) => has(r, /cell 2 \(In \[1\]\) failed:[\s\S]*not assignable to type 'number'/),
    },
    "03_undrawn_figure": {
      // The second figure's container without its drawing script: what a reader sees when a figure's script does not run.
      cells: [
        "# A figure that is not drawn",
        imp,
        `showFigure(${fig});`,
        `tslab.display.html(plotlyFigureHtml(${fig}).replace(/<script[\\s\\S]*<\\/script>/, ""));`,
      ],
      expect: (r) => r.figures.length === 2 && has(r, /figure 2 of 2 \(cell 4\) not drawn/) && !has(r, /figure 1 /),
    },
    "04_writes_itself": {
      cells: [
        "# A cell that changes the notebook's file",
        'import * as fs from "fs";\nfs.appendFileSync("04_writes_itself.ipynb", "\\n");',
      ],
      expect: (r) => has(r, /changed on disk/),
    },
    "05_saves": {
      cells: [
        "# A cell that makes the page save",
        'import * as tslab from "tslab";\ntslab.display.html("<script>Jupyter.notebook.save_notebook();</script>");',
      ],
      expect: (r) => has(r, /tried to write to the server \(PUT \/api\/contents\/.*05_saves\.ipynb\)/) && !r.modified,
    },
    "06_dollars": {
      // Not an error, so a warning: two dollar amounts in one markdown output become inline math.
      cells: ["# Prices in markdown", `${imp}\nshowMarkdown("from $5 to $6 a month");`],
      expect: (r) =>
        r.failures.length === 0 && r.warnings.some((w) => /cell 2 \(In \[1\]\): 1 piece\(s\) of output text typeset as math/.test(w)),
    },
    "07_clean": {
      cells: ["# Nothing wrong", imp, `showFigure(${fig});`, 'console.log("done");'],
      expect: (r) => r.failures.length === 0 && r.figures.length === 1,
    },
  };
}

async function selfTest(opts) {
  const dir = SELF_TEST_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const libImport = path
    .relative(dir, path.join(ROOT, "dist", "lib", "reporting", "notebook"))
    .split(path.sep)
    .join("/");
  const cases = selfTestCases(libImport);
  for (const [name, c] of Object.entries(cases)) {
    fs.writeFileSync(path.join(dir, `${name}.ipynb`), JSON.stringify(notebookJson(c.cells), null, 1) + "\n");
  }
  // A figure that will never draw need not be waited for long here.
  const results = await runNotebooks(listNotebooks(dir, []), { ...opts, figureTimeout: Math.min(opts.figureTimeout, 3), out: dir });
  let missed = 0;
  for (const r of results) {
    const ok = cases[r.name].expect(r);
    if (!ok) missed += 1;
    console.log(`self-test: ${r.name}: ${ok ? "caught as expected" : "NOT as expected"}`);
    for (const line of [...r.failures, ...r.warnings.map((w) => `warning: ${w}`)]) console.log(indent(line, "    ", 8));
  }
  if (missed > 0) {
    console.error(`self-test: ${missed} of ${results.length} notebook(s) did not give the expected verdict (notebooks in ${rel(dir)})`);
    return 1;
  }
  console.log(`self-test: every fault was caught and the clean notebook passed (notebooks left in ${rel(dir)})`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`browser-notebooks: ${err && err.message ? err.message : err}`);
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
