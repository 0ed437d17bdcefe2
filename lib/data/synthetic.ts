// Seeded generator of realistic messy churn exports from clean IBM records, counting exactly what cleaning must find.
import { stringify } from "csv-stringify/sync";
import seedrandom from "seedrandom";
import {
  type CategoryColumn,
  type CellValue,
  type ColumnName,
  type Customer,
  type NumericColumn,
  COLUMNS,
  COLUMN_NAMES,
  ID_COLUMN,
  columnSpec,
  isNullToken,
  resolveHeader,
  valueKey,
} from "../core/schema";
import { formatNumber } from "../core/values";

export interface MessyOptions {
  seed: number;
  delimiter?: "," | ";" | "\t";
  /** Numbers written the continental way: "29,85", "1.889,50". Use with ";" or "\t". */
  decimalComma?: boolean;
  encoding?: "utf-8" | "utf-16le";
  /** Byte-order mark. Defaults to true for UTF-16LE (without it the bytes cannot be told from binary), false for UTF-8. */
  bom?: boolean;
  crlf?: boolean;
  /** A line such as "Exported from CRM 2024-05-01" before the header. */
  preamble?: boolean;
  /** Share of cells disturbed (respelled, nulled, made invalid or unknown). Default 0.05. */
  cellRate?: number;
  /** Share of customers written twice: half byte-identical copies, half re-exports with other spellings. Default 0.02. */
  duplicateRate?: number;
  /** Shuffle the column order (the cleaner maps by header, not position). Default true. */
  shuffleColumns?: boolean;
  /** Header spellings other than the IBM names ("Customer ID", "Tenure (months)", ...). Default true. */
  renameHeaders?: boolean;
}

/** How a written cell must be classified by cleaning. */
export type CellStatus = "ok" | "normalized" | "missing" | "invalid" | "unknown";

export interface ColumnCounts {
  missing: number;
  invalid: number;
  unknown: number;
  normalized: number;
}

/** Marks a cell cleaning must return as null, unless it deduced the original from the rest of the row. */
export const DISTURBED = "DISTURBED";
/** A cell's expected value, or DISTURBED (a string, so a CellValue already: compare with `=== DISTURBED` first). */
export type ExpectedCell = CellValue;

export interface MessyExpectation {
  /**
   * Per canonical column, counts over every written data row that is not set aside (duplicate copies included).
   * `missing` includes cells cleaning may later fill by deduction. For customerID, `normalized` counts respelled IDs.
   */
  columns: Record<ColumnName, ColumnCounts>;
  exactDuplicates: number;
  mergedDuplicates: number;
  setAside: number;
  /** Rows with every field empty. */
  blankRows: number;
  /** Data rows written after the header (blank and set-aside rows included). */
  inputRows: number;
  unknownColumns: string[];
  /** The header row as written. */
  headers: string[];
  /** The header each canonical column was written under. */
  headerOf: Record<ColumnName, string>;
  /** Per canonical customer ID, the value cleaning must return per column, or DISTURBED. */
  customers: Map<string, Record<ColumnName, ExpectedCell>>;
}

export interface MessyExport {
  bytes: Buffer;
  expected: MessyExpectation;
}

export type CleanRecord = Readonly<Record<string, string>>;

export const PREAMBLE = "Exported from CRM 2024-05-01";
export const EXTRA_COLUMN = "Region";
const REGIONS = ["North", "South", "East", "West", "Central", ""];

/** Header spellings per column; every one must resolve to its column (checked below). */
const HEADER_VARIANTS: Record<ColumnName, readonly string[]> = {
  customerID: ["Customer ID", "customer_id", "CustomerID", "Customer Id"],
  gender: ["Gender", "GENDER", "Sex"],
  SeniorCitizen: ["Senior Citizen", "senior_citizen", "Is Senior Citizen"],
  Partner: ["partner", "Has Partner"],
  Dependents: ["dependents", "Has Dependents"],
  tenure: ["Tenure (months)", "tenure_months", "Months of Service", "Tenure"],
  PhoneService: ["Phone Service", "phone_service"],
  MultipleLines: ["Multiple Lines", "multiple_lines"],
  InternetService: ["Internet Service", "internet_service", "Internet Type"],
  OnlineSecurity: ["Online Security", "online_security"],
  OnlineBackup: ["Online Backup", "online_backup"],
  DeviceProtection: ["Device Protection", "device_protection"],
  TechSupport: ["Tech Support", "tech_support"],
  StreamingTV: ["Streaming TV", "streaming_tv", "Streaming Television"],
  StreamingMovies: ["Streaming Movies", "streaming_movies"],
  Contract: ["contract", "Contract Type"],
  PaperlessBilling: ["Paperless Billing", "paperless_billing"],
  PaymentMethod: ["Payment Method", "payment_method"],
  MonthlyCharges: ["Monthly Charges", "monthly_charges", "Monthly Charges (USD)"],
  TotalCharges: ["TOTALCHARGES", "Total Charges", "total_charges"],
  Churn: ["churn", "Churn?", "Churned"],
};

const YES_NO: Record<string, readonly string[]> = {
  Yes: ["Y", "y", "yes", "YES", "True", "1", " Yes", "Yes "],
  No: ["N", "n", "no", "NO", "False", "0", " No", "No "],
};

/** Human spellings per column and level, beyond case and padding; every one must map to its level (checked below). */
const CATEGORY_SPELLINGS: Partial<Record<ColumnName, Record<string, readonly string[]>>> = {
  gender: { Female: ["F", "female", "FEMALE", "Woman"], Male: ["M", "male", "MALE", "Man"] },
  SeniorCitizen: { "1": ["Yes", "Y", "yes", "True"], "0": ["No", "N", "no", "False"] },
  MultipleLines: { ...YES_NO, "No phone service": ["No phone", "no phone service", "No Phone Service"] },
  InternetService: {
    DSL: ["dsl", "ADSL", " DSL"],
    "Fiber optic": ["Fibre optic", "Fiber Optic", "fiber", "FIBER OPTIC", "Fibre"],
    No: ["None", "no", "NO", "N"],
  },
  Contract: {
    "Month-to-month": ["Month to month", "month-to-month", "Monthly", "M2M", "MONTH-TO-MONTH"],
    "One year": ["1 year", "one year", "ONE YEAR", "Annual", "12 months"],
    "Two year": ["2 years", "two year", "Two years", "24 months", "TWO YEAR"],
  },
  PaymentMethod: {
    "Electronic check": ["electronic check", "Electronic cheque", "E-check", "ELECTRONIC CHECK"],
    "Mailed check": ["mailed check", "Mailed cheque", "Mail check", "MAILED CHECK"],
    "Bank transfer (automatic)": ["Bank transfer", "bank transfer", "Bank Transfer (Automatic)", "Direct debit"],
    "Credit card (automatic)": ["Credit card", "credit card", "CREDIT CARD (AUTOMATIC)", "Card"],
  },
  Churn: { Yes: [...(YES_NO["Yes"] ?? []), "Churned"], No: [...(YES_NO["No"] ?? []), "Stayed"] },
};

const ADD_ON_NO_INTERNET = ["No internet", "no internet service", "No Internet Service"];

/** Values that name no level of the column: cleaning must report them as unknown, never map them. */
const UNKNOWN_VALUES: Partial<Record<ColumnName, readonly string[]>> = {
  gender: ["X", "Non-binary"],
  Contract: ["Three year", "Lifetime", "Weekly"],
  InternetService: ["Satellite", "5G", "Cable"],
  PaymentMethod: ["Bitcoin", "PayPal", "Cash"],
  Churn: ["Pending"],
};

/** Spellings of "no value" exports use. */
const NULL_SPELLINGS = ["", "NA", "N/A", "null", "?", " ", "NULL", "n/a"];

function ownLevel(spec: CategoryColumn, text: string): string | undefined {
  const key = valueKey(text);
  return Object.hasOwn(spec.valueAliases, key) ? spec.valueAliases[key] : undefined;
}

/** Respellings per category column and level, validated against the schema's alias table. */
const RESPELLINGS: ReadonlyMap<ColumnName, ReadonlyMap<string, readonly string[]>> = (() => {
  const out = new Map<ColumnName, Map<string, string[]>>();
  for (const spec of COLUMNS) {
    if (spec.kind !== "category") continue;
    const byLevel = new Map<string, string[]>();
    for (const level of spec.levels) {
      let curated = CATEGORY_SPELLINGS[spec.name]?.[level];
      if (!curated && (level === "Yes" || level === "No")) curated = YES_NO[level];
      if (!curated && level === "No internet service") curated = ADD_ON_NO_INTERNET;
      const generic = [level.toLowerCase(), level.toUpperCase(), ` ${level}`, `${level} `, ` ${level.toLowerCase()} `];
      const spellings = [...new Set([...(curated ?? []), ...generic])].filter((s) => s !== level);
      for (const s of spellings) {
        if (isNullToken(s) || ownLevel(spec, s) !== level) {
          throw new Error(`messy: spelling ${JSON.stringify(s)} does not map to ${spec.name}=${level} in the schema`);
        }
      }
      byLevel.set(level, spellings);
    }
    out.set(spec.name, byLevel);
  }
  for (const [name, values] of Object.entries(UNKNOWN_VALUES)) {
    const spec = columnSpec(name as ColumnName);
    for (const v of values ?? []) {
      if (spec.kind !== "category" || isNullToken(v) || ownLevel(spec, v) !== undefined) {
        throw new Error(`messy: ${JSON.stringify(v)} is not an unknown value of ${name}`);
      }
    }
  }
  for (const [name, variants] of Object.entries(HEADER_VARIANTS)) {
    for (const h of variants) {
      if (resolveHeader(h) !== name) throw new Error(`messy: header ${JSON.stringify(h)} does not resolve to ${name}`);
    }
  }
  if (resolveHeader(EXTRA_COLUMN) !== undefined) throw new Error(`messy: ${EXTRA_COLUMN} must not name a churn column`);
  for (const t of NULL_SPELLINGS) if (!isNullToken(t)) throw new Error(`messy: ${JSON.stringify(t)} is not a null token`);
  return out;
})();

/** The typed value of a clean IBM cell: numbers as numbers, SeniorCitizen as 0/1, a blank as null. */
export function typedValue(record: CleanRecord, column: ColumnName): CellValue {
  const text = record[column] ?? "";
  if (text.trim() === "") return null;
  const spec = columnSpec(column);
  if (spec.kind === "number" || column === "SeniorCitizen") return Number(text);
  return text;
}

/**
 * The value a lossless cleaning returns for a clean IBM cell: its typed value, except TotalCharges 0 where the
 * file is blank and tenure is 0 (the one documented deduction the clean file needs).
 */
export function truthValue(record: CleanRecord, column: ColumnName): CellValue {
  const value = typedValue(record, column);
  if (value === null && column === "TotalCharges" && record["tenure"]?.trim() === "0") return 0;
  return value;
}

interface Cell {
  text: string;
  status: CellStatus;
}

type Rendered = Record<ColumnName, Cell>;

const IBM_ID = /^(\d{4})-([A-Z]{5})$/;

function group(digits: string, sep: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** Draws spellings and disturbances for single cells and rows from one seeded stream. */
class Speller {
  private readonly random: seedrandom.PRNG;

  constructor(
    seed: number,
    private readonly decimalComma: boolean,
  ) {
    this.random = seedrandom(`messy:${seed}`);
  }

  next(): number {
    return this.random();
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.random() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("messy: pick from an empty list");
    return item;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** Renders one record; `rate` is the chance a cell is disturbed. */
  record(record: CleanRecord, rate: number): Rendered {
    const out = {} as Rendered;
    for (const spec of COLUMNS) {
      const text = record[spec.name];
      if (text === undefined) throw new Error(`messy: record lacks column ${spec.name}`);
      if (spec.kind === "id") out[spec.name] = this.id(text, rate);
      else if (spec.kind === "number") out[spec.name] = this.number(spec, text, rate);
      else out[spec.name] = this.category(spec, text, rate);
    }
    return out;
  }

  private id(id: string, rate: number): Cell {
    if (!this.chance(rate)) return { text: id, status: "ok" };
    const m = IBM_ID.exec(id);
    const variants = [id.toLowerCase(), ` ${id}`, `${id} `, ` ${id.toLowerCase()}  `];
    if (m) variants.push(`${m[1]}${m[2]}`, `${m[1]}_${m[2]}`, `${m[1]} ${m[2]?.toLowerCase()}`);
    const text = this.pick(variants);
    return { text, status: text === id ? "ok" : "normalized" };
  }

  private category(spec: CategoryColumn, level: string, rate: number): Cell {
    if (!spec.levels.includes(level)) throw new Error(`messy: ${spec.name}=${JSON.stringify(level)} is not a clean level`);
    if (!this.chance(rate)) return { text: level, status: "ok" };
    const unknown = UNKNOWN_VALUES[spec.name];
    const r = this.next();
    if (unknown && r < 0.2) return { text: this.pick(unknown), status: "unknown" };
    if (r < 0.5) return { text: this.pick(NULL_SPELLINGS), status: "missing" };
    const text = this.pick(RESPELLINGS.get(spec.name)?.get(level) ?? [level]);
    return { text, status: text === level ? "ok" : "normalized" };
  }

  private number(spec: NumericColumn, text: string, rate: number): Cell {
    // The IBM blank TotalCharges of tenure-0 customers: always missing, only its null spelling may change.
    if (text.trim() === "") return { text: this.chance(rate) ? this.pick(NULL_SPELLINGS) : text, status: "missing" };
    if (formatNumber(Number(text)) !== text) throw new Error(`messy: ${spec.name}=${text} is not canonically formatted`);
    const [whole = "", fraction = ""] = text.split(".");
    const dec = this.decimalComma ? "," : ".";
    const plain = fraction ? `${whole}${dec}${fraction}` : whole;
    const written = (t: string): Cell => ({ text: t, status: t === text ? "ok" : "normalized" });
    if (!this.chance(rate)) return written(plain);
    const r = this.next();
    if (r < 0.2) return { text: this.pick(this.invalidNumbers(spec.name, whole, plain)), status: "invalid" };
    if (r < 0.45) return { text: this.pick(NULL_SPELLINGS), status: "missing" };
    return written(this.pick(this.numberSpellings(spec.name, whole, fraction, plain)));
  }

  /**
   * Same value, other spellings, padding included. Under decimal commas a whole number of thousands is written
   * "1.889": the cleaner must read the file's convention to see 1889 there.
   */
  private numberSpellings(column: ColumnName, whole: string, fraction: string, plain: string): string[] {
    const dec = this.decimalComma ? "," : ".";
    if (column === "tenure") return [`${plain} months`, `${plain} mos`, `${whole}${dec}0`, `${plain} Months`, ` ${plain}`];
    const cents = `${whole}${dec}${`${fraction}00`.slice(0, 2)}`;
    const groupedCents = `${group(whole, this.decimalComma ? "." : ",")}${dec}${`${fraction}00`.slice(0, 2)}`;
    const out = this.decimalComma
      ? [`${plain} €`, `€${plain}`, `${plain} EUR`, cents, `EUR ${cents}`]
      : [`$${plain}`, `${plain} USD`, `USD ${plain}`, cents, `$ ${cents}`];
    out.push(`${plain} `);
    if (whole.length > 3) {
      out.push(groupedCents, this.decimalComma ? `${groupedCents} €` : `$${groupedCents}`);
      if (!fraction) out.push(group(whole, this.decimalComma ? "." : ","));
    }
    return out;
  }

  private invalidNumbers(column: ColumnName, whole: string, plain: string): string[] {
    const dec = this.decimalComma ? "," : ".";
    switch (column) {
      case "tenure":
        return [`-${whole === "0" ? "1" : whole}`, `${whole}${dec}5`, "999", "#VALUE!"];
      case "MonthlyCharges":
        return ["0", `0${dec}00`, "99999", `-${plain}`];
      default:
        return [`-${plain}`, "99999", "#VALUE!"];
    }
  }
}

function emptyCounts(): Record<ColumnName, ColumnCounts> {
  return Object.fromEntries(
    COLUMN_NAMES.map((c) => [c, { missing: 0, invalid: 0, unknown: 0, normalized: 0 }]),
  ) as Record<ColumnName, ColumnCounts>;
}

function expectedCustomer(record: CleanRecord, copies: readonly Rendered[]): Record<ColumnName, ExpectedCell> {
  const kept = (c: ColumnName): boolean => copies.some((r) => r[c].status === "ok" || r[c].status === "normalized");
  const out = {} as Record<ColumnName, ExpectedCell>;
  for (const column of COLUMN_NAMES) out[column] = kept(column) ? typedValue(record, column) : DISTURBED;
  // The blank TotalCharges of a tenure-0 customer is deduced as 0 as soon as one copy keeps its tenure.
  if (typedValue(record, "TotalCharges") === null) {
    out.TotalCharges = kept("tenure") ? truthValue(record, "TotalCharges") : DISTURBED;
  }
  return out;
}

/** One messy record keyed by messy header spellings (with an unknown extra field), as an API might receive it. */
export function makeMessyRecord(
  record: CleanRecord,
  options: { seed: number; cellRate?: number; decimalComma?: boolean },
): {
  fields: Record<string, string>;
  statuses: Record<ColumnName, CellStatus>;
  expected: Record<ColumnName, ExpectedCell>;
} {
  const speller = new Speller(options.seed, options.decimalComma ?? false);
  const rendered = speller.record(record, options.cellRate ?? 0.3);
  const fields: Record<string, string> = {};
  const statuses = {} as Record<ColumnName, CellStatus>;
  for (const column of speller.shuffle([...COLUMN_NAMES])) {
    fields[speller.pick(HEADER_VARIANTS[column])] = rendered[column].text;
    statuses[column] = rendered[column].status;
  }
  fields[EXTRA_COLUMN] = speller.pick(REGIONS);
  return { fields, statuses, expected: expectedCustomer(record, [rendered]) };
}

/** A header slot: a canonical column or the unknown extra column. */
type Slot = ColumnName | typeof EXTRA_COLUMN;

/** The export's settings, defaults filled in. */
interface ExportSettings {
  delimiter: "," | ";" | "\t";
  decimalComma: boolean;
  encoding: "utf-8" | "utf-16le";
  bom: boolean;
  cellRate: number;
  duplicateRate: number;
}

/** The header as drawn: the slot order, the header cell written per slot, and the header of each canonical column. */
interface Layout {
  order: Slot[];
  headers: string[];
  headerOf: Record<ColumnName, string>;
}

/** One written data row that counts as a customer row (originals and duplicates, not the set-aside rows). */
interface Written {
  id: string;
  fields: string[];
  rendered: Rendered;
}

/** What every drawing stage after the header shares: the seeded stream, the slot order, the records by ID. */
interface Draw {
  speller: Speller;
  order: readonly Slot[];
  byId: ReadonlyMap<string, CleanRecord>;
  cellRate: number;
}

/** Fills in the option defaults; decimal commas need a delimiter other than the comma. */
function exportSettings(options: MessyOptions): ExportSettings {
  const delimiter = options.delimiter ?? ",";
  const decimalComma = options.decimalComma ?? false;
  if (decimalComma && delimiter === ",") throw new Error("messy: decimal commas need a ';' or tab delimiter");
  const encoding = options.encoding ?? "utf-8";
  const bom = options.bom ?? encoding === "utf-16le";
  return { delimiter, decimalComma, encoding, bom, cellRate: options.cellRate ?? 0.05, duplicateRate: options.duplicateRate ?? 0.02 };
}

/** Draws the header: renamed spellings, an unknown extra column, optionally shuffled. */
function drawHeader(speller: Speller, options: MessyOptions): Layout {
  const order: Slot[] = [...COLUMN_NAMES];
  if (options.shuffleColumns ?? true) speller.shuffle(order);
  order.splice(1 + speller.int(order.length), 0, EXTRA_COLUMN);
  const rename = options.renameHeaders ?? true;
  const headers = order.map((c) => {
    if (c === EXTRA_COLUMN) return EXTRA_COLUMN;
    return rename && speller.chance(0.7) ? speller.pick(HEADER_VARIANTS[c]) : c;
  });
  const headerOf = Object.fromEntries(COLUMN_NAMES.map((c) => [c, headers[order.indexOf(c)] ?? ""])) as Record<
    ColumnName,
    string
  >;
  return { order, headers, headerOf };
}

/** A rendered record as the fields of a row in header order, drawing the extra column's value. */
function rowFields(speller: Speller, order: readonly Slot[], r: Rendered): string[] {
  return order.map((c) => (c === EXTRA_COLUMN ? speller.pick(REGIONS) : r[c].text));
}

/** The clean record of a customer ID that was written. */
function recordOf(byId: ReadonlyMap<string, CleanRecord>, id: string): CleanRecord {
  const record = byId.get(id);
  if (!record) throw new Error(`messy: no record for ${id}`);
  return record;
}

/** Renders and writes every clean record once, in input order; a customer ID appearing twice is refused. */
function writeOriginals(
  records: readonly CleanRecord[],
  speller: Speller,
  order: readonly Slot[],
  cellRate: number,
): { originals: Written[]; byId: Map<string, CleanRecord> } {
  const originals: Written[] = [];
  const byId = new Map<string, CleanRecord>();
  for (const record of records) {
    const id = record[ID_COLUMN] ?? "";
    if (byId.has(id)) throw new Error(`messy: customer ${id} appears twice in the clean records`);
    byId.set(id, record);
    const rendered = speller.record(record, cellRate);
    originals.push({ id, fields: rowFields(speller, order, rendered), rendered });
  }
  return { originals, byId };
}

/** Draws `copies` byte-identical copies, `copies` re-exports with their own spellings, and two re-exports with a field left blank. */
function writeDuplicates({ speller, order, byId, cellRate }: Draw, originals: readonly Written[], copies: number): Written[] {
  const out: Written[] = [];
  // Byte-identical copies of written rows.
  for (let i = 0; i < copies; i++) out.push({ ...speller.pick(originals) });
  // Re-exports: the same customer written again with its own spellings.
  for (let i = 0; i < copies; i++) {
    const { id } = speller.pick(originals);
    const rendered = speller.record(recordOf(byId, id), Math.max(cellRate, 0.3));
    out.push({ id, fields: rowFields(speller, order, rendered), rendered });
  }
  // Re-exports identical but for one field left blank: merging must fill it from the other copy.
  for (let i = 0; i < 2; i++) {
    const source = speller.pick(originals);
    const candidates = COLUMN_NAMES.filter((c) => c !== ID_COLUMN && source.rendered[c].status !== "missing");
    const column = speller.pick(candidates);
    const rendered: Rendered = { ...source.rendered, [column]: { text: "", status: "missing" } };
    const fields = [...source.fields];
    fields[order.indexOf(column)] = "";
    out.push({ id: source.id, fields, rendered });
  }
  return out;
}

/** Draws the rows cleaning must set aside (no ID; more non-empty fields than the header) and one blank row. */
function setAsideRows({ speller, order, byId, cellRate }: Draw, originals: readonly Written[]): string[][] {
  const noId = rowFields(speller, order, speller.record(recordOf(byId, speller.pick(originals).id), cellRate));
  noId[order.indexOf(ID_COLUMN)] = "";
  const tooLong = [...rowFields(speller, order, speller.record(recordOf(byId, speller.pick(originals).id), cellRate)), "unexpected"];
  const blank = order.map(() => "");
  return [noId, tooLong, blank];
}

/** Bookkeeping per written row: counts per column, duplicates per customer, and each customer's expected cells. */
function countWritten(
  counted: readonly Written[],
  byId: ReadonlyMap<string, CleanRecord>,
): Pick<MessyExpectation, "columns" | "exactDuplicates" | "mergedDuplicates" | "customers"> {
  const columns = emptyCounts();
  const byCustomer = new Map<string, Written[]>();
  for (const w of counted) {
    for (const column of COLUMN_NAMES) {
      const { status } = w.rendered[column];
      if (status !== "ok") columns[column][status]++;
    }
    const list = byCustomer.get(w.id);
    if (list) list.push(w);
    else byCustomer.set(w.id, [w]);
  }
  let exactDuplicates = 0;
  let mergedDuplicates = 0;
  const customers = new Map<string, Record<ColumnName, ExpectedCell>>();
  for (const [id, list] of byCustomer) {
    const distinct = new Set(list.map((w) => JSON.stringify(w.fields))).size;
    exactDuplicates += list.length - distinct;
    mergedDuplicates += distinct - 1;
    customers.set(id, expectedCustomer(recordOf(byId, id), list.map((w) => w.rendered)));
  }
  return { columns, exactDuplicates, mergedDuplicates, customers };
}

/** The file's bytes: optional preamble, header and rows as CSV, in the chosen encoding with the chosen mark. */
function encodeExport(settings: ExportSettings, options: MessyOptions, headers: readonly string[], rows: readonly string[][]): Buffer {
  const text = stringify([...(options.preamble ? [[PREAMBLE]] : []), headers, ...rows], {
    delimiter: settings.delimiter,
    record_delimiter: options.crlf ? "windows" : "unix",
  });
  const body = Buffer.from(text, settings.encoding === "utf-16le" ? "utf16le" : "utf8");
  const mark = !settings.bom ? [] : settings.encoding === "utf-16le" ? [0xff, 0xfe] : [0xef, 0xbb, 0xbf];
  return Buffer.concat([Buffer.from(mark), body]);
}

/**
 * Writes the clean IBM records (parsed with `columns: true`) as a messy export and says what cleaning must find.
 * Every stage draws from one seeded stream, in this order: header, originals, duplicates, set-aside rows, row order;
 * reordering the stages changes every export generated from a seed.
 */
export function makeMessyExport(records: readonly CleanRecord[], options: MessyOptions): MessyExport {
  const settings = exportSettings(options);
  const speller = new Speller(options.seed, settings.decimalComma);
  const { order, headers, headerOf } = drawHeader(speller, options);
  const { originals, byId } = writeOriginals(records, speller, order, settings.cellRate);
  const draw: Draw = { speller, order, byId, cellRate: settings.cellRate };
  const copies = Math.max(2, Math.round((records.length * settings.duplicateRate) / 2));
  const counted = [...originals, ...writeDuplicates(draw, originals, copies)];
  const extra = setAsideRows(draw, originals);
  const { columns, exactDuplicates, mergedDuplicates, customers } = countWritten(counted, byId);
  const rows = speller.shuffle([...counted.map((w) => w.fields), ...extra]);
  return {
    bytes: encodeExport(settings, options, headers, rows),
    expected: {
      columns,
      exactDuplicates,
      mergedDuplicates,
      setAside: 2,
      blankRows: 1,
      inputRows: rows.length,
      unknownColumns: [EXTRA_COLUMN],
      headers,
      headerOf,
      customers,
    },
  };
}

export interface CleaningScore {
  customersExpected: number;
  customersFound: number;
  /** Cells cleaning had to return exactly (not disturbed). */
  cellsChecked: number;
  /** Disturbed cells (null token, impossible or unknown value written). */
  disturbed: number;
  /** Disturbed cells cleaning restored to the original by deduction from the row. */
  disturbedRecovered: number;
  /** Human-readable disagreements; empty when cleaning did exactly what the generator expects. */
  wrong: string[];
}

/** Compares cleaned customers with a generated export's expectation, cell by cell. */
export function scoreCleaning(
  customers: readonly Customer[],
  expected: MessyExpectation,
  truth: ReadonlyMap<string, CleanRecord>,
): CleaningScore {
  const wrong: string[] = [];
  const found = new Set(customers.map((c) => c.customerID));
  for (const id of expected.customers.keys()) if (!found.has(id)) wrong.push(`${id}: customer lost`);
  let cellsChecked = 0;
  let disturbed = 0;
  let disturbedRecovered = 0;
  const same = (a: CellValue, b: CellValue): boolean =>
    typeof a === "number" && typeof b === "number" ? Math.abs(a - b) < 1e-9 : a === b;
  const show = (v: unknown): string => (typeof v === "function" ? "<function>" : JSON.stringify(v));
  for (const customer of customers) {
    const want = expected.customers.get(customer.customerID);
    const record = truth.get(customer.customerID);
    if (!want || !record) {
      wrong.push(`${customer.customerID}: not a customer of the export`);
      continue;
    }
    for (const column of COLUMN_NAMES) {
      const value = customer[column];
      const w = want[column];
      if (w === DISTURBED) {
        disturbed++;
        if (value === null) continue;
        if (same(value, truthValue(record, column))) disturbedRecovered++;
        else wrong.push(`${customer.customerID}.${column}: disturbed cell became ${show(value)}`);
      } else {
        cellsChecked++;
        if (value === null || !same(value, w)) wrong.push(`${customer.customerID}.${column}: ${show(value)} != ${show(w)}`);
      }
    }
  }
  return {
    customersExpected: expected.customers.size,
    customersFound: customers.length,
    cellsChecked,
    disturbed,
    disturbedRecovered,
    wrong,
  };
}
