// Batch scoring in constant memory: a CSV export streams in, every data row goes through the API's
// `PredictionService.predict` (the same cleaning and checks as `POST /predict`), and one output row per input row streams
// out. Nothing is held but the current chunk, the parser's and stringifier's buffers and a compact set of customer-ID
// hashes for the duplicate check (8 bytes a distinct ID, capped).
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from "node:fs";
import { Readable, Transform, type TransformCallback, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify";
import {
  CSV_READ_OPTIONS,
  type ChunkDecoder,
  ChurnTableError,
  type TextEncoding,
  byteOrderMark,
  chunkDecoder,
  emptyInputError,
  refuseBinary,
  toBuffer,
} from "../cleaning/decoding";
import { HEADER_SEARCH_LINES, type HeaderMapping, type Sniffed, findHeader } from "../cleaning/header";
import { IdHashSet } from "./id-set";
import { ID_COLUMN, resolveHeader } from "../core/schema";
import { type CheckedCustomer, PredictionService, type Prediction } from "./service";
import { type EngineName, type ScoringEngine, createEngine, jsEngine } from "./engine";
import type { Customer } from "../core/schema";
import { canonicalCustomerId } from "../core/values";

/** The output columns, in order. */
export const BATCH_COLUMNS = ["row", "customerID", "churn_probability", "churn", "risk_band", "reasons", "warnings", "error"] as const;

/** Most text read ahead to find the header; a header further than this is not found. */
const HEAD_MAX_CHARS = 1 << 20;
/** Distinct customer IDs tracked for the duplicate check by default (64 MiB of table at most). */
export const DEFAULT_MAX_TRACKED_IDS = 4_000_000;
/** RSS is sampled every this many rows (and at the start and the end). */
const RSS_EVERY = 2048;

export interface BatchOptions {
  /** Reasons per scored row (default 0: the cheapest path). */
  reasons?: number;
  /** Shown in error messages (the path the data came from). */
  label?: string;
  /** Distinct IDs remembered for `duplicate_id`; past this, new IDs are no longer tracked (summary says so). */
  maxTrackedIds?: number;
  /** What scores the checked rows (default: the model's own scorer). */
  engine?: ScoringEngine;
}

export interface BatchSummary {
  source: string;
  modelVersion: string;
  /** What scored the rows: the model's TypeScript scorer ("js") or its ONNX graph in ONNX Runtime ("onnx"). */
  engine: EngineName;
  encoding: TextEncoding;
  byteOrderMark: boolean;
  delimiter: string;
  /** 1-based line of the header (lines above it are a preamble). */
  headerLine: number;
  unknownColumns: string[];
  repeatedColumns: string[];
  /** Data rows read after the header, blank ones included. */
  rowsRead: number;
  /** Entirely empty rows: not scored, not written, counted here. */
  blank: number;
  scored: number;
  /** Rows written with an error and no probability. */
  refused: number;
  /** Later rows repeating an earlier row's customer ID (each scored, flagged `duplicate_id`). */
  duplicateIds: number;
  /** False when more distinct IDs than `maxTrackedIds` arrived and later ones were not checked for duplicates. */
  duplicateCheckComplete: boolean;
  /** Warnings by code over written rows (a row with two warnings of one code counts twice). */
  warnings: Record<string, number>;
  /** Rows with at least one warning. */
  rowsWithWarnings: number;
  elapsedSeconds: number;
  rowsPerSecond: number;
  peakRssBytes: number;
}

const signed = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;

export function formatReasons(p: Prediction): string {
  return p.reasons.map((r) => `${r.field}=${r.value} (${signed(r.contribution)})`).join("; ");
}

function formatWarning(code: string, field: string | null): string {
  return field ? `${code}:${field}` : code;
}

type ScoreState = Pick<
  BatchSummary,
  "rowsRead" | "blank" | "scored" | "refused" | "duplicateIds" | "duplicateCheckComplete" | "warnings" | "rowsWithWarnings"
> & { peakRss: number };

/** Rows checked and waiting for their batch to be scored: the scorable ones carry their checked customer. */
interface PendingRow {
  row: number;
  id: string;
  warnings: string[];
  error: string | null;
  checked: CheckedCustomer | null;
}

/** Rows scored together: one engine call per this many checked rows (or 4x as many rows when most are refused, and at the end). */
export const SCORE_BATCH_ROWS = 1024;

/** The scoring transform: arrays of cells in, output rows (arrays of strings) out, counts kept in `state`. */
class ScoreRows extends Transform {
  readonly state: ScoreState = {
    rowsRead: 0,
    blank: 0,
    scored: 0,
    refused: 0,
    duplicateIds: 0,
    duplicateCheckComplete: true,
    warnings: {},
    rowsWithWarnings: 0,
    peakRss: process.memoryUsage.rss(),
  };
  private header: string[] | null = null;
  /** For each header cell: the record key it feeds, or null when the column is ignored. */
  private keys: (string | null)[] = [];
  private idIndex = -1;
  private readonly ids: IdHashSet;
  private pending: PendingRow[] = [];
  private checkedCount = 0;

  constructor(
    private readonly service: PredictionService,
    private readonly engine: ScoringEngine,
    private readonly reasons: number,
    private readonly mapping: HeaderMapping,
    maxTrackedIds: number,
  ) {
    super({ objectMode: true, highWaterMark: 64 });
    this.ids = new IdHashSet(maxTrackedIds);
  }

  override _transform(fields: string[], _enc: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.header === null) this.setHeader(fields);
      else {
        const pending = this.checkRow(fields);
        if (pending) {
          this.pending.push(pending);
          if (pending.checked) this.checkedCount++;
        }
        if (this.state.rowsRead % RSS_EVERY === 0) this.sampleRss();
        if (this.checkedCount >= SCORE_BATCH_ROWS || this.pending.length >= 4 * SCORE_BATCH_ROWS) {
          this.scorePending().then(() => done(), done);
          return;
        }
      }
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.scorePending().then(() => {
      this.sampleRss();
      done();
    }, done);
  }

  sampleRss(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.state.peakRss) this.state.peakRss = rss;
  }

  private setHeader(fields: string[]): void {
    this.header = fields;
    // The file cleaner's column choice: unknown and empty header cells are ignored (listed once in the summary, not
    // warned on every row), and of headers naming one column the one `mapHeader` picked is kept.
    const chosen = new Set(this.mapping.index.values());
    this.keys = fields.map((h, i) => (chosen.has(i) && resolveHeader(h) !== undefined ? h : null));
    this.idIndex = this.mapping.index.get(ID_COLUMN) ?? -1;
  }

  /** Row checks, the duplicate-ID check and the service's checks; null for a blank row (counted, not written). */
  private checkRow(cells: string[]): PendingRow | null {
    const s = this.state;
    const row = ++s.rowsRead;
    if (cells.every((c) => c.trim() === "")) {
      s.blank++;
      return null;
    }
    const width = this.keys.length;
    const rawId = cells[this.idIndex] ?? "";
    const id = canonicalCustomerId(rawId);
    const warnings: string[] = [];
    let error: string | null = null;
    if (cells.length > width && cells.slice(width).some((c) => c.trim() !== "")) {
      error = `(row): ${cells.length} fields where the header has ${width}; the row cannot be aligned to the header`;
    } else if (resolveHeader(rawId) === ID_COLUMN) {
      error = "(row): repeated header line, not a customer";
    }
    if (id !== null && error === null) {
      const dup = this.ids.seen(id);
      if (dup === true) {
        s.duplicateIds++;
        warnings.push(formatWarning("duplicate_id", ID_COLUMN));
      } else if (dup === "full") s.duplicateCheckComplete = false;
    }
    let checked: CheckedCustomer | null = null;
    if (error === null) {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < width; i++) {
        const key = this.keys[i];
        if (key !== null && key !== undefined) record[key] = cells[i] ?? "";
      }
      const outcome = this.service.check(record);
      if (outcome.ok) {
        checked = outcome;
        for (const w of outcome.warnings) warnings.push(formatWarning(w.code, w.field));
      } else error = outcome.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
    }
    return { row, id: checked?.customer.customerID ?? id ?? rawId.trim(), warnings, error, checked };
  }

  /** Scores the waiting rows in one engine call and pushes their output rows, in input order. */
  private async scorePending(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    this.checkedCount = 0;
    const customers: Customer[] = [];
    for (const r of rows) if (r.checked) customers.push(r.checked.customer);
    const probabilities = customers.length ? await this.engine.score(customers) : new Float64Array(0);
    let k = 0;
    for (const r of rows) this.push(this.outputRow(r, r.checked ? (probabilities[k++] as number) : Number.NaN));
  }

  private outputRow(r: PendingRow, probability: number): string[] {
    const s = this.state;
    if (r.warnings.length > 0) {
      s.rowsWithWarnings++;
      for (const w of r.warnings) {
        const code = w.split(":", 1)[0] ?? w;
        s.warnings[code] = (s.warnings[code] ?? 0) + 1;
      }
    }
    if (r.checked === null) {
      s.refused++;
      return [String(r.row), r.id, "", "", "", "", r.warnings.join(";"), r.error ?? ""];
    }
    s.scored++;
    const prediction = this.service.answer(r.checked, probability, { reasons: this.reasons });
    return [
      String(r.row),
      prediction.customerID ?? "",
      prediction.churn_probability.toFixed(6),
      prediction.churn ? "Yes" : "No",
      prediction.risk_band,
      this.reasons > 0 ? formatReasons(prediction) : "",
      r.warnings.join(";"),
      "",
    ];
  }
}

/** Pulls the input's chunks as Buffers and remembers whether it ended, so a refused input can be let go early. */
class ChunkReader {
  ended = false;
  private readonly it: AsyncIterator<unknown>;

  constructor(input: Readable) {
    this.it = input[Symbol.asyncIterator]() as AsyncIterator<unknown>;
  }

  /** The next chunk, or null once the input has ended. */
  async next(): Promise<Buffer | null> {
    if (this.ended) return null;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return null;
    }
    return toBuffer(r.value);
  }

  /** Stops reading (destroys the input) unless the input ended; after a complete read a no-op. */
  async close(): Promise<void> {
    if (!this.ended) await this.it.return?.();
  }
}

/** What the read-ahead found: the encoding and its decoder, the header, and the text read past the header's start. */
interface Head {
  encoding: TextEncoding;
  /** Length of the byte-order mark in bytes (0: none). */
  bom: number;
  decoder: ChunkDecoder;
  sniffed: Sniffed;
  /** Decoded text from the header row on, read ahead but not yet parsed. */
  body: string;
}

/** Reads until at least 4 bytes are in (enough for any byte-order mark); refuses an empty input. */
async function readFirstBytes(reader: ChunkReader, label: string): Promise<Buffer> {
  let first = Buffer.alloc(0);
  while (first.length < 4) {
    const chunk = await reader.next();
    if (!chunk) break;
    first = Buffer.concat([first, chunk]);
  }
  if (first.length === 0) throw emptyInputError(label);
  return first;
}

/** Decodes read-ahead text until the header search's lines are in (or HEAD_MAX_CHARS, or the end of the input). */
async function readHeadText(reader: ChunkReader, decoder: ChunkDecoder, start: Buffer): Promise<string> {
  let head = decoder.write(start);
  const lineBreaks = (t: string): number => (t.match(/\r\n|\n|\r/g) ?? []).length;
  while (lineBreaks(head) < HEADER_SEARCH_LINES && head.length < HEAD_MAX_CHARS) {
    const chunk = await reader.next();
    if (!chunk) break;
    head += decoder.write(chunk);
  }
  if (reader.ended) head += decoder.end();
  return head;
}

/** Reads ahead until the first lines are in, to find the encoding, delimiter and header row; refuses what is no churn table. */
async function readHead(reader: ChunkReader, label: string): Promise<Head> {
  const first = await readFirstBytes(reader, label);
  const { encoding, bom } = byteOrderMark(first);
  const decoder = chunkDecoder(encoding);
  const head = await readHeadText(reader, decoder, first.subarray(bom));
  refuseBinary(head, label);
  const { offset, ...sniffed } = findHeader(head, label);
  return { encoding, bom, decoder, sniffed, body: head.slice(offset) };
}

/** The decoded text from the header on: the read-ahead body, then the rest of the input chunk by chunk. */
async function* bodyText(reader: ChunkReader, head: Head): AsyncGenerator<string> {
  if (head.body !== "") yield head.body;
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
    const t = head.decoder.write(chunk);
    if (t !== "") yield t;
  }
  if (!reader.ended) return;
  const rest = head.decoder.end();
  if (rest !== "") yield rest;
}

/** Streams decoded text -> csv-parse -> score -> csv-stringify -> output, with backpressure end to end; CSV errors name the row. */
async function scoreBody(reader: ChunkReader, head: Head, scorer: ScoreRows, output: Writable, label: string): Promise<void> {
  const parser = parse({ ...CSV_READ_OPTIONS, delimiter: head.sniffed.delimiter });
  const stringifier = stringify({ header: true, columns: [...BATCH_COLUMNS] });
  try {
    await pipeline(Readable.from(bodyText(reader, head), { objectMode: false }), parser, scorer, stringifier, output);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (typeof e.code === "string" && e.code.startsWith("CSV_")) {
      throw new ChurnTableError(`${label} could not be parsed as CSV after data row ${scorer.state.rowsRead}: ${e.message}`);
    }
    throw err;
  }
}

/** The summary of a completed run (RSS sampled once more at the end; time from `started`). */
function batchSummary(
  label: string,
  service: PredictionService,
  engine: EngineName,
  head: Head,
  scorer: ScoreRows,
  started: bigint,
): BatchSummary {
  const s = scorer.state;
  scorer.sampleRss();
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { sniffed } = head;
  return {
    source: label,
    modelVersion: service.version,
    engine,
    encoding: head.encoding,
    byteOrderMark: head.bom > 0,
    delimiter: sniffed.delimiter,
    headerLine: sniffed.headerRecord + 1,
    unknownColumns: sniffed.mapping.unknownColumns,
    repeatedColumns: sniffed.mapping.repeatedColumns,
    rowsRead: s.rowsRead,
    blank: s.blank,
    scored: s.scored,
    refused: s.refused,
    duplicateIds: s.duplicateIds,
    duplicateCheckComplete: s.duplicateCheckComplete,
    warnings: s.warnings,
    rowsWithWarnings: s.rowsWithWarnings,
    elapsedSeconds,
    rowsPerSecond: elapsedSeconds > 0 ? s.rowsRead / elapsedSeconds : 0,
    peakRssBytes: s.peakRss,
  };
}

/**
 * Scores a CSV stream row by row into a CSV stream (one output row per non-blank input row, in input order) and
 * returns the summary. Refuses a stream that is not a churn table with `ChurnTableError` before writing anything.
 * `output` is ended when the input is done.
 */
export async function predictStream(
  input: Readable,
  output: Writable,
  service: PredictionService,
  options: BatchOptions = {},
): Promise<BatchSummary> {
  const started = process.hrtime.bigint();
  const label = options.label ?? "the input";
  const reasons = options.reasons ?? 0;
  if (!Number.isInteger(reasons) || reasons < 0) throw new ChurnTableError(`reasons must be a non-negative integer, got ${reasons}`);
  const reader = new ChunkReader(input);
  try {
    // 1. Read ahead until the first lines are in, to find the encoding, delimiter and header row.
    const head = await readHead(reader, label);
    // 2. Stream the rest through the scorer.
    const engine = options.engine ?? jsEngine(service);
    const scorer = new ScoreRows(service, engine, reasons, head.sniffed.mapping, options.maxTrackedIds ?? DEFAULT_MAX_TRACKED_IDS);
    await scoreBody(reader, head, scorer, output, label);
    return batchSummary(label, service, engine.name, head, scorer, started);
  } finally {
    // Refused or failed: stop reading (destroys the input). Done: a no-op.
    await reader.close();
  }
}

export interface PredictFileOptions {
  /** model.json written by `churn train`. */
  model: string;
  /** The CSV to score. */
  data: string;
  /** Where the scored CSV goes (written to `<out>.partial` and renamed when complete). */
  out: string;
  reasons?: number;
  maxTrackedIds?: number;
  /** What scores the rows (default "js", the model's own scorer; "onnx" runs its exported graph in ONNX Runtime). */
  engine?: EngineName;
  /** With the onnx engine: an exported graph of the same model to run, instead of exporting it in memory. */
  onnxFile?: string;
  log?: (line: string) => void;
}

/** Scores a CSV file into a CSV file; the output appears only when complete. */
export async function predictFile(options: PredictFileOptions): Promise<BatchSummary> {
  const service = PredictionService.load(options.model);
  if (!existsSync(options.data)) throw new ChurnTableError(`no such file: ${options.data}`);
  const engine = await createEngine(options.engine ?? "js", service, options.onnxFile === undefined ? {} : { onnxFile: options.onnxFile });
  try {
    return await predictWith(service, engine, options);
  } finally {
    await engine.close();
  }
}

async function predictWith(service: PredictionService, engine: ScoringEngine, options: PredictFileOptions): Promise<BatchSummary> {
  const partial = `${options.out}.partial`;
  const input = createReadStream(options.data, { highWaterMark: 256 * 1024 });
  const output = createWriteStream(partial);
  let summary: BatchSummary;
  try {
    summary = await predictStream(input, output, service, {
      label: options.data,
      engine,
      ...(options.reasons === undefined ? {} : { reasons: options.reasons }),
      ...(options.maxTrackedIds === undefined ? {} : { maxTrackedIds: options.maxTrackedIds }),
    });
  } catch (err) {
    input.destroy();
    output.destroy();
    rmSync(partial, { force: true });
    throw err;
  }
  renameSync(partial, options.out);
  options.log?.(formatBatchSummary(summary));
  return summary;
}

/** One line: rows, outcomes, warnings by code, throughput, memory. */
export function formatBatchSummary(s: BatchSummary): string {
  const warnings = Object.entries(s.warnings)
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");
  return (
    `predict (${s.engine} engine): ${s.rowsRead} rows read, ${s.scored} scored, ${s.refused} refused` +
    (s.blank > 0 ? `, ${s.blank} blank` : "") +
    `; warnings: ${warnings || "none"}` +
    (s.duplicateCheckComplete ? "" : " (duplicate check stopped: too many distinct IDs)") +
    `; ${Math.round(s.rowsPerSecond)} rows/s, peak RSS ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${s.elapsedSeconds.toFixed(1)} s`
  );
}
