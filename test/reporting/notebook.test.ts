import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  escapeHtml,
  escapeMathDelimiters,
  markdownOutputsWithoutMathEscapes,
  unescapeMathDelimiters,
  htmlTable,
  initPlotly,
  inTslab,
  plotlyFigureHtml,
  plotlyLibraryHtml,
  scriptSafeJson,
  showFigure,
  showHtml,
  showMarkdown,
  showSvg,
  showTable,
  svgFileMarkup,
  svgImageHtml,
} from "../../lib/reporting/notebook";

test("plotlyLibraryHtml embeds plotly.min.js inline, without any CDN script", () => {
  const html = plotlyLibraryHtml();
  const src = fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
  assert.ok(html.startsWith("<script"));
  assert.ok(html.trimEnd().endsWith("</script>"));
  // the bundle is there (its header and a large chunk of its body)
  assert.ok(/plotly\.js v\d+\.\d+\.\d+/.test(html));
  assert.ok(html.includes(src.slice(200, 20_000)), "plotly source is embedded");
  assert.ok(html.length > src.length - 1000);
  // exactly one script element, and no external src / CDN
  assert.equal(html.match(/<script\b/gi)?.length, 1);
  assert.equal(html.match(/<\/script/gi)?.length, 1);
  // (assert.ok rather than assert.match: a failure must not print the 4.7 MB string)
  assert.ok(!/<script[^>]*\bsrc\s*=/i.test(html), "no <script src=...>");
  assert.ok(!/src\s*=\s*["']?https?:/i.test(html), "no src=http(s) attribute");
  // the wrapper around the bundle itself contains no URL at all (the bundle has a few inert
  // default URLs, e.g. topojsonURL for geo maps, unused by the charts we draw)
  const head = src.slice(0, 200);
  const tail = src.slice(-200);
  assert.ok(html.includes(head) && html.includes(tail));
  const wrapper = html.slice(0, html.indexOf(head)) + html.slice(html.lastIndexOf(tail) + tail.length);
  assert.ok(wrapper.length < 500, "the wrapper is small");
  assert.ok(!/https?:\/\//i.test(wrapper), "no URL in the wrapper");
  // shadows AMD/CommonJS globals so window.Plotly is always set
  assert.ok(/^<script[^>]*>\n\(function \(define, module, exports, require\) \{\n/.test(html));
  assert.ok(/\n\}\)\.call\(window\);\n<\/script>$/.test(html));
});

test("plotlyFigureHtml escapes </script> and U+2028/2029 inside the data", () => {
  const evil = "</script><script>alert(1)</script><!-- \u2028 \u2029";
  const html = plotlyFigureHtml({
    data: [{ type: "bar", x: [evil, "b"], y: [1, 2], name: evil }],
    layout: { title: { text: evil } },
  });
  assert.equal(html.match(/<\/script/gi)?.length, 1, "only the closing tag of our own script");
  assert.equal(html.match(/<script\b/gi)?.length, 1);
  assert.ok(!html.includes("<!--"));
  assert.ok(!html.includes("\u2028") && !html.includes("\u2029"));
  // the embedded JSON still decodes to the original values
  const m = html.match(/var fig = (.*);\n/);
  assert.ok(m && m[1]);
  const fig = JSON.parse(m[1]) as { data: { x: string[] }[]; config: Record<string, unknown> };
  assert.equal(fig.data[0]?.x[0], evil);
  assert.equal(fig.config.responsive, true);
  assert.equal(fig.config.displaylogo, false);
});

test("plotlyFigureHtml: unique div ids, height option, config overrides", () => {
  const ids = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const html = plotlyFigureHtml({ data: [] });
    const m = html.match(/<div id="([^"]+)"/);
    assert.ok(m && m[1]);
    assert.ok(html.includes(`var id = ${JSON.stringify(m[1])};`));
    ids.add(m[1]);
  }
  assert.equal(ids.size, 50);
  const h = plotlyFigureHtml({ data: [], config: { displaylogo: true } }, { height: 250 });
  assert.match(h, /height:250px/);
  assert.match(h, /"displaylogo":true/);
  assert.match(plotlyFigureHtml({ data: [], layout: { height: 300 } }), /height:300px/);
});

test("scriptSafeJson serialises typed arrays as arrays", () => {
  assert.equal(scriptSafeJson({ y: new Float64Array([1.5, 2]) }), '{"y":[1.5,2]}');
  assert.equal(scriptSafeJson("a</b>&"), '"a\\u003c/b\\u003e\\u0026"');
});

test("htmlTable escapes HTML and formats numbers", () => {
  const html = htmlTable(
    [
      { "<name>": "<b>x</b> & y", value: 1 / 3, n: 7 },
      { "<name>": "plain", value: null, n: 12 },
    ],
    { caption: "a < b", digits: 2 },
  );
  assert.ok(html.includes("<th>&lt;name&gt;</th>"));
  assert.ok(html.includes("&lt;b&gt;x&lt;/b&gt; &amp; y"));
  assert.ok(!html.includes("<b>"));
  assert.ok(html.includes("<caption>a &lt; b</caption>"));
  assert.ok(html.includes(">0.33</td>"));
  assert.ok(html.includes(">7</td>"));
  assert.ok(html.includes("<td></td>"), "null is blank");
  assert.equal(escapeHtml(`"'`), "&quot;&#39;");
});

test("htmlTable honours the columns option and defaults to 3 digits", () => {
  const html = htmlTable([{ a: 1.23456, b: "x", c: true }], { columns: ["c", "a"] });
  assert.ok(!html.includes("<th>b</th>"));
  assert.ok(html.indexOf("<th>c</th>") < html.indexOf("<th>a</th>"));
  assert.ok(html.includes(">1.235</td>"));
  assert.ok(html.includes("<td>true</td>"));
});

test("show* functions are silent no-ops outside a tslab kernel and never load tslab", () => {
  assert.equal(inTslab(), false);
  assert.doesNotThrow(() => {
    initPlotly();
    initPlotly({ force: true });
    showFigure({ data: [{ type: "bar", x: ["a"], y: [1] }] });
    showTable([{ a: 1 }]);
    showMarkdown("# hi");
    showHtml("<b>hi</b>");
    showSvg(path.join(__dirname, "..", "..", "..", "docs", "figures", "architecture.svg"));
  });
  assert.equal(require.cache[require.resolve("tslab")], undefined, "tslab must not be loaded");
});

test("show* functions do not throw when tslab's display is not ready", () => {
  // Pretend to be inside a kernel: tslab gets loaded, but its display throws "Not ready"
  // because no cell is executing.
  const g = globalThis as { __tslab__?: unknown };
  g.__tslab__ = {};
  try {
    assert.equal(inTslab(), true);
    assert.doesNotThrow(() => {
      showMarkdown("# hi");
      showHtml("<b>hi</b>");
      showTable([{ a: 1 }]);
      showFigure({ data: [] });
      showSvg(path.join(__dirname, "..", "..", "..", "docs", "figures", "architecture.svg"));
    });
  } finally {
    delete g.__tslab__;
  }
});

/** The <img> svgImageHtml writes for an SVG: the markup itself, base64 in a data URL. */
function imgOf(alt: string, svg: string): string {
  const data = Buffer.from(svg, "utf8").toString("base64");
  return `<img alt="${alt}" style="max-width:100%;height:auto" src="data:image/svg+xml;base64,${data}">`;
}

test("svgFileMarkup keeps the <svg> element of a file and drops what comes before it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-svg-"));
  try {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><text>a &lt; b</text></svg>';
    const file = path.join(dir, "d.svg");
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<!-- made here -->\n${svg}\n`);
    assert.equal(svgFileMarkup(file), svg);
    assert.doesNotThrow(() => showSvg(file)); // a no-op outside tslab, after the file was read and checked
    assert.equal(svgImageHtml(file, "a <b> & c"), imgOf("a &lt;b&gt; &amp; c", svg));
    assert.equal(svgImageHtml(file), imgOf("d.svg", svg), "no <title>: the file's name");
    const titled = path.join(dir, "t.svg");
    fs.writeFileSync(titled, svg.replace("<text>", "<title> Architecture </title><text>"));
    assert.ok(svgImageHtml(titled).startsWith('<img alt="Architecture" '), "the SVG's <title> is the alt text");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("svgFileMarkup and showSvg refuse a missing file or one without <svg>, naming it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-svg-"));
  try {
    const missing = path.join(dir, "missing.svg");
    assert.throws(
      () => showSvg(missing),
      (err: Error) => err.message.startsWith(`cannot read the SVG ${missing}`),
    );
    const png = path.join(dir, "figure.png");
    fs.writeFileSync(png, "\x89PNG\r\n");
    assert.throws(() => svgFileMarkup(png), new RegExp(`${png.replace(/[.\\/]/g, "\\$&")} is not an SVG image`));
    const cut = path.join(dir, "cut.svg");
    fs.writeFileSync(cut, '<svg xmlns="http://www.w3.org/2000/svg"><text>a</text>');
    assert.throws(() => showSvg(cut), /cut\.svg is not an SVG image: it has no <svg> element/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the architecture figure displays as one <svg> element, titled", () => {
  const file = path.join(__dirname, "..", "..", "..", "docs", "figures", "architecture.svg");
  const markup = svgFileMarkup(file);
  assert.match(markup, /^<svg\b/);
  assert.ok(markup.endsWith("</svg>"));
  assert.equal(markup.match(/<svg\b/g)?.length, 1);
  const html = svgImageHtml(file);
  assert.match(html, /^<img alt="Architecture of the churn project" /);
  const data = /base64,([A-Za-z0-9+/=]+)">$/.exec(html)?.[1] ?? "";
  assert.equal(Buffer.from(data, "base64").toString("utf8"), markup);
});

test("escapeMathDelimiters escapes each dollar sign outside code, once", () => {
  assert.equal(escapeMathDelimiters("worth $8,644 against $5,000"), "worth \\$8,644 against \\$5,000");
  // Already escaped, adjacent, at the start and end of a line.
  assert.equal(escapeMathDelimiters("\\$1 and $$2 and $"), "\\$1 and \\$\\$2 and \\$");
  // Inline code spans and fenced blocks keep their dollar signs, and the fence state carries across lines.
  assert.equal(escapeMathDelimiters("pay `$HOME` $3"), "pay `$HOME` \\$3");
  assert.equal(escapeMathDelimiters('```json\n{"a": "$5"}\n```\n$6'), '```json\n{"a": "$5"}\n```\n\\$6');
  assert.equal(escapeMathDelimiters("no money here"), "no money here");
});

test("markdownOutputsWithoutMathEscapes gives markdown outputs their plain dollar signs back and changes nothing else", () => {
  const md = escapeMathDelimiters("worth $5 (`$HOME`)");
  const nb = {
    cells: [
      { cell_type: "markdown", source: "\\$ in a cell stays" },
      {
        cell_type: "code",
        outputs: [{ data: { "text/markdown": md, "text/plain": "\\$1" } }, { data: { "text/markdown": [md, "\n", md] } }],
      },
    ],
  };
  const out = markdownOutputsWithoutMathEscapes(nb);
  assert.equal(out.cells[1]?.outputs?.[0]?.data?.["text/markdown"], "worth $5 (`$HOME`)");
  assert.equal(out.cells[1]?.outputs?.[0]?.data?.["text/plain"], "\\$1");
  assert.equal(out.cells[1]?.outputs?.[1]?.data?.["text/markdown"], "worth $5 (`$HOME`)\nworth $5 (`$HOME`)");
  assert.equal(out.cells[0]?.source, "\\$ in a cell stays");
  // The input is not modified.
  assert.equal(nb.cells[1]?.outputs?.[0]?.data?.["text/markdown"], md);
  assert.equal(unescapeMathDelimiters("```\n\\$x\n```\n\\$y"), "```\n\\$x\n```\n$y");
});
