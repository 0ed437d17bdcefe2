// Plotly figures to PNG in headless Chromium, offline: one page inlines node_modules/plotly.js-dist-min/plotly.min.js and
// draws every figure in turn with Plotly.toImage, writing "<name> <data URL>" lines into <pre id="out"> and "END" when
// done. scripts/render-figures.js loads the page with Chromium's --dump-dom (README figures); scripts/run-notebooks.js
// with a puppeteer-core browser it keeps open for every notebook (renderInBrowser).
"use strict";
/* global document -- the function handed to page.waitForFunction runs in the page */
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");

let plotlySourceCache;
/** plotly.min.js, read once. */
function plotlySource() {
  plotlySourceCache ??= fs.readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js", { paths: [root] }), "utf8");
  return plotlySourceCache;
}

/** The figure's pixel size: layout width/height when set, else 900 x 500. */
function figureSize(figure) {
  const w = Number(figure.layout && figure.layout.width);
  const h = Number(figure.layout && figure.layout.height);
  return { width: Number.isFinite(w) && w > 0 ? Math.round(w) : 900, height: Number.isFinite(h) && h > 0 ? Math.round(h) : 500 };
}

/** JSON for an inline <script>: `</script` inside a string would end the element early. */
const inlineJson = (value) => JSON.stringify(value).replace(/<\/(script)/gi, "<\\/$1");

/**
 * One page drawing every figure ({ name, figure }; names without spaces) with Plotly.toImage at its layout size times
 * `scale`; the PNG data URLs land in #out.
 */
function batchPage(figures, { scale = 1 } = {}) {
  const specs = inlineJson(figures.map((f) => ({ name: f.name, figure: f.figure, ...figureSize(f.figure) })));
  return `<!doctype html>
<html><head><meta charset="utf-8">
<style>html,body{margin:0;padding:0;background:#fff}</style>
<script>${plotlySource()}</script>
</head><body><div id="work"></div><pre id="out"></pre>
<script>
const specs = ${specs};
(async () => {
  const lines = [];
  for (const s of specs) {
    const div = document.createElement("div");
    document.getElementById("work").appendChild(div);
    try {
      await Plotly.newPlot(div, s.figure.data, Object.assign({}, s.figure.layout, { width: s.width, height: s.height }), { staticPlot: true, displayModeBar: false });
      lines.push(s.name + " " + (await Plotly.toImage(div, { format: "png", width: s.width, height: s.height, scale: ${Number(scale)} })));
    } catch (err) {
      lines.push(s.name + " error:" + encodeURIComponent(String(err && err.message)));
    }
    Plotly.purge(div);
    div.remove();
  }
  lines.push("END");
  document.getElementById("out").textContent = lines.join("\\n");
})();
</script></body></html>
`;
}

/** The text of #out: name -> PNG bytes, or name -> Error for a figure Plotly could not draw. */
function parseBatchOutput(text) {
  const results = new Map();
  const prefix = "data:image/png;base64,";
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space < 0) continue;
    const name = line.slice(0, space);
    const value = line.slice(space + 1);
    if (value.startsWith(prefix)) results.set(name, Buffer.from(value.slice(prefix.length), "base64"));
    else results.set(name, new Error(decodeURIComponent(value.replace(/^error:/, ""))));
  }
  return results;
}

/**
 * Renders the figures in a new tab of `browser` (puppeteer-core) and closes the tab; `workDir` holds the page.
 * Returns name -> PNG bytes or Error, as parseBatchOutput.
 */
async function renderInBrowser(browser, figures, { workDir, scale = 1, timeoutMs = 120_000 }) {
  const file = path.join(workDir, `figures-${process.pid}-${Date.now()}.html`);
  fs.writeFileSync(file, batchPage(figures, { scale }));
  const page = await browser.newPage();
  try {
    await page.goto(`file://${file}`, { waitUntil: "load", timeout: timeoutMs });
    await page.waitForFunction(() => /(^|\n)END$/.test(document.getElementById("out").textContent), {
      timeout: timeoutMs,
      polling: 100,
    });
    return parseBatchOutput(await page.$eval("#out", (el) => el.textContent));
  } finally {
    await page.close();
    fs.rmSync(file, { force: true });
  }
}

module.exports = { plotlySource, figureSize, batchPage, parseBatchOutput, renderInBrowser };
