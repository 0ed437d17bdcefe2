#!/usr/bin/env node
// Builds the slide deck: executes slides/slides.ipynb headless with the tslab kernel, exports it with
// `nbconvert --to slides` to a reveal.js deck that works offline, and prints it to PDF with headless Chromium.
//
//   npm run slides                     # builds the library first, then this script
//   node scripts/slides.js --no-pdf    # skip the PDF
//
// Writes (under $CHURN_ARTIFACTS, default artifacts/):
//   slides/slides.ipynb          the executed notebook
//   slides/slides.slides.html    the deck (code inputs and prompts removed, outputs only)
//   slides/reveal.js/            reveal.js (dist/ and plugin/notes/) copied from node_modules: no CDN
//   slides/slides.pdf            one page per slide, printed by puppeteer-core on the system Chromium (scripts/lib/chromium.js:
//                                env CHROMIUM or chromium on PATH; missing: the script fails unless --no-pdf)
//
// Offline: nbconvert's reveal template loads require.js, jQuery and MathJax from URLs (Debian points them at
// /usr/share/javascript, pip's nbconvert at CDNs) and reveal.js through require.js. The deck uses none of them
// (no math, no widgets; Plotly is inlined by lib/notebook), so a tiny template derived from nbconvert's `reveal`
// drops those three and loads the copied reveal.js with plain <script> tags. After the export the HTML is checked
// for any remaining http(s) or file:// script/stylesheet source (scripts/lib/offline.js, shared with the HTML report),
// and the script fails if one is left.
//
// Environment, as scripts/run-notebooks.js: CHURN_ARTIFACTS (artifacts folder), CHURN_EXPORT_FILE (the export, read
// by the notebook through lib/run's locateRun), JUPYTER_PYTHON (interpreter).
"use strict";
/* global window, document -- the functions handed to page.evaluate run in the deck's page */

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { setupJupyter, jupyterEnv, findJupyterPython, ROOT } = require("./setup-jupyter");
// The notebooks' executor (nbconvert's ExecutePreprocessor; partial notebook saved, failing cell reported).
const { executeNotebook, failedCell } = require("./run-notebooks");
const { externalSources } = require("./lib/offline");

const NOTEBOOK = path.join(ROOT, "slides", "slides.ipynb");
const KERNEL = "tslab";

const rel = (p) => path.relative(process.cwd(), p) || ".";
// ANSI escape sequences (colours, cursor moves). Built from a string because no-control-regex refuses ESC in a
// regex literal, written raw or escaped; replace() with a global regex starts from 0 each time, so one object serves.
const ESC = "\u001b";
const ANSI_ESCAPE = new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, "g");
const stripAnsi = (s) => String(s || "").replace(ANSI_ESCAPE, "");

class SlidesError extends Error {}

// A template derived from nbconvert's reveal template (nbconvert 6 and 7): no jQuery, require.js or MathJax, and
// reveal.js + the notes plugin loaded with plain script tags (their UMD builds set window.Reveal / RevealNotes).
const TEMPLATE_CONF = { base_template: "reveal", mimetypes: { "text/html": true } };
const TEMPLATE_INDEX = `{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}<style type="text/css">EXTRA_CSS</style>{%- endblock html_head_css -%}
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true,
  progress: true,
  history: true,
  hash: true,
  pdfSeparateFragments: false,
  pdfMaxPagesPerSlide: 1,
  transition: "{{ resources.reveal.transition | default('slide', true) }}",
  slideNumber: "{{ resources.reveal.number | default('', true) }}",
  plugins: [RevealNotes]
});
// Plotly figures drawn while their slide was hidden get the right size once it is shown.
Reveal.on("slidechanged", function () { window.dispatchEvent(new Event("resize")); });
</script>
{% endblock footer_js %}
`;
// Deck styling on top of nbconvert's: slide text left-aligned and a little smaller, tables compact.
const EXTRA_CSS = `
.reveal .slides { text-align: left; }
.reveal .jp-RenderedHTMLCommon table { font-size: 17px; margin: 0.2em 0 0.4em 0; }
.reveal .jp-RenderedHTMLCommon td, .reveal .jp-RenderedHTMLCommon th { padding: 0.15em 0.6em; }
.reveal .jp-RenderedHTMLCommon td:first-child, .reveal .jp-RenderedHTMLCommon th:first-child { text-align: left; }
.reveal .jp-RenderedHTMLCommon caption { font-size: 14px; color: #555; caption-side: bottom; text-align: left; }
.reveal .jp-RenderedMarkdown li { font-size: 20px; line-height: 1.35; margin-bottom: 0.25em; }
.reveal .jp-RenderedMarkdown small { font-size: 14px; color: #555; }
.reveal h1, .reveal h2, .reveal h3 { text-transform: none !important; }
/* print-pdf: no blank page after the last slide */
html.print-pdf .reveal .slides .pdf-page:last-of-type { page-break-after: avoid !important; break-after: avoid !important; }
.reveal h1 { font-size: 1.6em; }
.reveal h2 { font-size: 1.15em; }
.reveal h3 { font-size: 1.0em; }
`;

function writeTemplate() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "churn-slides-"));
  const dir = path.join(base, "churn_reveal");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "conf.json"), JSON.stringify(TEMPLATE_CONF));
  fs.writeFileSync(path.join(dir, "index.html.j2"), TEMPLATE_INDEX.replace("EXTRA_CSS", EXTRA_CSS));
  return base;
}

/** Copies what the deck loads from reveal.js (dist/ and the notes plugin) next to the HTML. */
function copyReveal(outDir) {
  let pkgJson;
  try {
    pkgJson = require.resolve("reveal.js/package.json", { paths: [ROOT] });
  } catch {
    throw new SlidesError("reveal.js is missing from node_modules: run `npm install` (it is a devDependency).");
  }
  const src = path.dirname(pkgJson);
  const dst = path.join(outDir, "reveal.js");
  fs.rmSync(dst, { recursive: true, force: true });
  fs.cpSync(path.join(src, "dist"), path.join(dst, "dist"), { recursive: true, filter: (f) => !f.endsWith(".map") });
  fs.cpSync(path.join(src, "plugin", "notes"), path.join(dst, "plugin", "notes"), { recursive: true });
  fs.copyFileSync(path.join(src, "LICENSE"), path.join(dst, "LICENSE"));
  return { dir: dst, version: JSON.parse(fs.readFileSync(pkgJson, "utf8")).version };
}

/** Pages in a PDF file: its /Type /Page objects (not /Pages, the tree's inner nodes). */
function pdfPageCount(file) {
  return (fs.readFileSync(file, "latin1").match(/\/Type\s*\/Page\b/g) || []).length;
}

/**
 * Prints the deck in reveal.js's print-pdf mode with puppeteer-core on the system Chromium. Printing starts only
 * once reveal.js has laid out one .pdf-page per slide (its `pdf-ready` event), every Plotly figure has drawn its SVG
 * and the fonts are loaded, so the PDF cannot come out blank or short; the page count is then checked against
 * the deck's slide count, and a mismatch fails the build.
 */
async function printPdf(chromium, htmlFile, pdfFile) {
  fs.rmSync(pdfFile, { force: true });
  const { withBrowser } = require("./lib/chromium");
  const slides = await withBrowser(chromium, async (browser) => {
    const page = await browser.newPage();
    await page.evaluateOnNewDocument(() => {
      document.addEventListener("DOMContentLoaded", () => {
        window.Reveal.on("pdf-ready", () => (window.__pdfReady = true));
      });
    });
    await page.goto(`file://${htmlFile}?print-pdf`, { waitUntil: "load", timeout: 120_000 });
    await page.waitForFunction(
      () => window.__pdfReady === true && [...document.querySelectorAll(".js-plotly-plot")].every((el) => el.querySelector(".main-svg")),
      { timeout: 120_000, polling: 100 },
    );
    await page.evaluate(() => document.fonts.ready);
    const counts = await page.evaluate(() => ({
      slides: window.Reveal.getTotalSlides(),
      pdfPages: document.querySelectorAll(".pdf-page").length,
    }));
    if (counts.pdfPages !== counts.slides) {
      throw new SlidesError(`reveal.js laid out ${counts.pdfPages} PDF pages for ${counts.slides} slides`);
    }
    await page.pdf({ path: pdfFile, preferCSSPageSize: true, printBackground: true, timeout: 120_000 });
    return counts.slides;
  });
  const pages = fs.existsSync(pdfFile) ? pdfPageCount(pdfFile) : 0;
  if (pages !== slides) throw new SlidesError(`${rel(pdfFile)} has ${pages} pages for the deck's ${slides} slides`);
  return pages;
}

// eslint-disable-next-line max-lines-per-function -- the deck's build steps in order (execute, export, check offline, print), each a few lines that share the same paths
async function main(argv) {
  const { values } = require("./lib/args").scriptArgs(
    "slides",
    "npm run slides [-- --no-pdf]",
    { "no-pdf": { type: "boolean", default: false } },
    argv,
  );
  const pdf = !values["no-pdf"];
  const artifacts = path.resolve(ROOT, process.env.CHURN_ARTIFACTS || "artifacts");
  const outDir = path.join(artifacts, "slides");
  const executed = path.join(outDir, "slides.ipynb");
  const htmlFile = path.join(outDir, "slides.slides.html");
  const pdfFile = path.join(outDir, "slides.pdf");

  if (!fs.existsSync(NOTEBOOK)) throw new SlidesError(`${rel(NOTEBOOK)} is missing`);
  if (!fs.existsSync(path.join(ROOT, "dist", "lib", "reporting", "notebook.js"))) {
    throw new SlidesError("dist/lib is missing: run `npm run build` (npm run slides does).");
  }
  // The deck summarizes the artifacts of one export: refused, naming both files, when they came from another.
  try {
    require("./lib/dist").lib("artifact/run").locateRun(ROOT);
  } catch (err) {
    throw new SlidesError(err.message);
  }

  setupJupyter({ quiet: true });
  const { python } = findJupyterPython({ modules: ["jupyter_client", "nbconvert", "nbclient"] });
  // The notebook reads the same variables as the other notebooks (CHURN_ARTIFACTS, CHURN_EXPORT_FILE, ...);
  // relative paths are resolved by the notebook against the repo root, so pass them through unchanged.
  const env = { ...jupyterEnv(), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
  fs.mkdirSync(outDir, { recursive: true });

  // 1. Execute.
  let t0 = Date.now();
  process.stdout.write(`slides: executing ${rel(NOTEBOOK)} (python ${python}, kernel ${KERNEL}) ... `);
  const r = executeNotebook(python, NOTEBOOK, executed, env);
  const secs = () => ((Date.now() - t0) / 1000).toFixed(1);
  if (r.error || r.status !== 0) {
    console.log(`FAILED (${secs()}s)`);
    const f = failedCell(r, executed);
    const detail = r.error
      ? r.error.message
      : f
        ? `cell ${f.cell}:\n${f.source
            .split("\n")
            .slice(0, 6)
            .map((l) => `  | ${l}`)
            .join("\n")}\nerror:\n${f.error || "(no error text from the kernel)"}`
        : stripAnsi(r.stderr).split("\n").slice(-40).join("\n");
    throw new SlidesError(`executing ${rel(NOTEBOOK)} failed (partial notebook: ${rel(executed)}):\n${detail}`);
  }
  console.log(`ok (${secs()}s)`);

  // 2. Export to reveal.js slides (outputs only), with reveal.js copied next to the HTML. The deck loads no MathJax,
  // so markdown outputs get their plain "$" back first (the kernel escaped them for Jupyter's and GitHub's math).
  const { markdownOutputsWithoutMathEscapes } = require("./lib/dist").lib("reporting/notebook");
  fs.writeFileSync(executed, JSON.stringify(markdownOutputsWithoutMathEscapes(JSON.parse(fs.readFileSync(executed, "utf8")))));
  const reveal = copyReveal(outDir);
  const templates = writeTemplate();
  t0 = Date.now();
  try {
    const x = spawnSync(
      python,
      [
        "-m",
        "nbconvert",
        "--to",
        "slides",
        `--TemplateExporter.extra_template_basedirs=${templates}`,
        "--template",
        "churn_reveal",
        "--no-input",
        "--no-prompt",
        "--SlidesExporter.reveal_url_prefix=reveal.js",
        "--SlidesExporter.reveal_theme=white",
        "--SlidesExporter.reveal_transition=none",
        "--output-dir",
        outDir,
        "--output",
        "slides",
        executed,
      ],
      { cwd: ROOT, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
    );
    if (x.error || x.status !== 0) {
      throw new SlidesError(
        `nbconvert --to slides failed:\n${x.error ? x.error.message : stripAnsi(x.stderr).split("\n").slice(-25).join("\n")}`,
      );
    }
  } finally {
    fs.rmSync(templates, { recursive: true, force: true });
  }
  if (!fs.existsSync(htmlFile)) throw new SlidesError(`nbconvert did not write ${rel(htmlFile)}`);
  const html = fs.readFileSync(htmlFile, "utf8");
  const external = externalSources(html);
  if (external.length) {
    throw new SlidesError(`${rel(htmlFile)} still loads non-local resources, so it would not work offline:\n  ${external.join("\n  ")}`);
  }
  for (const f of ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "plugin/notes/notes.js"]) {
    if (!fs.existsSync(path.join(reveal.dir, f)))
      throw new SlidesError(`reveal.js ${reveal.version} has no ${f}; the template expects reveal.js 4`);
  }
  const slides = (html.match(/<section\b/g) || []).length;
  console.log(
    `slides: ${rel(htmlFile)} (${(html.length / 2 ** 20).toFixed(1)} MB, ${slides} <section>s, reveal.js ${reveal.version} in ${rel(reveal.dir)}/; offline: no http(s)/file script or stylesheet sources)`,
  );

  // 3. PDF through reveal's print-pdf mode.
  if (!pdf) return 0;
  const { findChromium, missingChromium } = require("./lib/chromium");
  const chromium = findChromium();
  if (!chromium) throw new SlidesError(`${missingChromium()}; or pass --no-pdf`);
  t0 = Date.now();
  const pages = await printPdf(chromium, htmlFile, pdfFile);
  console.log(`slides: ${rel(pdfFile)} (${pages} pages, one per slide, ${(fs.statSync(pdfFile).size / 1024).toFixed(0)} KB, ${secs()}s)`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      console.error(`slides: ${err && err.message ? err.message : err}`);
      process.exitCode = 1;
    },
  );
}
