import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import {
  escapeHtml,
  htmlTable,
  initPlotly,
  inTslab,
  plotlyFigureHtml,
  plotlyLibraryHtml,
  scriptSafeJson,
  showFigure,
  showHtml,
  showMarkdown,
  showTable,
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
    });
  } finally {
    delete g.__tslab__;
  }
});
