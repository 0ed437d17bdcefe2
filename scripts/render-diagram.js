#!/usr/bin/env node
// Renders the architecture diagram, docs/architecture.mmd (the one Mermaid source), to docs/figures/architecture.svg
// with @mermaid-js/mermaid-cli on the system Chromium, offline.
//
//   node scripts/render-diagram.js [--check] [--png FILE] [--in MMD] [--out SVG]
//
// --check  render to a temporary file and exit 1 when the committed SVG differs or is missing (writes nothing)
// --png    also write a PNG of the SVG as a README shows it, to look at the layout (with --check: of the fresh render)
//
// The SVG must show on GitHub, where a README image is an <img>: labels are SVG <text> (htmlLabels off), since
// <foreignObject> HTML is not drawn there, and nothing outside the file is referenced. Ids come from a fixed seed, so
// the same source, Chromium and fonts give the same bytes. Exit codes: 0 done (or up to date), 1 out of date or not
// self-contained, 2 bad input or no Chromium.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { findChromium, missingChromium, withBrowser } = require("./lib/chromium");
const { root, lib } = require("./lib/dist");

const DEFAULT_IN = path.join(root, "docs", "architecture.mmd");
const DEFAULT_OUT = path.join(root, "docs", "figures", "architecture.svg");

// Arial first, then its metric twin Liberation Sans (what Chromium lays out with here): a viewer with either font
// measures the labels as the layout did, so text stays inside its box.
const FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif";

/** The Mermaid configuration: SVG text labels, fixed ids, one font. */
const MERMAID_CONFIG = {
  theme: "default",
  htmlLabels: false,
  flowchart: { htmlLabels: false, useMaxWidth: false, curve: "basis", nodeSpacing: 24, rankSpacing: 30, padding: 8 },
  deterministicIds: true,
  deterministicIDSeed: "churn-architecture",
  fontFamily: FONT,
  themeVariables: { fontFamily: FONT, fontSize: "14px" },
  securityLevel: "strict",
};

class UsageError extends Error {}

/** A path as the messages show it: relative to the repository when inside it. */
function shown(file) {
  const rel = path.relative(root, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

function options(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        check: { type: "boolean", default: false },
        png: { type: "string" },
        in: { type: "string", default: DEFAULT_IN },
        out: { type: "string", default: DEFAULT_OUT },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(err.message);
  }
  return { ...parsed.values, in: path.resolve(parsed.values.in), out: path.resolve(parsed.values.out) };
}

function readSource(file) {
  if (!fs.existsSync(file)) throw new UsageError(`${shown(file)} does not exist`);
  const source = fs.readFileSync(file, "utf8");
  if (!/^\s*(?:%%.*\n\s*)*flowchart\b/.test(source)) {
    throw new UsageError(`${shown(file)} is not a Mermaid flowchart (no \`flowchart\` line at its start)`);
  }
  return source;
}

/**
 * Renders the source to SVG text with mermaid-cli's renderMermaid in a puppeteer-core browser on the system Chromium
 * (scripts/lib/chromium.js: its quiet flags and a throw-away profile), and says which Chromium laid it out.
 */
async function render(chromium, source) {
  const { renderMermaid } = await import("@mermaid-js/mermaid-cli");
  return withBrowser(chromium, async (browser) => {
    const { data } = await renderMermaid(browser, source, "svg", {
      mermaidConfig: MERMAID_CONFIG,
      backgroundColor: "white",
      svgId: "architecture",
      viewport: { width: 1000, height: 800, deviceScaleFactor: 1 },
    });
    return { svg: `${Buffer.from(data).toString("utf8").trimEnd()}\n`, browser: await browser.version() };
  });
}

/**
 * A PNG of the SVG shown the way a README shows it: an <img> at most 1000 px wide (GitHub's column is about that), so
 * a person can look at the layout and the labels.
 */
async function screenshot(chromium, svgFile, pngFile) {
  const data = fs.readFileSync(svgFile).toString("base64");
  const html = `<!doctype html><html><body style="margin:0;background:#fff;width:1000px">
<img id="diagram" alt="" style="display:block;max-width:100%" src="data:image/svg+xml;base64,${data}"></body></html>`;
  await withBrowser(chromium, async (browser) => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 800, deviceScaleFactor: 1 });
    await page.setContent(html, { waitUntil: "load" });
    const img = await page.$("#diagram");
    await img.screenshot({ path: pngFile });
  });
}

/** The SVG checks (lib/reporting/diagram.ts), compiled; a missing build is a usage error that says what to run. */
function diagramLib() {
  try {
    return lib("reporting/diagram");
  } catch (err) {
    throw new UsageError(`render-diagram: ${err.message}`);
  }
}

/** --check: renders to a temporary file and compares it, byte for byte, with the committed one. */
async function check(opts, chromium, { svg, browser }) {
  const out = shown(opts.out);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "churn-diagram-"));
  try {
    const fresh = path.join(tmp, path.basename(opts.out));
    fs.writeFileSync(fresh, svg);
    if (opts.png) await screenshot(chromium, fresh, path.resolve(opts.png));
    if (!fs.existsSync(opts.out)) {
      console.error(`render-diagram: ${out} is missing (run \`npm run diagram\`)`);
      return 1;
    }
    if (!fs.readFileSync(opts.out).equals(fs.readFileSync(fresh))) {
      // Text is measured with the installed fonts, so another Chromium or font set can move the layout by fractions of
      // a pixel: the message says which one rendered here.
      console.error(`render-diagram: ${out} differs from what ${shown(opts.in)} renders to with ${browser} (run \`npm run diagram\`)`);
      return 1;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`render-diagram: ${out} is up to date`);
  return 0;
}

async function main(argv) {
  const opts = options(argv);
  const source = readSource(opts.in);
  const chromium = findChromium();
  if (!chromium) throw new UsageError(`render-diagram: ${missingChromium()}`);
  const { svgExternalReferences } = diagramLib();
  const rendered = await render(chromium, source);
  const { svg } = rendered;
  const external = svgExternalReferences(svg);
  if (external.length > 0) {
    console.error(`render-diagram: the SVG of ${shown(opts.in)} is not self-contained: it references ${external.join(", ")}`);
    return 1;
  }
  if (opts.check) return check(opts, chromium, rendered);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, svg);
  console.log(`render-diagram: wrote ${shown(opts.out)} (${Buffer.byteLength(svg)} bytes)`);
  if (opts.png) {
    await screenshot(chromium, opts.out, path.resolve(opts.png));
    console.log(`render-diagram: wrote ${shown(path.resolve(opts.png))}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof UsageError ? err.message : `render-diagram: ${err.stack ?? err}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}

module.exports = { MERMAID_CONFIG, main };
