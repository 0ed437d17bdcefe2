// Turns any realistic churn export (CSV text) into one validated row per customer plus a data-quality report.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import {
  COLUMNS,
  COLUMN_NAMES,
  type CellValue,
  type ColumnName,
  type Customer,
  ID_COLUMN,
  LABEL_COLUMN,
  resolveHeader,
} from "../core/schema";
import {
  type DecimalSeparator,
  type InvalidReason,
  type ValueOutcome,
  canonicalCustomerId,
  canonicalizeValue,
  detectDecimalSeparator,
  formatNumber,
  isStandardCustomerId,
} from "../core/values";
import { churnerCount } from "../core/labels";
import {
  CSV_READ_OPTIONS,
  ChurnTableError,
  type DecodedText,
  type LineEndings,
  type TextEncoding,
  decodeTable,
  lineEndings,
} from "./decoding";
import { type HeaderMapping, findHeader } from "./header";
import { type Reconciliation, type Row, emptyRow, reconcileRow } from "./record";

const EXAMPLES_KEPT = 20;

/** The rules cleaning applies, stated once so the report, README and notebooks quote the same text. */
export const CLEANING_RULES: readonly string[] = [
  "Headers are matched to IBM column names ignoring case, spacing and punctuation, plus known aliases and unit suffixes; unknown columns are ignored and listed.",
  "Null tokens (blank, NA, N/A, null, ?, unknown, ...) become missing.",
  "Category values are matched ignoring case, spacing and punctuation against an explicit alias table; anything else is reported as unknown and set missing, never guessed.",
  "Numbers accept currency symbols and codes, unit suffixes, thousands separators and decimal commas; '1,234' (one comma, three digits) is read as thousands.",
  "Impossible values are set missing and counted: tenure outside 0-600 months or fractional, MonthlyCharges not in (0, 1000], TotalCharges outside [0, 600000], and sentinel codes such as 999 or 99999.",
  "Values implied by the row itself are filled and counted as deduced: PhoneService from MultipleLines, InternetService = No when add-ons say 'No internet service', 'No internet service'/'No phone service' where the service is absent, TotalCharges = 0 when tenure is 0 (nothing billed yet).",
  "Contradictory combinations (e.g. no internet service but an add-on) are kept as given and counted; the API flags them.",
  "Customer IDs are trimmed, upper-cased and their separators unified; rows without an ID, with more fields than the header, or repeating the header line are set aside with a reason, never dropped silently.",
  "Copies of a customer are merged: byte-identical rows count as exact duplicates; other copies are merged field by field, a value missing in one copy is taken from another, and when copies disagree the last copy in the file (the latest export) wins; a conflicting label becomes missing.",
  "Rows whose label is missing, unknown or conflicting stay in the table, unlabeled, and are kept out of training.",
  "Cleaning never imputes: missing values stay empty; imputation is learned on training rows only.",
];

export interface ColumnQuality {
  /** The header this column was read from, or null when the export lacks it. */
  sourceHeader: string | null;
  missing: number;
  normalized: number;
  invalid: number;
  unknown: number;
  deduced: number;
  invalidReasons: Partial<Record<InvalidReason, number>>;
  invalidExamples: Record<string, number>;
  unknownValues: Record<string, number>;
}

export interface SetAsideRow {
  /** 1-based record number in the file, header and preamble included: the line number unless quoted fields span lines. */
  line: number;
  reason: string;
  raw: string[];
}

export interface QualityReport {
  schemaVersion: 1;
  source: {
    file: string | null;
    sha256: string;
    bytes: number;
    encoding: TextEncoding;
    byteOrderMark: boolean;
    lineEndings: LineEndings;
    delimiter: string;
    decimalSeparator: DecimalSeparator;
    headerLine: number;
    preambleLines: number;
  };
  rows: {
    input: number;
    blank: number;
    setAside: number;
    exactDuplicates: number;
    mergedDuplicates: number;
    output: number;
    paddedShortRows: number;
    trimmedTrailingFields: number;
  };
  customers: {
    total: number;
    labeled: number;
    unlabeled: number;
    unlabeledBecause: { missing: number; unknown: number; conflicting: number };
    churners: number;
    churnRate: number | null;
    nonStandardIds: number;
    normalizedIds: number;
  };
  duplicates: {
    customersWithCopies: number;
    exactCopies: number;
    mergedCopies: number;
    conflicts: Partial<Record<ColumnName, number>>;
    conflictExamples: string[];
  };
  columns: Record<ColumnName, ColumnQuality>;
  unknownColumns: string[];
  absentColumns: ColumnName[];
  repeatedColumns: string[];
  inconsistencies: Record<string, number>;
  setAside: SetAsideRow[];
  rules: readonly string[];
}

export interface CleanResult {
  customers: Customer[];
  report: QualityReport;
}

function emptyQuality(sourceHeader: string | null): ColumnQuality {
  return {
    sourceHeader,
    missing: 0,
    normalized: 0,
    invalid: 0,
    unknown: 0,
    deduced: 0,
    invalidReasons: {},
    invalidExamples: {},
    unknownValues: {},
  };
}

function bump(map: Record<string, number>, key: string, limit = EXAMPLES_KEPT): void {
  if (key in map || Object.keys(map).length < limit) map[key] = (map[key] ?? 0) + 1;
}

export interface CleanOptions {
  /** Shown in error messages and the report (the path the text came from). */
  source?: string;
  /** False to skip row-level deductions, e.g. when reading back a table that was already cleaned. */
  deduce?: boolean;
}

const NOTHING_RECONCILED: Reconciliation = { deduced: [], respelled: [] };

/** An export read as text and records, with its header resolved to canonical columns. */
export interface ParsedExport {
  decoded: DecodedText;
  delimiter: string;
  /** Index in `records` of the header row (earlier rows are a preamble). */
  headerRecord: number;
  mapping: HeaderMapping;
  records: string[][];
  /** The file's decimal convention, read from its numeric columns. */
  decimalSeparator: DecimalSeparator;
}

/** Decodes, sniffs and parses an export; refuses, naming what is missing, anything that is not a churn table. */
export function parseExport(bytes: Buffer, label = "the input"): ParsedExport {
  const decoded = decodeTable(bytes, label);
  const sniffed = findHeader(decoded.text, label);
  const { mapping } = sniffed;
  let records: string[][];
  try {
    records = parse(decoded.text, { ...CSV_READ_OPTIONS, delimiter: sniffed.delimiter });
  } catch (err) {
    throw new ChurnTableError(`${label} could not be parsed as CSV: ${(err as Error).message}`);
  }
  const numericCells = function* (): Generator<string> {
    for (const spec of COLUMNS) {
      const i = mapping.index.get(spec.name);
      if (spec.kind !== "number" || i === undefined) continue;
      for (let r = sniffed.headerRecord + 1; r < records.length; r++) yield records[r]?.[i] ?? "";
    }
  };
  const decimalSeparator = detectDecimalSeparator(numericCells());
  return { decoded, delimiter: sniffed.delimiter, headerRecord: sniffed.headerRecord, mapping, records, decimalSeparator };
}

/** Cleans an export given as bytes (any encoding handled by `decodeTable`). */
export function cleanBytes(bytes: Buffer, options: CleanOptions = {}): CleanResult {
  const parsed = parseExport(bytes, options.source ?? "the input");
  const read = readRows(parsed, options);
  const merged = mergeCopies(read.copiesById);
  const { decoded, delimiter, headerRecord, mapping, decimalSeparator } = parsed;
  const { customers } = merged;
  const labeled = customers.filter((c) => c.Churn !== null).length;
  const churners = churnerCount(customers);
  const report: QualityReport = {
    schemaVersion: 1,
    source: {
      file: options.source ?? null,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      bytes: bytes.length,
      encoding: decoded.encoding,
      byteOrderMark: decoded.byteOrderMark,
      lineEndings: lineEndings(decoded.text),
      delimiter,
      decimalSeparator,
      headerLine: headerRecord + 1,
      preambleLines: headerRecord,
    },
    rows: {
      input: read.input,
      blank: read.blank,
      setAside: read.setAside.length,
      exactDuplicates: merged.exactCopies,
      mergedDuplicates: merged.mergedCopies,
      output: customers.length,
      paddedShortRows: read.paddedShortRows,
      trimmedTrailingFields: read.trimmedTrailingFields,
    },
    customers: {
      total: customers.length,
      labeled,
      unlabeled: customers.length - labeled,
      unlabeledBecause: merged.unlabeledBecause,
      churners,
      churnRate: labeled > 0 ? churners / labeled : null,
      nonStandardIds: merged.nonStandardIds,
      normalizedIds: read.normalizedIds,
    },
    duplicates: {
      customersWithCopies: merged.customersWithCopies,
      exactCopies: merged.exactCopies,
      mergedCopies: merged.mergedCopies,
      conflicts: merged.conflicts,
      conflictExamples: merged.conflictExamples,
    },
    columns: read.columns,
    unknownColumns: mapping.unknownColumns,
    absentColumns: mapping.absentColumns,
    repeatedColumns: mapping.repeatedColumns,
    inconsistencies: read.inconsistencies,
    setAside: read.setAside,
    rules: CLEANING_RULES,
  };
  return { customers, report };
}

/** One input row's canonical values, with the label's own outcome (a merge needs to know why a label is missing). */
interface Copy {
  raw: string;
  row: Row;
  labelStatus: ValueOutcome["status"];
}

/** What reading the rows found: every customer's copies, the per-column quality, the rows set aside and the counts. */
interface ReadRows {
  copiesById: Map<string, Copy[]>;
  columns: Record<ColumnName, ColumnQuality>;
  inconsistencies: Record<string, number>;
  setAside: SetAsideRow[];
  input: number;
  blank: number;
  paddedShortRows: number;
  trimmedTrailingFields: number;
  normalizedIds: number;
}

/** Each data row: aligned to the header or set aside, its ID canonicalized, its values canonicalized and reconciled. */
function readRows(parsed: ReturnType<typeof parseExport>, options: CleanOptions): ReadRows {
  const { mapping, records, headerRecord, decimalSeparator } = parsed;
  const out: ReadRows = {
    copiesById: new Map(),
    columns: Object.fromEntries(
      COLUMNS.map((c) => {
        const i = mapping.index.get(c.name);
        return [c.name, emptyQuality(i === undefined ? null : (mapping.headers[i] ?? null))];
      }),
    ) as Record<ColumnName, ColumnQuality>,
    inconsistencies: {},
    setAside: [],
    input: 0,
    blank: 0,
    paddedShortRows: 0,
    trimmedTrailingFields: 0,
    normalizedIds: 0,
  };
  for (let r = headerRecord + 1; r < records.length; r++) {
    out.input++;
    const aligned = alignRow(records[r] ?? [], r + 1, mapping, out);
    if (!aligned) continue;
    const { fields, id } = aligned;
    const { row, labelStatus, missingNow } = canonicalRow(fields, id, mapping, decimalSeparator, out.columns);
    const { deduced, respelled } =
      options.deduce === false ? NOTHING_RECONCILED : reconcileRow(row, (c) => missingNow.has(c), out.inconsistencies);
    for (const c of deduced) {
      out.columns[c].deduced++;
      out.columns[c].missing--;
    }
    for (const c of respelled) out.columns[c].normalized++;
    const copy: Copy = { raw: fields.join("\u0000"), row, labelStatus };
    const copies = out.copiesById.get(id);
    if (copies) copies.push(copy);
    else out.copiesById.set(id, [copy]);
  }
  return out;
}

/**
 * A row's fields fitted to the header's width, and its canonical customer ID; null for a blank row or one set aside
 * (more non-empty fields than the header, a repeated header line, no ID), counted in `out`.
 */
function alignRow(raw: string[], line: number, mapping: HeaderMapping, out: ReadRows): { fields: string[]; id: string } | null {
  let fields = raw;
  const width = mapping.headers.length;
  if (fields.every((f) => f.trim() === "")) {
    out.blank++;
    return null;
  }
  if (fields.length > width) {
    if (!fields.slice(width).every((f) => f.trim() === "")) {
      out.setAside.push({ line, reason: `${fields.length} fields where the header has ${width}`, raw: fields });
      return null;
    }
    fields = fields.slice(0, width);
    out.trimmedTrailingFields++;
  } else if (fields.length < width) {
    out.paddedShortRows++;
  }
  const rawId = fields[mapping.index.get(ID_COLUMN) ?? 0] ?? "";
  if (resolveHeader(rawId) === ID_COLUMN) {
    // Concatenated exports repeat their header line; it is not a customer.
    out.setAside.push({ line, reason: "repeated header line", raw: fields });
    return null;
  }
  const id = canonicalCustomerId(rawId);
  if (id === null) {
    out.setAside.push({ line, reason: "no customer ID", raw: fields });
    return null;
  }
  if (id !== rawId) out.normalizedIds++;
  return { fields, id };
}

/** Every column's canonical value for one row, counted into the column's quality. */
function canonicalRow(
  fields: readonly string[],
  id: string,
  mapping: HeaderMapping,
  decimalSeparator: DecimalSeparator,
  columns: Record<ColumnName, ColumnQuality>,
): { row: Row; labelStatus: ValueOutcome["status"]; missingNow: Set<ColumnName> } {
  const row = emptyRow();
  row.customerID = id;
  let labelStatus: ValueOutcome["status"] = "missing";
  const missingNow = new Set<ColumnName>();
  for (const spec of COLUMNS) {
    if (spec.kind === "id") continue;
    const i = mapping.index.get(spec.name);
    const q = columns[spec.name];
    if (i === undefined) {
      q.missing++;
      missingNow.add(spec.name);
      continue;
    }
    const raw = fields[i] ?? "";
    const outcome = canonicalizeValue(spec, raw, decimalSeparator);
    row[spec.name] = outcome.value;
    if (spec.name === LABEL_COLUMN) labelStatus = outcome.status;
    if (outcome.status === "missing") {
      q.missing++;
      missingNow.add(spec.name);
    } else if (outcome.status === "normalized") q.normalized++;
    else if (outcome.status === "invalid") {
      q.invalid++;
      if (outcome.reason) q.invalidReasons[outcome.reason] = (q.invalidReasons[outcome.reason] ?? 0) + 1;
      bump(q.invalidExamples, raw.trim());
    } else if (outcome.status === "unknown") {
      q.unknown++;
      bump(q.unknownValues, raw.trim());
    }
  }
  return { row, labelStatus, missingNow };
}

/**
 * One customer per canonical ID: exact copies dropped, re-exported copies merged with the last copy winning, a
 * conflicting label leaving the customer unlabeled; with the counts the quality report gives.
 */
function mergeCopies(copiesById: Map<string, Copy[]>) {
  const out = {
    customers: [] as Customer[],
    conflicts: {} as Partial<Record<ColumnName, number>>,
    conflictExamples: [] as string[],
    exactCopies: 0,
    mergedCopies: 0,
    customersWithCopies: 0,
    nonStandardIds: 0,
    unlabeledBecause: { missing: 0, unknown: 0, conflicting: 0 },
  };
  for (const [id, copies] of copiesById) {
    if (!isStandardCustomerId(id)) out.nonStandardIds++;
    const distinct: Copy[] = [];
    const seen = new Set<string>();
    for (const copy of copies) {
      if (seen.has(copy.raw)) out.exactCopies++;
      else {
        seen.add(copy.raw);
        distinct.push(copy);
      }
    }
    if (copies.length > 1) out.customersWithCopies++;
    out.mergedCopies += distinct.length - 1;
    const merged = emptyRow();
    let labelConflict = false;
    for (const column of COLUMN_NAMES) {
      const values = distinct.map((c) => c.row[column]).filter((v): v is string | number => v !== null);
      if (values.length === 0) continue;
      const last = values[values.length - 1] ?? null;
      if (values.some((v) => v !== last)) {
        out.conflicts[column] = (out.conflicts[column] ?? 0) + 1;
        if (out.conflictExamples.length < EXAMPLES_KEPT && !out.conflictExamples.includes(id)) out.conflictExamples.push(id);
        if (column === LABEL_COLUMN) {
          labelConflict = true;
          continue;
        }
      }
      merged[column] = last;
    }
    if (merged.Churn === null) {
      if (labelConflict) out.unlabeledBecause.conflicting++;
      else if (distinct.some((c) => c.labelStatus === "unknown")) out.unlabeledBecause.unknown++;
      else out.unlabeledBecause.missing++;
    }
    out.customers.push(merged as unknown as Customer);
  }
  return out;
}

/** The cleaned table as CSV text in IBM column order, empty cells where values are missing. */
export function customersToRecords(customers: readonly Customer[]): string[][] {
  return customers.map((c) => COLUMN_NAMES.map((name) => formatCell(c[name])));
}

function formatCell(value: CellValue): string {
  if (value === null) return "";
  return typeof value === "number" ? formatNumber(value) : value;
}

/** Reads and cleans a CSV file; a missing or unreadable file is a ChurnTableError naming the path. */
export function cleanFile(path: string, options: Omit<CleanOptions, "source"> = {}): CleanResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ChurnTableError(code === "ENOENT" ? `no such file: ${path}` : `cannot read ${path}: ${(err as Error).message}`);
  }
  return cleanBytes(bytes, { ...options, source: path });
}

export interface CleanOutputs {
  cleaned: string;
  report: string;
  setAside: string | null;
}

/** Writes cleaned.csv, quality-report.json and, when rows were set aside, set-aside.csv into `outDir`. */
export function writeCleanOutputs(result: CleanResult, outDir: string): CleanOutputs {
  mkdirSync(outDir, { recursive: true });
  const cleaned = join(outDir, "cleaned.csv");
  const report = join(outDir, "quality-report.json");
  writeFileSync(cleaned, stringify(customersToRecords(result.customers), { header: true, columns: [...COLUMN_NAMES] }));
  writeFileSync(report, `${JSON.stringify(result.report, null, 2)}\n`);
  let setAside: string | null = null;
  if (result.report.setAside.length > 0) {
    setAside = join(outDir, "set-aside.csv");
    const rows = result.report.setAside.map((r) => [String(r.line), r.reason, ...r.raw]);
    writeFileSync(setAside, stringify([["line", "reason", "fields"], ...rows]));
  }
  return { cleaned, report, setAside };
}

/** Reads a cleaned.csv written by `writeCleanOutputs` back into typed rows. */
export function readCleanedCsv(path: string): Customer[] {
  return cleanFile(path, { deduce: false }).customers;
}
