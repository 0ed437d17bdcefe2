// Finding the header: the delimiter and header row that recognize the most churn columns within the first lines (the
// customer ID counts most), header cells mapped to canonical columns, and the refusal of anything that is no churn table.
import { parse } from "csv-parse/sync";
import {
  COLUMN_NAMES,
  type ColumnName,
  FEATURE_COLUMNS,
  ID_COLUMN,
  LABEL_COLUMN,
  MIN_FEATURE_COLUMNS,
  headerKey,
  resolveHeader,
} from "../core/schema";
import { CSV_READ_OPTIONS, ChurnTableError } from "./decoding";

/** Lines searched for the header row (lines above it are a preamble). */
export const HEADER_SEARCH_LINES = 20;

export interface HeaderMapping {
  index: Map<ColumnName, number>;
  headers: string[];
  unknownColumns: string[];
  repeatedColumns: string[];
  absentColumns: ColumnName[];
}

/** Maps header cells to canonical columns; an exact spelling beats an alias when two headers name one column. */
export function mapHeader(headers: readonly string[]): HeaderMapping {
  const index = new Map<ColumnName, number>();
  const exact = new Set<ColumnName>();
  const unknownColumns: string[] = [];
  const repeatedColumns: string[] = [];
  headers.forEach((header, i) => {
    const column = resolveHeader(header);
    if (!column) {
      if (header.trim() !== "") unknownColumns.push(header);
      return;
    }
    const isExact = headerKey(header) === headerKey(column);
    const previous = index.get(column);
    if (previous === undefined || (isExact && !exact.has(column))) {
      if (previous !== undefined) repeatedColumns.push(headers[previous] ?? "");
      index.set(column, i);
      if (isExact) exact.add(column);
    } else {
      repeatedColumns.push(header);
    }
  });
  const absentColumns = COLUMN_NAMES.filter((c) => !index.has(c));
  return { index, headers: [...headers], unknownColumns, repeatedColumns, absentColumns };
}

function recognizedFeatureCount(mapping: HeaderMapping): number {
  return FEATURE_COLUMNS.filter((c) => mapping.index.has(c)).length;
}

export interface Sniffed {
  delimiter: string;
  /** Index of the header among the records read. */
  headerRecord: number;
  mapping: HeaderMapping;
}

export const DELIMITERS = [",", ";", "\t", "|"] as const;

/**
 * The delimiter and header row that recognize the most churn columns (the customer ID counts most), given the first
 * records of the table parsed with each candidate delimiter (`recordsFor` returns [] when a delimiter cannot parse).
 */
export function sniffHeader(recordsFor: (delimiter: string) => string[][]): Sniffed | null {
  let best: (Sniffed & { score: number }) | null = null;
  for (const delimiter of DELIMITERS) {
    recordsFor(delimiter).forEach((record, i) => {
      const mapping = mapHeader(record);
      const score = (mapping.index.has(ID_COLUMN) ? 100 : 0) + recognizedFeatureCount(mapping);
      if (!best || score > best.score) best = { delimiter, headerRecord: i, mapping, score };
    });
  }
  return best;
}

/** Splits off the first `n` lines (any line ending); returns them and the offset where line `n` starts. */
function firstLines(text: string, n: number): { lines: string[]; offsets: number[] } {
  const lines: string[] = [];
  const offsets: number[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  while (lines.length < n) {
    const m = re.exec(text);
    offsets.push(start);
    if (!m) {
      lines.push(text.slice(start));
      break;
    }
    lines.push(text.slice(start, m.index));
    start = m.index + m[0].length;
  }
  return { lines, offsets };
}

/** The first lines as records; a line that cannot be parsed (an unclosed quote) ends the read-ahead there. */
function headRecords(lines: readonly string[], delimiter: string): string[][] {
  for (let n = lines.length; n > 0; n--) {
    try {
      return parse(lines.slice(0, n).join("\n"), { ...CSV_READ_OPTIONS, delimiter });
    } catch {
      // try fewer lines
    }
  }
  return [];
}

/**
 * The header found within the first lines of `text`, with the offset in `text` where its line starts; refuses, naming
 * what is missing, text whose header is no churn table's.
 */
export function findHeader(text: string, label: string): Sniffed & { offset: number } {
  const { lines, offsets } = firstLines(text, HEADER_SEARCH_LINES);
  const found = sniffHeader((delimiter) => headRecords(lines, delimiter));
  checkChurnHeader(found?.mapping, label);
  const sniffed = found as Sniffed; // checkChurnHeader threw if no header was found
  return { ...sniffed, offset: offsets[sniffed.headerRecord] ?? 0 };
}

/** Refuses, naming what is missing, a header without a customer ID or with too few customer columns. */
export function checkChurnHeader(mapping: HeaderMapping | undefined, label: string): HeaderMapping {
  if (!mapping || !mapping.index.has(ID_COLUMN)) {
    throw new ChurnTableError(
      `${label} is not a churn table: no customer ID column (expected a header such as "customerID" or "customer_id"). ` +
        (mapping ? describeMissing(mapping) : ""),
    );
  }
  const recognized = recognizedFeatureCount(mapping);
  if (recognized < MIN_FEATURE_COLUMNS) {
    const absent = mapping.absentColumns.filter((c) => c !== LABEL_COLUMN);
    throw new ChurnTableError(
      `${label} is not a churn table: only ${recognized} of ${FEATURE_COLUMNS.length} customer columns found ` +
        `(at least ${MIN_FEATURE_COLUMNS} needed). Missing: ${absent.join(", ")}. ${describeMissing(mapping)}`,
    );
  }
  return mapping;
}

function describeMissing(mapping: HeaderMapping): string {
  const found = mapping.headers.filter((h) => h.trim() !== "").slice(0, 12);
  return `Found columns: ${found.length ? found.map((h) => JSON.stringify(h)).join(", ") : "none"}.`;
}
