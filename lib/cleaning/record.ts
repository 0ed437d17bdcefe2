// One record: a row's canonical values reconciled with what the row itself implies, and the API's per-record cleaning
// (a request body by field name) with the file's rules.
import { type CellValue, type ColumnName, type Customer, INTERNET_ADD_ONS, columnSpec, resolveHeader } from "../core/schema";
import { type ValueOutcome, canonicalizeValue, valueText } from "../core/values";

/** A customer's values by canonical column while it is being cleaned (null: missing). */
export type Row = Record<ColumnName, CellValue>;

/** A row with every column missing. */
export function emptyRow(): Row {
  return {
    customerID: null,
    gender: null,
    SeniorCitizen: null,
    Partner: null,
    Dependents: null,
    tenure: null,
    PhoneService: null,
    MultipleLines: null,
    InternetService: null,
    OnlineSecurity: null,
    OnlineBackup: null,
    DeviceProtection: null,
    TechSupport: null,
    StreamingTV: null,
    StreamingMovies: null,
    Contract: null,
    PaperlessBilling: null,
    PaymentMethod: null,
    MonthlyCharges: null,
    TotalCharges: null,
    Churn: null,
  } satisfies Row;
}

/** What `reconcileRow` changed: values filled because the row implies them, and "No" answers respelled the IBM way. */
export interface Reconciliation {
  deduced: ColumnName[];
  respelled: ColumnName[];
}

/**
 * Fills values the row itself implies (never statistics) and puts "No" answers for absent services in IBM spelling.
 * Only values that were missing (`isMissing`) are filled: an unknown or invalid value is never replaced.
 * Contradictions are left as given and counted in `inconsistencies`.
 */
export function reconcileRow(
  row: Row,
  isMissing: (column: ColumnName) => boolean,
  inconsistencies?: Record<string, number>,
): Reconciliation {
  const deduced: ColumnName[] = [];
  const respelled: ColumnName[] = [];
  const note = (rule: string): void => {
    if (inconsistencies) inconsistencies[rule] = (inconsistencies[rule] ?? 0) + 1;
  };
  const fill = (column: ColumnName, value: CellValue): void => {
    if (row[column] === null && isMissing(column)) {
      row[column] = value;
      deduced.push(column);
    }
  };
  const lines = row.MultipleLines;
  if (lines !== null) fill("PhoneService", lines === "No phone service" ? "No" : "Yes");
  if (row.PhoneService === "No") {
    if (row.MultipleLines === "No") {
      row.MultipleLines = "No phone service";
      respelled.push("MultipleLines");
    } else if (row.MultipleLines === "Yes") note("MultipleLines=Yes without PhoneService");
    fill("MultipleLines", "No phone service");
  } else if (row.PhoneService === "Yes" && lines === "No phone service") {
    note("PhoneService=Yes but MultipleLines='No phone service'");
  }
  const addOns = INTERNET_ADD_ONS.map((c) => row[c]).filter((v) => v !== null);
  if (addOns.length > 0 && addOns.every((v) => v === "No internet service")) fill("InternetService", "No");
  for (const c of INTERNET_ADD_ONS) {
    const v = row[c];
    if (row.InternetService === "No") {
      if (v === "No") {
        row[c] = "No internet service";
        respelled.push(c);
      } else if (v === "Yes") note(`${c}=Yes without InternetService`);
      fill(c, "No internet service");
    } else if (row.InternetService !== null && v === "No internet service") {
      note(`${c}='No internet service' but InternetService=${String(row.InternetService)}`);
    }
  }
  if (row.tenure === 0) {
    if (row.TotalCharges !== null && row.TotalCharges !== 0) note("TotalCharges>0 at tenure 0");
    fill("TotalCharges", 0);
  } else if (row.tenure !== null && row.TotalCharges === 0) {
    note("TotalCharges=0 after tenure>0");
  }
  return { deduced, respelled };
}

/**
 * Memo of per-record cleaning, for the API and batch paths where the same header spellings and most values repeat:
 * header -> column and (column, raw value) -> outcome. Both are pure functions of their keys; each cache is cleared
 * when it reaches CLEAN_CACHE_LIMIT entries, so memory stays bounded whatever the input.
 */
const CLEAN_CACHE_LIMIT = 10_000;
const headerCache = new Map<string, ColumnName | null>();
const valueCache = new Map<string, ValueOutcome>();

function cachedHeader(key: string): ColumnName | undefined {
  let column = headerCache.get(key);
  if (column === undefined) {
    if (headerCache.size >= CLEAN_CACHE_LIMIT) headerCache.clear();
    column = resolveHeader(key) ?? null;
    headerCache.set(key, column);
  }
  return column ?? undefined;
}

function cachedValue(column: ColumnName, raw: string): ValueOutcome {
  const key = `${column}\u0000${raw}`;
  let outcome = valueCache.get(key);
  if (outcome === undefined) {
    if (valueCache.size >= CLEAN_CACHE_LIMIT) valueCache.clear();
    outcome = Object.freeze(canonicalizeValue(columnSpec(column), raw));
    valueCache.set(key, outcome);
  }
  return outcome;
}

/** Cleans one record given by field name (e.g. an API request body) with the same rules as a file. */
export function cleanFields(fields: Readonly<Record<string, unknown>>): {
  customer: Customer;
  outcomes: Partial<Record<ColumnName, ValueOutcome>>;
  unknownFields: string[];
  deduced: ColumnName[];
  /** The caller's key for each recognized column. */
  sourceKeys: Partial<Record<ColumnName, string>>;
  /** Columns named by more than one key (the last key wins), with every key that named them. */
  duplicates: { column: ColumnName; keys: string[] }[];
  /** Contradictions within the record (reconcileRow's rules), e.g. "OnlineSecurity=Yes without InternetService". */
  inconsistencies: string[];
} {
  const row = emptyRow();
  const outcomes: Partial<Record<ColumnName, ValueOutcome>> = {};
  const unknownFields: string[] = [];
  const sourceKeys: Partial<Record<ColumnName, string>> = {};
  const seen = new Map<ColumnName, string[]>();
  for (const [key, value] of Object.entries(fields)) {
    const column = cachedHeader(key);
    if (!column) {
      unknownFields.push(key);
      continue;
    }
    seen.set(column, [...(seen.get(column) ?? []), key]);
    sourceKeys[column] = key;
    const raw = value === null || value === undefined ? "" : valueText(value);
    const outcome = cachedValue(column, raw);
    outcomes[column] = outcome;
    row[column] = outcome.value;
  }
  const found: Record<string, number> = {};
  const { deduced } = reconcileRow(row, (c) => (outcomes[c]?.status ?? "missing") === "missing", found);
  const duplicates = [...seen].filter(([, keys]) => keys.length > 1).map(([column, keys]) => ({ column, keys }));
  return {
    customer: row as unknown as Customer,
    outcomes,
    unknownFields,
    deduced,
    sourceKeys,
    duplicates,
    inconsistencies: Object.keys(found),
  };
}
