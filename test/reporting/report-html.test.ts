// The HTML report's pieces in scripts/: the index page (links, escaping, nothing remote), the offline check the report
// and the slides share, and the parsing of the figure page's output (scripts/lib/plotly-png.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as path from "node:path";
import { repoRoot } from "../support";

const load = createRequire(__filename);
const { indexPage } = load(path.join(repoRoot, "scripts", "lib", "report-html.js")) as {
  indexPage: (o: {
    title: string;
    notebooks: { name: string; title: string; summary: string }[];
    slides: { html: string; pdf: string };
  }) => string;
};
const { externalSources } = load(path.join(repoRoot, "scripts", "lib", "offline.js")) as { externalSources: (html: string) => string[] };
const { parseBatchOutput } = load(path.join(repoRoot, "scripts", "lib", "plotly-png.js")) as {
  parseBatchOutput: (text: string) => Map<string, Buffer | Error>;
};

test("the index links each notebook's reading and code pages and the slides, escaped, with nothing remote", () => {
  const html = indexPage({
    title: "Churn <report>",
    notebooks: [
      { name: "01_eda", title: "01 · EDA & more", summary: "Who churns" },
      { name: "02_prep", title: "02 · Prep", summary: "" },
    ],
    slides: { html: "../slides/slides.slides.html", pdf: "../slides/slides.pdf" },
  });
  assert.ok(html.includes('<a class="title" href="01_eda.html">01 · EDA &amp; more</a>'));
  assert.ok(html.includes('<a href="01_eda.code.html">with code</a>'));
  assert.ok(html.includes('href="02_prep.html"') && html.includes("<p>Who churns</p>"));
  assert.ok(html.includes('href="../slides/slides.slides.html"') && html.includes('href="../slides/slides.pdf"'));
  assert.ok(html.includes("<title>Churn &lt;report&gt;</title>"));
  assert.deepEqual(externalSources(html), []);
});

test("externalSources finds http(s), protocol-relative and file: scripts and stylesheets, not relative ones", () => {
  const html = `<script src="plotly.min.js"></script><script src="https://cdn.example/x.js"></script>
<link rel="stylesheet" href="//cdn.example/a.css"><script src='file:///usr/share/javascript/requirejs/require.min.js'></script>
<a href="https://example.org">a link is not a source</a>`;
  assert.deepEqual(externalSources(html).sort(), [
    '<link href="//cdn.example/a.css">',
    '<script src="file:///usr/share/javascript/requirejs/require.min.js">',
    '<script src="https://cdn.example/x.js">',
  ]);
});

test("the figure page's output: PNG bytes by name, errors as Error, END and blank lines ignored", () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
  const out = parseBatchOutput(`abc data:image/png;base64,${png.toString("base64")}\ndef error:${encodeURIComponent("bad trace")}\n\nEND`);
  assert.equal(out.size, 2);
  assert.deepEqual(out.get("abc"), png);
  const err = out.get("def");
  assert.ok(err instanceof Error && err.message === "bad trace");
});
