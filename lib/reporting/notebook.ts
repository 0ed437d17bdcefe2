// Display helpers for the tslab notebooks (notebooks/*.ipynb).
//
// Pure functions (plotlyLibraryHtml, plotlyFigureHtml, htmlTable) build HTML strings and can be
// used anywhere. The show* functions push rich output into the current tslab cell; they load
// `tslab` lazily and only when running inside a tslab kernel, so importing this module from the
// serving path or from plain-node tests never loads tslab (a devDependency) and never throws.
//
// Plotly is embedded inline from node_modules/plotly.js-dist-min: no CDN, works offline, and an executed notebook
// is self-contained. plotlyFigureFromHtml and isPlotlyLibraryHtml read those outputs back, so the committed copy of a
// notebook can show each figure as a PNG and the HTML report can load the library once from a file
// (published-notebook.ts, scripts/run-notebooks.js).

import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import type { Display } from "tslab";
import { valueText } from "../core/values";

/** A Plotly figure: traces, plus optional layout and config (as accepted by Plotly.newPlot). */
export interface PlotlyFigure {
  data: unknown[];
  layout?: object;
  config?: object;
}

export interface FigureOptions {
  /** Height of the figure in CSS pixels (default: layout.height, else 420). */
  height?: number;
}

export interface TableOptions {
  /** Columns to show, in order (default: union of the rows' keys, in first-seen order). */
  columns?: string[];
  /** Optional caption shown above the table. */
  caption?: string;
  /** Digits after the decimal point for non-integer numbers (default 3). */
  digits?: number;
}

export interface InitPlotlyOptions {
  /** Display the library again even if it was already displayed in this kernel session. */
  force?: boolean;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for use in HTML element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for embedding inside an inline <script>: `<`, `>` and `&` become \u003c/\u003e/\u0026
 * (so neither `</script>` nor `<!--` can appear), and U+2028/U+2029 are escaped (they are line
 * terminators in older JS engines). These characters can only occur inside JSON strings, where
 * the escapes decode to the same values. Typed arrays are serialised as plain arrays.
 */
export function scriptSafeJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === "bigint" ? Number(x) : x));
    }
    if (typeof v === "bigint") return Number(v);
    return v;
  });
  return (json ?? "null")
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

let plotlySourceCache: string | undefined;

function plotlySource(): string {
  if (plotlySourceCache === undefined) {
    const file = require.resolve("plotly.js-dist-min/plotly.min.js");
    // `</script` or `<!--` in the source would end (or confuse) the inline <script> element.
    // They can only occur in string/regexp literals or comments, where \x3C means the same "<".
    plotlySourceCache = fs
      .readFileSync(file, "utf8")
      .replace(/<\/script/gi, "\\x3C/script")
      .replace(/<!--/g, "\\x3C!--");
  }
  return plotlySourceCache;
}

const LIBRARY_OPENING = '<script type="text/javascript">\n(function (define, module, exports, require) {\n';

/**
 * A <script> element embedding plotly.min.js inline. The bundle is evaluated with `define`, `require`,
 * `module` and `exports` shadowed as undefined so that it always takes the browser-global path
 * and sets `window.Plotly`, even on pages with require.js/AMD (classic Notebook) or CommonJS globals.
 */
export function plotlyLibraryHtml(): string {
  return LIBRARY_OPENING + plotlySource() + "\n}).call(window);\n" + "</script>";
}

/** True for the output initPlotly displays (the inline library), which a published copy or a report replaces. */
export function isPlotlyLibraryHtml(html: string): boolean {
  return html.startsWith(LIBRARY_OPENING);
}

const idPrefix = `plotly-fig-${Math.random().toString(36).slice(2, 10)}`;
let idCounter = 0;

function nextFigureId(): string {
  idCounter += 1;
  return `${idPrefix}-${idCounter}`;
}

function positiveNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * A <div> with a unique id plus a <script> that waits (polling up to ~20 s) for window.Plotly
 * and then draws the figure with Plotly.newPlot(id, data, layout, {responsive, displaylogo, ...config}).
 */
export function plotlyFigureHtml(fig: PlotlyFigure, opts: FigureOptions = {}): string {
  const id = nextFigureId();
  const layout: object = fig.layout ?? {};
  const height = positiveNumber(opts.height) ?? positiveNumber((layout as { height?: unknown }).height) ?? 420;
  const config = { responsive: true, displaylogo: false, ...(fig.config ?? {}) };
  const payload = scriptSafeJson({ data: fig.data, layout, config });
  return (
    `<div id="${id}" class="plotly-figure" style="width:100%;height:${height}px;"></div>\n` +
    '<script type="text/javascript">\n' +
    "(function () {\n" +
    `  var id = ${JSON.stringify(id)};\n` +
    `  var fig = ${payload};\n` +
    "  var tries = 0;\n" +
    "  function draw() {\n" +
    "    var el = document.getElementById(id);\n" +
    "    if (el && window.Plotly && typeof window.Plotly.newPlot === 'function') {\n" +
    "      window.Plotly.newPlot(el, fig.data, fig.layout, fig.config);\n" +
    "    } else if (tries++ < 400) {\n" +
    "      setTimeout(draw, 50);\n" +
    "    } else if (el) {\n" +
    "      el.textContent = 'Plotly is not loaded: run initPlotly() (lib/notebook) in an earlier cell.';\n" +
    "    }\n" +
    "  }\n" +
    "  draw();\n" +
    "})();\n" +
    "</script>"
  );
}

/** A figure read back from plotlyFigureHtml's output: the spec it draws and the height of its <div>. */
export interface FigureInHtml {
  figure: Required<PlotlyFigure>;
  height: number;
}

const FIGURE_DIV = /^<div id="[^"]+" class="plotly-figure" style="width:100%;height:(\d+(?:\.\d+)?)px;"><\/div>\n/;
const FIGURE_SPEC = /\n {2}var fig = (.*);\n/;

/**
 * The spec and height of a figure displayed by showFigure, read back from its HTML (the `var fig = ...;` line is
 * JSON on one line: scriptSafeJson writes no newline); null for any other HTML. Lets a notebook's figure outputs be
 * rendered to images and compared by content after the kernel has gone.
 */
export function plotlyFigureFromHtml(html: string): FigureInHtml | null {
  const div = FIGURE_DIV.exec(html);
  const spec = div ? FIGURE_SPEC.exec(html) : null;
  if (!div || !spec || spec[1] === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(spec[1]);
  } catch {
    return null;
  }
  const fig = parsed as { data?: unknown; layout?: unknown; config?: unknown };
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(fig.data)) return null;
  const asObject = (v: unknown): object => (typeof v === "object" && v !== null && !Array.isArray(v) ? v : {});
  return {
    figure: { data: fig.data as unknown[], layout: asObject(fig.layout), config: asObject(fig.config) },
    height: Number(div[1]),
  };
}

function formatCell(v: unknown, digits: number): { text: string; numeric: boolean } {
  if (v === null || v === undefined) return { text: "", numeric: false };
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return { text: String(v), numeric: true };
    return { text: Number.isInteger(v) ? String(v) : v.toFixed(digits), numeric: true };
  }
  if (typeof v === "bigint") return { text: v.toString(), numeric: true };
  if (typeof v === "string") return { text: v, numeric: false };
  if (v instanceof Date) return { text: Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString(), numeric: false };
  if (typeof v === "object") {
    try {
      return { text: JSON.stringify(v) ?? valueText(v), numeric: false };
    } catch {
      return { text: valueText(v), numeric: false };
    }
  }
  return { text: valueText(v), numeric: false };
}

/**
 * An HTML <table> of the rows. All keys, values and the caption are HTML-escaped; numbers are
 * right-aligned, non-integers printed with `digits` decimals (default 3); null/undefined are blank.
 */
export function htmlTable(rows: readonly object[], opts: TableOptions = {}): string {
  const digits = Math.min(100, Math.max(0, Math.trunc(opts.digits ?? 3)));
  let columns = opts.columns;
  if (!columns) {
    const seen = new Set<string>();
    for (const row of rows) for (const k of Object.keys(row)) seen.add(k);
    columns = [...seen];
  }
  const out: string[] = ['<table class="nb-table">'];
  if (opts.caption !== undefined) out.push(`<caption>${escapeHtml(opts.caption)}</caption>`);
  out.push("<thead><tr>" + columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("") + "</tr></thead>");
  out.push("<tbody>");
  for (const row of rows) {
    const cells = columns.map((c) => {
      const { text, numeric } = formatCell((row as Record<string, unknown>)[c], digits);
      return numeric ? `<td style="text-align:right">${escapeHtml(text)}</td>` : `<td>${escapeHtml(text)}</td>`;
    });
    out.push("<tr>" + cells.join("") + "</tr>");
  }
  out.push("</tbody></table>");
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Display inside tslab cells.

let cachedDisplay: Display | null | undefined;
/** Loads tslab synchronously and only when asked, which an `import` cannot. */
const requireOnDemand = createRequire(__filename);

/** True when running inside a tslab kernel (its executor defines globalThis.__tslab__). */
export function inTslab(): boolean {
  return (globalThis as { __tslab__?: unknown }).__tslab__ !== undefined;
}

function tslabDisplay(): Display | null {
  if (cachedDisplay !== undefined) return cachedDisplay;
  if (!inTslab()) return null; // do not cache: the module could be loaded before the kernel is up
  try {
    // Lazy on purpose: tslab is a devDependency and must never load on the serving path.
    const mod = requireOnDemand("tslab") as { display?: Display };
    cachedDisplay = mod.display ?? null;
  } catch {
    cachedDisplay = null;
  }
  return cachedDisplay;
}

function emit(kind: "html" | "markdown", content: string): boolean {
  const display = tslabDisplay();
  if (!display) return false;
  try {
    display[kind](content); // throws Error("Not ready") outside an executing kernel
    return true;
  } catch {
    return false;
  }
}

let plotlyInitialized = false;

// The show* functions return void on purpose: tslab prints the value of a cell's last
// expression, so returning a boolean would add a stray "true" under every chart.

/**
 * Displays the inline Plotly library once per kernel session (showFigure calls it automatically;
 * call it explicitly, e.g. with {force: true}, to re-emit it after reloading the page).
 * A no-op outside a tslab kernel.
 */
export function initPlotly(opts: InitPlotlyOptions = {}): void {
  if (plotlyInitialized && !opts.force) return;
  if (!tslabDisplay()) return; // do not even read the 4.7 MB bundle outside a kernel
  if (emit("html", plotlyLibraryHtml())) plotlyInitialized = true;
}

/** Displays a Plotly figure (and the library first, if not yet done). A no-op outside tslab. */
export function showFigure(fig: PlotlyFigure, opts?: FigureOptions): void {
  if (!tslabDisplay()) return;
  if (!plotlyInitialized) initPlotly();
  emit("html", plotlyFigureHtml(fig, opts));
}

/** Displays rows as an HTML table (see htmlTable). A no-op outside tslab. */
/** Shows rows of any plain-object type (interfaces included) as a table in the cell's output. */
export function showTable(rows: readonly object[], opts?: TableOptions): void {
  if (!tslabDisplay()) return;
  emit("html", htmlTable(rows, opts));
}

/** `edit` applied to the parts of markdown outside fenced blocks and inline code spans; code is left as it is. */
function outsideCode(md: string, edit: (text: string) => string): string {
  let fenced = false;
  return md
    .split("\n")
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      else if (!fenced)
        return line
          .split("`")
          .map((piece, i) => (i % 2 === 1 ? piece : edit(piece)))
          .join("`"); // odd pieces: code spans
      return line;
    })
    .join("\n");
}

/**
 * Markdown with every "$" outside code escaped as "\\$", so a renderer with math (Jupyter's MathJax, GitHub's notebook
 * view) shows "$50 ... $5,000" as money, not as the TeX between two dollar signs. Fenced blocks and inline code spans
 * are left as they are (a backslash would show there), and an already escaped "\\$" is not escaped twice.
 */
export function escapeMathDelimiters(md: string): string {
  return outsideCode(md, (text) => text.replace(/(?<!\\)\$/g, () => "\\$"));
}

/** escapeMathDelimiters undone ("\\$" outside code back to "$"), for HTML built without MathJax (report, slides). */
export function unescapeMathDelimiters(md: string): string {
  return outsideCode(md, (text) => text.replace(/\\\$/g, "$"));
}

interface NotebookWithOutputs {
  cells: { outputs?: { data?: Record<string, unknown> }[] }[];
}

/**
 * A copy of an executed notebook whose markdown outputs have plain "$" again (unescapeMathDelimiters): nbconvert's
 * markdown filter keeps the backslash, and the report and the slides load no MathJax that would read "$" as math.
 */
export function markdownOutputsWithoutMathEscapes<T extends NotebookWithOutputs>(nb: T): T {
  const copy = structuredClone(nb);
  for (const cell of copy.cells) {
    for (const o of cell.outputs ?? []) {
      const md = o.data?.["text/markdown"];
      if (o.data === undefined || md === undefined) continue;
      o.data["text/markdown"] = Array.isArray(md)
        ? unescapeMathDelimiters(md.join(""))
        : typeof md === "string"
          ? unescapeMathDelimiters(md)
          : md;
    }
  }
  return copy;
}

/** Displays Markdown, dollar signs escaped (escapeMathDelimiters). A no-op outside tslab. */
export function showMarkdown(md: string): void {
  emit("markdown", escapeMathDelimiters(md));
}

/** Displays raw (trusted) HTML. A no-op outside tslab. */
export function showHtml(html: string): void {
  emit("html", html);
}

/**
 * The <svg> element of an SVG file: whatever comes before the element (an XML declaration, a doctype, comments) is
 * dropped. Throws, naming the file, when it is missing or holds no <svg>.
 */
export function svgFileMarkup(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`cannot read the SVG ${file}: ${(err as Error).message}`, { cause: err });
  }
  const start = text.search(/<svg[\s>]/);
  const end = text.lastIndexOf("</svg>");
  if (start < 0 || end < start) throw new Error(`${file} is not an SVG image: it has no <svg> element`);
  return text.slice(start, end + "</svg>".length);
}

/** The SVG's own title (its <title> element), if it has one. */
function svgTitle(svg: string): string | undefined {
  const m = /^<svg\b[^>]*>\s*<title\b[^>]*>([^<]*)<\/title>/.exec(svg);
  const title = m?.[1]?.trim();
  return title ? title : undefined;
}

/**
 * An <img> showing an SVG file from a data URL, at its own size and never wider than the output: the picture a README
 * shows, and one an HTML export keeps whole (nbconvert's HTML templates pass image/svg+xml outputs through its
 * sanitizer, which drops the root's viewBox, xmlns and style). The alt text is `alt`, else the SVG's <title>, else the
 * file's name.
 */
export function svgImageHtml(file: string, alt?: string): string {
  const svg = svgFileMarkup(file);
  const text = alt ?? svgTitle(svg) ?? path.basename(file);
  const data = Buffer.from(svg, "utf8").toString("base64");
  return `<img alt="${escapeHtml(text)}" style="max-width:100%;height:auto" src="data:image/svg+xml;base64,${data}">`;
}

/**
 * Displays an SVG file (e.g. docs/figures/architecture.svg) as an image (svgImageHtml). The file is read and checked
 * also outside tslab, where the display is a no-op, so a wrong path fails the same everywhere.
 */
export function showSvg(file: string, alt?: string): void {
  emit("html", svgImageHtml(file, alt));
}
