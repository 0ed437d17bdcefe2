// The HTML report's pieces (scripts/run-notebooks.js): the nbconvert template every notebook page is exported with,
// and the index page linking the notebooks and the slides.
//
// The template derives from nbconvert's `lab` template (nbconvert 6 and 7) and changes three things:
// - Plotly comes from one local file, <script src="plotly.min.js"> (copied next to the pages), instead of the
//   4.7 MB library every executed notebook inlines (the runner drops that output from the page's notebook);
// - no require.js and no MathJax: the notebooks use no math and no widgets, the two would load from a CDN (pip) or
//   from file:///usr/share/javascript (Debian), and MathJax reads every pair of `$` in the prose as TeX ("$91.82 against
//   $55.95" came out as an italic formula);
// - a navigation bar: the index, and the other version of the same notebook (code hidden / with code).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const TEMPLATE_NAME = "churn_report";
const TEMPLATE_CONF = { base_template: "lab", mimetypes: { "text/html": true } };

// Reading comfort on top of JupyterLab's styles: a centred column, a quiet bar at the top.
const REPORT_CSS = `
body.jp-Notebook { max-width: 1100px; margin: 0 auto; padding: 0 16px 48px 16px; }
nav.report-nav { font: 14px/1.4 system-ui, sans-serif; padding: 10px 0; margin-bottom: 8px; border-bottom: 1px solid #ddd; }
nav.report-nav a { color: #1f5fa8; text-decoration: none; margin-right: 18px; }
nav.report-nav a:hover { text-decoration: underline; }
/* long code lines scroll instead of being cut off (lab's CSS hides the overflow) */
.jp-InputArea, .jp-InputArea-editor { overflow-x: auto; }
.jp-RenderedHTMLCommon table.nb-table caption { caption-side: top; text-align: left; color: #555; padding-bottom: 4px; }
`;

const TEMPLATE_INDEX = `{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}
<script src="plotly.min.js"></script>
{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}<style type="text/css">REPORT_CSS</style>{%- endblock html_head_css -%}
{%- block body_header -%}
{{ super() }}
{%- set name = resources['metadata']['name'] -%}
<nav class="report-nav"><a href="index.html">&larr; All notebooks</a>
{%- if resources.global_content_filter.include_input %}<a href="{{ name }}.html">Reading version (code hidden)</a>
{%- else %}<a href="{{ name }}.code.html">Show the code</a>{%- endif %}</nav>
{%- endblock body_header -%}
`;

/** Writes the template to a new temporary folder; pass it as --TemplateExporter.extra_template_basedirs. */
function writeReportTemplate() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "churn-report-"));
  const dir = path.join(base, TEMPLATE_NAME);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "conf.json"), JSON.stringify(TEMPLATE_CONF));
  fs.writeFileSync(path.join(dir, "index.html.j2"), TEMPLATE_INDEX.replace("REPORT_CSS", REPORT_CSS));
  return base;
}

const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/**
 * The index page. `notebooks`: [{ name, title, summary }] (name without extension: `<name>.html` is the reading
 * version, `<name>.code.html` the one with code); `slides`: { html, pdf } paths relative to the report folder.
 */
function indexPage({ title, notebooks, slides }) {
  const items = notebooks
    .map(
      (nb) => `<li><a class="title" href="${escapeHtml(nb.name)}.html">${escapeHtml(nb.title)}</a>
<span class="code">(<a href="${escapeHtml(nb.name)}.code.html">with code</a>)</span>
${nb.summary ? `<p>${escapeHtml(nb.summary)}</p>` : ""}</li>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #222; max-width: 860px; margin: 40px auto; padding: 0 16px; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
p.lead { color: #555; margin-top: 0; }
ol { padding-left: 1.4em; }
li { margin: 0 0 1.1em 0; }
a { color: #1f5fa8; text-decoration: none; }
a:hover { text-decoration: underline; }
a.title { font-size: 1.1em; font-weight: 600; }
span.code { font-size: 0.9em; color: #666; margin-left: 0.4em; }
li p { margin: 0.25em 0 0 0; color: #444; font-size: 0.95em; }
h2 { font-size: 1.2em; margin-top: 2em; }
</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="lead">The notebooks, executed, with the code hidden; each page links to the version with its code.</p>
<ol>
${items}
</ol>
<h2>Slides</h2>
<p><a href="${escapeHtml(slides.html)}">The deck</a> (reveal.js, arrow keys to move) and <a href="${escapeHtml(slides.pdf)}">its PDF</a>, one page per slide; <code>npm run slides</code> builds both.</p>
</body></html>
`;
}

module.exports = { TEMPLATE_NAME, writeReportTemplate, indexPage };
