// Executed notebooks as the repository keeps them, and the check that they still match a fresh run.
//
// GitHub's notebook renderer strips scripts and prefers text/html to image/png, so in the committed copy each Plotly
// figure (showFigure's text/html) becomes an image/png (rendered by the caller, with headless Chromium) plus its title as
// text/plain, with the sha256 of its spec in the output's metadata; the output holding the inline library is dropped.
// Cell sources and metadata come from the notebook as written, never from the executed copy, so nbclient's timing
// metadata stays out and a rerun is byte-stable wherever the computation is. A fresh run is compared with the committed
// copy on everything but the outputs of cells tagged `measured` (timings, throughput, dates of a run) and the PNG bytes:
// figures compare by digest, so a different Chromium does not fail the check.

import { canonicalJson, figureDigest } from "./doc-figures";
import { isPlotlyLibraryHtml, plotlyFigureFromHtml, type PlotlyFigure } from "./notebook";

type Multiline = string | string[];

/** One output of a code cell (nbformat 4). */
export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
  name?: string;
  text?: Multiline;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  transient?: unknown;
}

/** One cell (nbformat 4). */
export interface NotebookCell {
  cell_type: string;
  id?: string;
  metadata?: Record<string, unknown>;
  source: Multiline;
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}

/** A notebook (nbformat 4). */
export interface Notebook {
  cells: NotebookCell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

/** The tag of cells whose outputs depend on the machine or the run (timings, throughput, benchmark dates). */
export const MEASURED_TAG = "measured";
/** The key in a published figure output's metadata: { sha256 } of the figure spec. */
export const FIGURE_METADATA_KEY = "plotly_figure";
/** Width of a figure's PNG when its layout sets none (the notebook draws it at the page's width). */
export const DEFAULT_FIGURE_WIDTH = 900;

/** nbformat stores text either as one string or as a list of lines. */
export function multilineText(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => String(x)).join("");
  return typeof v === "string" ? v : "";
}

export function cellTags(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

export function isMeasured(cell: NotebookCell): boolean {
  return cellTags(cell).includes(MEASURED_TAG);
}

/** A Plotly figure found in an executed notebook. `cell` and `output` are 0-based indexes. */
export interface NotebookFigure {
  cell: number;
  output: number;
  digest: string;
  title: string;
  width: number;
  height: number;
  figure: Required<PlotlyFigure>;
}

const isDisplay = (o: NotebookOutput): boolean => o.output_type === "display_data" || o.output_type === "execute_result";

/** The figure's title as plain text (Plotly titles may carry <br>, <b>...), for alt text. */
export function figureTitle(figure: PlotlyFigure): string {
  const title = (figure.layout as { title?: unknown } | undefined)?.title;
  const text = typeof title === "string" ? title : multilineText((title as { text?: unknown } | undefined)?.text);
  const plain = text
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<[^>]*>/g, "")
    .replace(/\s+/g, " ")
    .trim();
  return plain || "Plotly figure";
}

/** sha256 of the figure's data and layout (canonical JSON, as the README figures): what is drawn, not how it is shown. */
export function notebookFigureDigest(figure: PlotlyFigure): string {
  return figureDigest({ data: figure.data as Record<string, unknown>[], layout: (figure.layout ?? {}) as Record<string, unknown> });
}

function figureOf(o: NotebookOutput, cell: number, output: number): NotebookFigure | null {
  if (!isDisplay(o) || o.data?.["text/html"] === undefined) return null;
  const found = plotlyFigureFromHtml(multilineText(o.data["text/html"]));
  if (!found) return null;
  const w = (found.figure.layout as { width?: unknown }).width;
  const width = typeof w === "number" && Number.isFinite(w) && w > 0 ? Math.round(w) : DEFAULT_FIGURE_WIDTH;
  return {
    cell,
    output,
    digest: notebookFigureDigest(found.figure),
    title: figureTitle(found.figure),
    width,
    height: Math.round(found.height),
    figure: found.figure,
  };
}

/** Every Plotly figure displayed by showFigure in the notebook, in order. */
export function notebookFigures(nb: Notebook): NotebookFigure[] {
  const figures: NotebookFigure[] = [];
  nb.cells.forEach((cell, i) =>
    (cell.outputs ?? []).forEach((o, j) => {
      const f = figureOf(o, i, j);
      if (f) figures.push(f);
    }),
  );
  return figures;
}

/** The spec to draw for the figure's PNG: its layout at the size the notebook shows it. */
export function figureForImage(f: NotebookFigure): { data: unknown[]; layout: Record<string, unknown> } {
  return { data: f.figure.data, layout: { ...f.figure.layout, width: f.width, height: f.height } };
}

function plainData(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    const json = mime === "application/json" || mime.endsWith("+json");
    out[mime] = json ? value : multilineText(value);
  }
  return out;
}

/**
 * An output as committed: figures as image/png + text/plain (`images` maps a figure digest to its base64 PNG; null
 * leaves the PNG empty, for comparisons), the library output dropped (null), text joined into one string.
 */
function publishedOutput(
  o: NotebookOutput,
  figure: NotebookFigure | null,
  images: ReadonlyMap<string, string> | null,
): NotebookOutput | null {
  if (o.output_type === "stream") return { name: o.name ?? "stdout", output_type: "stream", text: multilineText(o.text) };
  if (!isDisplay(o)) return { ...o, transient: undefined };
  const count = o.output_type === "execute_result" ? { execution_count: o.execution_count ?? null } : {};
  if (figure) {
    const png = images ? images.get(figure.digest) : "";
    if (png === undefined) throw new Error(`no PNG for the figure "${figure.title}" (cell ${figure.cell + 1})`);
    return {
      data: { "image/png": png, "text/plain": figure.title },
      ...count,
      metadata: { [FIGURE_METADATA_KEY]: { sha256: figure.digest }, "image/png": { width: figure.width, height: figure.height } },
      output_type: o.output_type,
    };
  }
  const data = o.data ?? {};
  if (data["text/html"] !== undefined && isPlotlyLibraryHtml(multilineText(data["text/html"]))) return null;
  return { data: plainData(data), ...count, metadata: o.metadata ?? {}, output_type: o.output_type };
}

function sameCells(source: Notebook, executed: Notebook): void {
  const a = source.cells.map((c) => `${c.cell_type}:${c.id ?? ""}`).join(",");
  const b = executed.cells.map((c) => `${c.cell_type}:${c.id ?? ""}`).join(",");
  if (a !== b) throw new Error(`the executed notebook's cells (${executed.cells.length}) are not the source's (${source.cells.length})`);
}

/**
 * The notebook to commit: `source`'s cells (sources, ids and metadata, tags included) with `executed`'s outputs and
 * execution counts, published as above. Throws when the two do not have the same cells, or when a figure has no PNG.
 */
export function publishedNotebook(source: Notebook, executed: Notebook, images: ReadonlyMap<string, string> | null): Notebook {
  sameCells(source, executed);
  const cells = source.cells.map((cell, i) => {
    const run = executed.cells[i];
    if (cell.cell_type !== "code" || !run) return cell;
    const outputs = (run.outputs ?? [])
      .map((o, j) => publishedOutput(o, figureOf(o, i, j), images))
      .filter((o): o is NotebookOutput => o !== null)
      .map((o) => JSON.parse(JSON.stringify(o)) as NotebookOutput); // drops the `undefined` fields
    return { ...cell, execution_count: run.execution_count ?? null, outputs };
  });
  return { ...source, cells };
}

/** The notebook for the HTML report: the executed one, titled, without the library output (the page loads Plotly). */
export function reportNotebook(executed: Notebook, title: string): Notebook {
  const cells = executed.cells.map((cell) =>
    cell.outputs
      ? {
          ...cell,
          outputs: cell.outputs.filter((o) => !(isDisplay(o) && isPlotlyLibraryHtml(multilineText(o.data?.["text/html"])))),
        }
      : cell,
  );
  return { ...executed, metadata: { ...executed.metadata, title }, cells };
}

/** The notebook's text file as the repository keeps it: JSON indented by one space, a final newline. */
export function notebookJson(nb: Notebook): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

const plain = (md: string): string =>
  md
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[*_`]/g, "")
    .replace(/\s+/g, " ")
    .trim();

/** The first Markdown heading of the notebook and the paragraph after it, as plain text (for an index page). */
export function notebookHeading(nb: Notebook): { title: string; summary: string } | null {
  for (const cell of nb.cells) {
    if (cell.cell_type !== "markdown") continue;
    const paragraphs = multilineText(cell.source).split(/\n\s*\n/);
    const at = paragraphs.findIndex((p) => /^#{1,6}\s+\S/.test(p.trim()));
    if (at < 0) continue;
    const title = plain((paragraphs[at] ?? "").trim().replace(/^#{1,6}\s+/, ""));
    const next = paragraphs.slice(at + 1).find((p) => p.trim() !== "" && !/^#{1,6}\s/.test(p.trim()));
    return { title, summary: next ? plain(next) : "" };
  }
  return null;
}

/** What a cell's outputs say, one line per line of text; PNG bytes left out, figures by digest. */
export function comparableOutputs(cell: NotebookCell): string {
  const lines: string[] = [];
  for (const o of cell.outputs ?? []) {
    lines.push(`[${o.output_type}${o.name ? ` ${o.name}` : ""}]`);
    if (o.output_type === "stream") lines.push(multilineText(o.text));
    else if (o.output_type === "error") lines.push(`${o.ename ?? ""}: ${o.evalue ?? ""}`);
    const figure = o.metadata?.[FIGURE_METADATA_KEY] as { sha256?: unknown } | undefined;
    if (figure) {
      const size = o.metadata?.["image/png"] as { width?: unknown; height?: unknown } | undefined;
      lines.push(`figure sha256 ${String(figure.sha256)} at ${String(size?.width)}x${String(size?.height)}`);
    }
    for (const mime of Object.keys(o.data ?? {}).sort()) {
      if (mime === "image/png" && figure) continue;
      const value = o.data?.[mime];
      lines.push(`${mime}:`, typeof value === "string" || Array.isArray(value) ? multilineText(value) : canonicalJson(value));
    }
  }
  return lines.join("\n");
}

const WIDTH = 160;

/** The line cut to WIDTH characters around column `at` (where it first differs from the other side's line). */
function around(line: string, at: number): string {
  if (line.length <= WIDTH) return line;
  const from = Math.max(0, Math.min(at - 60, line.length - WIDTH + 3));
  const head = from > 0 ? "..." : "";
  const body = line.slice(from, from + WIDTH - head.length - 3);
  return `${head}${body}${from + body.length < line.length ? "..." : ""}`;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * The first place two texts differ: a `@@ line N @@` header, then up to `context` lines of each side, long lines cut
 * around the first character that differs.
 */
export function shortDiff(before: string, after: string, context = 3): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const side = (lines: string[], other: string[], end: number, mark: string): string[] => {
    const shown = lines
      .slice(start, Math.min(end, start + context))
      .map((l, k) => `${mark} ${around(l, firstDifference(l, other[start + k] ?? ""))}`);
    if (end - start > context) shown.push(`${mark} ... (${end - start - context} more line(s))`);
    return shown;
  };
  return [`@@ line ${start + 1} @@`, ...side(a, b, endA, "-"), ...side(b, a, endB, "+")];
}

/** A code cell whose committed outputs differ from a fresh run's. `cell` is 1-based. */
export interface CellDifference {
  cell: number;
  id: string | undefined;
  diff: string[];
}

/**
 * The code cells, other than `measured` ones, whose outputs in `committed` differ from `fresh` (a published notebook
 * of a fresh run, e.g. publishedNotebook(committed, executed, null)): "-" lines are the committed copy's.
 */
export function notebookDifferences(committed: Notebook, fresh: Notebook): CellDifference[] {
  if (committed.cells.length !== fresh.cells.length) {
    return [{ cell: 0, id: undefined, diff: [`committed: ${committed.cells.length} cells, fresh run: ${fresh.cells.length}`] }];
  }
  const differences: CellDifference[] = [];
  committed.cells.forEach((cell, i) => {
    const run = fresh.cells[i];
    if (cell.cell_type !== "code" || !run || isMeasured(cell)) return;
    const before = comparableOutputs(cell);
    const after = comparableOutputs(run);
    if (before !== after) differences.push({ cell: i + 1, id: cell.id, diff: shortDiff(before, after) });
  });
  return differences;
}

/** Cells (1-based) of a committed notebook holding a figure output with no PNG in it. */
export function figuresWithoutImage(nb: Notebook): number[] {
  const cells: number[] = [];
  nb.cells.forEach((cell, i) => {
    const empty = (cell.outputs ?? []).some((o) => o.metadata?.[FIGURE_METADATA_KEY] && multilineText(o.data?.["image/png"]) === "");
    if (empty) cells.push(i + 1);
  });
  return cells;
}
