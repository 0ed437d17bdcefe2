// The committed copy of an executed notebook (figures as PNG, no library, sources and metadata from the notebook as
// written) and the comparison of a committed copy with a fresh run (measured cells and PNG bytes aside).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { htmlTable, isPlotlyLibraryHtml, plotlyFigureFromHtml, plotlyFigureHtml, plotlyLibraryHtml } from "../../lib/reporting/notebook";
import {
  type Notebook,
  type NotebookOutput,
  FIGURE_METADATA_KEY,
  comparableOutputs,
  figureTitle,
  figuresWithoutImage,
  multilineText,
  notebookDifferences,
  notebookFigureDigest,
  notebookFigures,
  notebookHeading,
  notebookJson,
  publishedNotebook,
  reportNotebook,
  shortDiff,
} from "../../lib/reporting/published-notebook";

const figure = {
  data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }],
  layout: { title: { text: "Churn <b>by</b> contract<br>(test)" }, yaxis: { title: { text: "rate" } } },
};

/** nbformat's way of storing text: a list of lines. */
const lines = (s: string): string[] => s.split(/(?<=\n)/);
const display = (mime: string, text: string): NotebookOutput => ({
  output_type: "display_data",
  data: { [mime]: lines(text) },
  metadata: {},
});

function source(): Notebook {
  return {
    cells: [
      { cell_type: "markdown", id: "m1", metadata: {}, source: "# 01 · A title\n\nWhat it *shows*, see [lib](lib/).\n\n## Next" },
      { cell_type: "code", id: "c1", metadata: {}, execution_count: null, outputs: [], source: "showFigure(f);" },
      { cell_type: "code", id: "c2", metadata: { tags: ["measured"] }, execution_count: null, outputs: [], source: "time();" },
    ],
    metadata: { kernelspec: { name: "tslab" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

function executed(table = [{ a: 1 }], timing = "3.1 µs"): Notebook {
  const nb = source();
  const timingMetadata = { execution: { "iopub.status.busy": "2026-01-01T00:00:00Z" } };
  nb.cells[1] = {
    ...nb.cells[1]!,
    metadata: timingMetadata,
    execution_count: 1,
    outputs: [
      display("text/html", plotlyLibraryHtml()),
      display("text/html", plotlyFigureHtml(figure, { height: 300 })),
      display("text/html", htmlTable(table)),
      display("text/markdown", "- one $5\n- two $6\n"),
      { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] },
    ],
  };
  nb.cells[2] = { ...nb.cells[2]!, metadata: timingMetadata, execution_count: 2, outputs: [display("text/markdown", timing)] };
  nb.metadata = { ...nb.metadata, language_info: { version: "3.7.2" } };
  return nb;
}

const digest = notebookFigureDigest(figure);
const images = new Map([[digest, "iVBORw0KGgo="]]);

describe("figures in notebook outputs", () => {
  test("plotlyFigureFromHtml reads back what plotlyFigureHtml wrote; other HTML is not a figure", () => {
    const found = plotlyFigureFromHtml(plotlyFigureHtml(figure, { height: 300 }));
    assert.ok(found);
    assert.deepEqual(found.figure.data, figure.data);
    assert.deepEqual(found.figure.layout, figure.layout);
    assert.equal((found.figure.config as { responsive?: unknown }).responsive, true);
    assert.equal(found.height, 300);
    assert.equal(plotlyFigureFromHtml(plotlyFigureHtml({ data: [] }))?.height, 420);
    assert.equal(plotlyFigureFromHtml(htmlTable([{ a: 1 }])), null);
    assert.equal(plotlyFigureFromHtml('<div id="x" class="plotly-figure" style="width:100%;height:9px;"></div>\n  var fig = {;\n'), null);
    assert.equal(isPlotlyLibraryHtml(plotlyLibraryHtml()), true);
    assert.equal(isPlotlyLibraryHtml(plotlyFigureHtml(figure)), false);
  });

  test("notebookFigures: cell and output index, digest, plain title, the page width and the drawn height", () => {
    const [f, ...rest] = notebookFigures(executed());
    assert.equal(rest.length, 0);
    assert.ok(f);
    assert.equal(f.cell, 1);
    assert.equal(f.output, 1);
    assert.equal(f.digest, digest);
    assert.match(f.digest, /^[0-9a-f]{64}$/);
    assert.equal(f.title, "Churn by contract (test)");
    assert.deepEqual([f.width, f.height], [900, 300]);
    assert.equal(figureTitle({ data: [], layout: { title: "plain string" } }), "plain string");
    assert.equal(figureTitle({ data: [] }), "Plotly figure");
    assert.notEqual(notebookFigureDigest({ ...figure, data: [{ type: "bar", x: ["a"], y: [3] }] }), digest);
  });
});

describe("publishedNotebook", () => {
  test("figures become PNG + title with their digest, the library goes, text is joined, sources and tags stay", () => {
    const nb = publishedNotebook(source(), executed(), images);
    const outputs = nb.cells[1]!.outputs!;
    assert.equal(outputs.length, 4, "library output dropped");
    assert.deepEqual(outputs[0], {
      data: { "image/png": "iVBORw0KGgo=", "text/plain": "Churn by contract (test)" },
      metadata: { [FIGURE_METADATA_KEY]: { sha256: digest }, "image/png": { width: 900, height: 300 } },
      output_type: "display_data",
    });
    assert.equal(typeof outputs[1]!.data!["text/html"], "string");
    assert.equal(outputs[2]!.data!["text/markdown"], "- one $5\n- two $6\n");
    assert.deepEqual(outputs[3], { name: "stdout", output_type: "stream", text: "a\nb\n" });
    assert.ok(!JSON.stringify(nb).includes("plotly-fig-"), "no kernel-generated div id left");
    assert.deepEqual(nb.cells[1]!.metadata, {}, "no execution timing");
    assert.deepEqual(nb.cells[2]!.metadata, { tags: ["measured"] });
    assert.deepEqual([nb.cells[1]!.execution_count, nb.cells[2]!.execution_count], [1, 2]);
    assert.deepEqual(nb.metadata, source().metadata);
    assert.deepEqual(nb.cells[0], source().cells[0]);
    assert.equal(notebookJson(nb), notebookJson(publishedNotebook(source(), executed(), images)), "same run, same text");
    assert.ok(notebookJson(nb).endsWith("}\n") && notebookJson(nb).startsWith('{\n "cells": [\n'));
  });

  test("refuses a figure without a PNG and an executed copy with other cells", () => {
    assert.throws(
      () => publishedNotebook(source(), executed(), new Map()),
      /no PNG for the figure "Churn by contract \(test\)" \(cell 2\)/,
    );
    const other = executed();
    other.cells.pop();
    assert.throws(() => publishedNotebook(source(), other, images), /cells \(2\) are not the source's \(3\)/);
  });

  test("reportNotebook keeps the interactive figure, drops the library and sets the title", () => {
    const nb = reportNotebook(executed(), "01 · A title");
    assert.equal(nb.metadata.title, "01 · A title");
    const html = nb.cells[1]!.outputs!.map((o) => multilineText(o.data?.["text/html"]));
    assert.equal(html.length, 4);
    assert.ok(html.some((h) => h.includes('class="plotly-figure"')));
    assert.ok(!html.some((h) => h.includes("plotly.js v")));
  });
});

describe("comparing a committed notebook with a fresh run", () => {
  const committed = publishedNotebook(source(), executed(), images);

  test("the same outputs, other PNG bytes and other measured values: no difference", () => {
    const fresh = publishedNotebook(source(), executed([{ a: 1 }], "9.9 µs"), null);
    assert.deepEqual(notebookDifferences(committed, fresh), []);
    assert.ok(comparableOutputs(committed.cells[1]!).includes(`figure sha256 ${digest} at 900x300`));
    assert.ok(!comparableOutputs(committed.cells[1]!).includes("iVBOR"), "PNG bytes are not compared");
  });

  test("a changed table value names the cell and shows both lines", () => {
    const fresh = publishedNotebook(source(), executed([{ a: 2 }]), null);
    const [d, ...rest] = notebookDifferences(committed, fresh);
    assert.equal(rest.length, 0);
    assert.equal(d?.cell, 2);
    assert.equal(d?.id, "c1");
    assert.ok(d?.diff.some((l) => l.startsWith("-") && l.includes(">1</td>")));
    assert.ok(d?.diff.some((l) => l.startsWith("+") && l.includes(">2</td>")));
  });

  test("a changed figure is a different digest", () => {
    const changed = executed();
    changed.cells[1]!.outputs![1] = display("text/html", plotlyFigureHtml({ ...figure, data: [{ type: "bar", x: ["a"], y: [5] }] }));
    const [d] = notebookDifferences(committed, publishedNotebook(source(), changed, null));
    assert.equal(d?.cell, 2);
    assert.ok(d?.diff.some((l) => l.startsWith("- figure sha256 " + digest)));
  });

  test("another cell count is one notebook-level difference; a figure output without PNG is found", () => {
    const short = { ...committed, cells: committed.cells.slice(0, 2) };
    assert.deepEqual(notebookDifferences(committed, short), [{ cell: 0, id: undefined, diff: ["committed: 3 cells, fresh run: 2"] }]);
    assert.deepEqual(figuresWithoutImage(committed), []);
    assert.deepEqual(figuresWithoutImage(publishedNotebook(source(), executed(), null)), [2]);
  });

  test("shortDiff cuts long lines around the first differing character", () => {
    const a = `${"x".repeat(300)}A${"y".repeat(300)}`;
    const b = `${"x".repeat(300)}B${"y".repeat(300)}`;
    const d = shortDiff(`same\n${a}\nend`, `same\n${b}\nend`);
    assert.equal(d[0], "@@ line 2 @@");
    assert.equal(d.length, 3);
    assert.ok(d[1]!.startsWith("- ...") && d[1]!.includes("xA") && d[1]!.length <= 165);
    assert.ok(d[2]!.startsWith("+ ...") && d[2]!.includes("xB"));
    const many = shortDiff("1\n2\n3\n4\n5", "a\nb\nc\nd\ne");
    assert.ok(many.includes("- ... (2 more line(s))") && many.includes("+ ... (2 more line(s))"));
  });
});

test("notebookHeading: the first heading and the paragraph after it, as plain text", () => {
  assert.deepEqual(notebookHeading(source()), { title: "01 · A title", summary: "What it shows, see lib." });
  assert.equal(notebookHeading({ ...source(), cells: [] }), null);
});
