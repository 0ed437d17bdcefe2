// The architecture diagram: the label and reference checks on made-up sources and SVGs (each must catch what it is
// for), then the committed docs/figures/architecture.svg against its source docs/architecture.mmd.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { mermaidLabels, missingDiagramLabels, svgExternalReferences, svgTexts } from "../../lib/reporting/diagram";
import { repoRoot } from "../support";

const SOURCE = path.join(repoRoot, "docs", "architecture.mmd");
const SVG = path.join(repoRoot, "docs", "figures", "architecture.svg");

/** An SVG as Mermaid writes one with htmlLabels off: a <text> per label, a row <tspan> per line, a <tspan> per word. */
function svgWith(texts: readonly string[][], extra = ""): string {
  const rows = (lines: readonly string[]): string =>
    lines
      .map((line) => {
        const words = line.split(" ").map((w, i) => `<tspan class="text-inner-tspan">${i > 0 ? " " : ""}${w}</tspan>`);
        return `<tspan class="text-outer-tspan row" x="0">${words.join("")}</tspan>`;
      })
      .join("");
  const body = texts.map((lines) => `<g class="label"><text y="-10">${rows(lines)}</text></g>`).join("");
  return `<svg id="d" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">${extra}${body}</svg>`;
}

describe("mermaidLabels", () => {
  test("reads every shape's label, quoted ones, subgraph titles and edge labels, and skips comments", () => {
    const source = [
      "%% A[not a node]",
      "flowchart LR",
      '  subgraph T["Training (nightly)"]',
      "    A[(CRM export)] --> B[churn clean<br/>quality report]",
      "  end",
      "  subgraph Serving",
      "    C[[model.json]] -->|POST /predict| D{retrain?}",
      "  end",
      "  E((circle)) --> F{{hex &amp; more}} --> G>flag]",
      "  B -. new version .-> H[/lean/]",
      "  A --> B",
    ].join("\n");
    const labels = mermaidLabels(source).map((l) => [l.id, l.lines.join(" | "), l.line]);
    assert.deepEqual(labels, [
      ["T", "Training (nightly)", 3],
      ["A", "CRM export", 4],
      ["B", "churn clean | quality report", 4],
      ["Serving", "Serving", 6],
      ["C", "model.json", 7],
      ["D", "retrain?", 7],
      ["", "POST /predict", 7],
      ["E", "circle", 9],
      ["F", "hex & more", 9],
      ["G", "flag", 9],
      ["H", "lean", 10],
      ["", "new version", 10],
    ]);
  });

  test("finds the labels of the project's diagram, the commands among them", () => {
    const labels = mermaidLabels(fs.readFileSync(SOURCE, "utf8")).map((l) => l.lines[0]);
    for (const command of ["churn clean", "churn train", "churn serve", "churn predict", "churn drift", "churn evaluate"]) {
      assert.ok(labels.includes(command), `${command} is a node of docs/architecture.mmd`);
    }
  });
});

describe("missingDiagramLabels", () => {
  const source = "flowchart LR\n  A[churn train<br/>CV tuning] -->|yes| B[(model registry)]";

  test("is empty when each label is one text element, whatever rows it was wrapped into", () => {
    assert.deepEqual(missingDiagramLabels(source, svgWith([["churn train", "CV tuning"], ["yes"], ["model", "registry"]])), []);
  });

  test("names a label that is missing, or whose lines are spread over other labels", () => {
    assert.deepEqual(missingDiagramLabels(source, svgWith([["churn train", "CV tuning"], ["yes"]])), ["B (line 2): model registry"]);
    // Each word of A is somewhere in the picture, but not as A's label.
    assert.deepEqual(missingDiagramLabels(source, svgWith([["churn train"], ["CV tuning"], ["yes"], ["model registry"]])), [
      "A (line 2): churn train<br/>CV tuning",
    ]);
  });
});

describe("svgExternalReferences", () => {
  test("accepts namespace names, fragments and data URLs", () => {
    const svg = svgWith([["a"]], '<use href="#m"/><image xlink:href="data:image/png;base64,AAAA"/><path fill="url(#g)"/>');
    assert.deepEqual(svgExternalReferences(svg), []);
  });

  test("names fonts, images, stylesheets and scripts from elsewhere", () => {
    const svg = svgWith(
      [["a"]],
      "<style>@import url(fonts.css);@font-face{src:url(https://fonts.example/a.woff2)}</style>" +
        '<image href="logo.png"/><script>1</script>',
    );
    assert.deepEqual(svgExternalReferences(svg).sort(), [
      "<script>",
      "@import url(fonts.css);",
      'href="logo.png"',
      "https://fonts.example/a.woff2",
      "url(fonts.css)",
      "url(https://fonts.example/a.woff2)",
    ]);
  });
});

describe("docs/figures/architecture.svg", () => {
  const read = (file: string): string => {
    assert.ok(fs.existsSync(file), `${path.relative(repoRoot, file)} exists (npm run diagram writes it)`);
    return fs.readFileSync(file, "utf8");
  };

  test("is an SVG document whose labels are SVG text, as an <img> on GitHub draws them", () => {
    const svg = read(SVG);
    assert.match(svg, /^<svg\b[^>]*\bxmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    assert.ok(!svg.includes("<foreignObject"), "no HTML labels: an <img> does not draw <foreignObject>");
    assert.ok(svgTexts(svg).filter((t) => t !== "").length >= mermaidLabels(read(SOURCE)).length);
  });

  test("shows every label of docs/architecture.mmd", () => {
    assert.deepEqual(missingDiagramLabels(read(SOURCE), read(SVG)), []);
  });

  test("loads nothing from outside the file", () => {
    assert.deepEqual(svgExternalReferences(read(SVG)), []);
  });
});
