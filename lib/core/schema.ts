// The canonical Telco churn schema: IBM column names, value spellings, valid ranges and the aliases real exports use.

/** A character outside ASCII: any UTF-16 code unit above 0x7f (without the u flag a class matches code units). */
const NON_ASCII = /[\u0080-\uffff]/;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
const EXCEL_FORMULA_TEXT = /^="(.*)"$/s;

/** A cleaned customer row: canonical IBM names and spellings, `null` where missing or invalid. */
export interface Customer {
  customerID: string;
  gender: "Female" | "Male" | null;
  SeniorCitizen: 0 | 1 | null;
  Partner: YesNo | null;
  Dependents: YesNo | null;
  tenure: number | null;
  PhoneService: YesNo | null;
  MultipleLines: YesNo | "No phone service" | null;
  InternetService: "DSL" | "Fiber optic" | "No" | null;
  OnlineSecurity: AddOn | null;
  OnlineBackup: AddOn | null;
  DeviceProtection: AddOn | null;
  TechSupport: AddOn | null;
  StreamingTV: AddOn | null;
  StreamingMovies: AddOn | null;
  Contract: "Month-to-month" | "One year" | "Two year" | null;
  PaperlessBilling: YesNo | null;
  PaymentMethod: "Electronic check" | "Mailed check" | "Bank transfer (automatic)" | "Credit card (automatic)" | null;
  MonthlyCharges: number | null;
  TotalCharges: number | null;
  Churn: YesNo | null;
}

export type YesNo = "Yes" | "No";
export type AddOn = YesNo | "No internet service";
export type ColumnName = keyof Customer;
export type CellValue = string | number | null;

export const ID_COLUMN = "customerID" satisfies ColumnName;

/** Internet add-ons that protect or support the customer. */
export const PROTECTION_ADD_ONS = [
  "OnlineSecurity",
  "OnlineBackup",
  "DeviceProtection",
  "TechSupport",
] as const satisfies readonly ColumnName[];
/** Every add-on that only exists with an internet service. */
export const INTERNET_ADD_ONS = [...PROTECTION_ADD_ONS, "StreamingTV", "StreamingMovies"] as const satisfies readonly ColumnName[];
export const LABEL_COLUMN = "Churn" satisfies ColumnName;

/** Valid numeric ranges. Values outside are impossible or absurd for a residential telco account. */
export interface NumericRule {
  integer: boolean;
  min: number;
  /** When true a value equal to `min` is invalid (charges must be positive). */
  minExclusive: boolean;
  max: number;
}

interface ColumnBase {
  name: ColumnName;
  /** Normalized header spellings (see `headerKey`) that name this column in other exports. */
  headerAliases: readonly string[];
  description: string;
}

export interface CategoryColumn extends ColumnBase {
  kind: "category";
  levels: readonly string[];
  /** Normalized value token (see `valueKey`) to canonical level. */
  valueAliases: Readonly<Record<string, string>>;
}

export interface NumericColumn extends ColumnBase {
  kind: "number";
  rule: NumericRule;
}

export interface IdColumn extends ColumnBase {
  kind: "id";
}

export type ColumnSpec = CategoryColumn | NumericColumn | IdColumn;

const YES = ["yes", "y", "true", "t", "1"];
const NO = ["no", "n", "false", "f", "0"];

function aliasMap(groups: Record<string, readonly string[]>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [level, tokens] of Object.entries(groups)) {
    map[valueKey(level)] = level;
    for (const token of tokens) map[token] = level;
  }
  return map;
}

function yesNo(name: ColumnName, headerAliases: readonly string[], description: string): CategoryColumn {
  return {
    name,
    kind: "category",
    levels: ["Yes", "No"],
    valueAliases: aliasMap({ Yes: YES, No: NO }),
    headerAliases,
    description,
  };
}

function internetAddOn(name: ColumnName, headerAliases: readonly string[], description: string): CategoryColumn {
  return {
    name,
    kind: "category",
    levels: ["Yes", "No", "No internet service"],
    valueAliases: aliasMap({
      Yes: YES,
      No: NO,
      "No internet service": ["nointernet", "nointernetservice", "nointernetsvc", "nointernetservices"],
    }),
    headerAliases,
    description,
  };
}

/** Columns in the IBM file's order. */
export const COLUMNS: readonly ColumnSpec[] = [
  {
    name: "customerID",
    kind: "id",
    headerAliases: ["customer", "custid", "customerno", "customernumber", "clientid", "accountid", "accountno"],
    description: "Customer identifier, e.g. 7590-VHVEG",
  },
  {
    name: "gender",
    kind: "category",
    levels: ["Female", "Male"],
    valueAliases: aliasMap({ Female: ["f", "woman", "w"], Male: ["m", "man"] }),
    headerAliases: ["sex"],
    description: "Customer gender as recorded",
  },
  {
    name: "SeniorCitizen",
    kind: "category",
    levels: ["0", "1"],
    valueAliases: aliasMap({ "1": YES, "0": NO }),
    headerAliases: ["senior", "isseniorcitizen", "seniorcitizenflag"],
    description: "1 when the customer is 65 or older",
  },
  yesNo("Partner", ["haspartner"], "Has a partner"),
  yesNo("Dependents", ["hasdependents"], "Has dependents"),
  {
    name: "tenure",
    kind: "number",
    rule: { integer: true, min: 0, minExclusive: false, max: 600 },
    headerAliases: ["tenuremonths", "tenureinmonths", "monthsofservice", "monthswithcompany"],
    description: "Months with the company",
  },
  yesNo("PhoneService", ["phone"], "Has a phone line"),
  {
    name: "MultipleLines",
    kind: "category",
    levels: ["Yes", "No", "No phone service"],
    valueAliases: aliasMap({ Yes: YES, No: NO, "No phone service": ["nophone", "nophoneservice", "nophoneline"] }),
    headerAliases: ["multiplephonelines"],
    description: "Has more than one phone line",
  },
  {
    name: "InternetService",
    kind: "category",
    levels: ["DSL", "Fiber optic", "No"],
    valueAliases: aliasMap({
      DSL: ["dsl", "adsl"],
      "Fiber optic": ["fiber", "fibre", "fibreoptic", "fiberoptics", "fibreoptics", "ftth"],
      No: [...NO, "none", "nointernet", "nointernetservice"],
    }),
    headerAliases: ["internet", "internettype"],
    description: "Internet access technology, or No",
  },
  internetAddOn("OnlineSecurity", [], "Online security add-on"),
  internetAddOn("OnlineBackup", [], "Online backup add-on"),
  internetAddOn("DeviceProtection", [], "Device protection add-on"),
  internetAddOn("TechSupport", ["techsupportplan"], "Tech support add-on"),
  internetAddOn("StreamingTV", ["streamingtelevision"], "Streaming TV add-on"),
  internetAddOn("StreamingMovies", [], "Streaming movies add-on"),
  {
    name: "Contract",
    kind: "category",
    levels: ["Month-to-month", "One year", "Two year"],
    valueAliases: aliasMap({
      "Month-to-month": ["monthly", "monthtomonth", "m2m", "mtm", "month", "1month", "rolling", "nocontract"],
      "One year": ["1year", "1yr", "oneyr", "12months", "12month", "annual", "yearly", "1y"],
      "Two year": ["2year", "2years", "twoyears", "2yr", "twoyr", "24months", "24month", "2y", "biennial"],
    }),
    headerAliases: ["contracttype", "contractterm"],
    description: "Contract term",
  },
  yesNo("PaperlessBilling", ["paperless", "ebilling"], "Receives bills electronically"),
  {
    name: "PaymentMethod",
    kind: "category",
    levels: ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"],
    valueAliases: aliasMap({
      "Electronic check": ["electroniccheck", "echeck", "electroniccheque", "echeque"],
      "Mailed check": ["mailedcheck", "mailcheck", "mailedcheque", "check", "cheque", "papercheck"],
      "Bank transfer (automatic)": ["banktransfer", "automaticbanktransfer", "banktransferauto", "autobanktransfer", "directdebit"],
      "Credit card (automatic)": ["creditcard", "automaticcreditcard", "creditcardauto", "autocreditcard", "card"],
    }),
    headerAliases: ["payment", "paymenttype"],
    description: "How the customer pays",
  },
  {
    name: "MonthlyCharges",
    kind: "number",
    rule: { integer: false, min: 0, minExclusive: true, max: 1000 },
    headerAliases: ["monthlycharge", "monthlyfee", "monthlybill", "monthlyamount", "monthlycost"],
    description: "Current monthly charge",
  },
  {
    name: "TotalCharges",
    kind: "number",
    rule: { integer: false, min: 0, minExclusive: false, max: 600_000 },
    headerAliases: ["totalcharge", "totalbilled", "totalamount", "lifetimecharges", "totalspend"],
    description: "Total charged over the tenure",
  },
  {
    name: "Churn",
    kind: "category",
    levels: ["Yes", "No"],
    valueAliases: aliasMap({
      Yes: [...YES, "churned", "churn", "left", "lost", "cancelled", "canceled"],
      No: [...NO, "notchurned", "nochurn", "stayed", "retained", "active", "current"],
    }),
    headerAliases: ["churned", "churnlabel", "churnflag", "haschurned", "label", "target"],
    description: "Left within the last month (the label)",
  },
];

export const COLUMN_NAMES: readonly ColumnName[] = COLUMNS.map((c) => c.name);
export const FEATURE_COLUMNS: readonly ColumnName[] = COLUMN_NAMES.filter((n) => n !== ID_COLUMN && n !== LABEL_COLUMN);
/** Fewer recognized feature columns than this and a file or record is not treated as a churn customer's. */
export const MIN_FEATURE_COLUMNS = Math.ceil(FEATURE_COLUMNS.length / 2);
export const COLUMN_BY_NAME: ReadonlyMap<ColumnName, ColumnSpec> = new Map(COLUMNS.map((c) => [c.name, c]));

export function columnSpec(name: ColumnName): ColumnSpec {
  const spec = COLUMN_BY_NAME.get(name);
  if (!spec) throw new Error(`unknown column ${name}`);
  return spec;
}

/**
 * A cell's text as meant: Unicode compatibility forms folded (non-breaking spaces, full-width digits), zero-width
 * characters removed, outer whitespace trimmed, and Excel's text markers undone (a leading apostrophe, ="...").
 */
export function unwrapCell(raw: string): string {
  let s = NON_ASCII.test(raw) ? raw.normalize("NFKC").replace(ZERO_WIDTH, "") : raw;
  s = s.trim();
  const formula = EXCEL_FORMULA_TEXT.exec(s);
  if (formula) s = (formula[1] ?? "").trim();
  else if (s.startsWith("'")) s = s.slice(1).trim();
  return s;
}

/** Header spelling key: case, spacing and punctuation do not distinguish columns ("Customer ID" = "customer_id"). */
export function headerKey(header: string): string {
  return unwrapCell(header)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** Value spelling key: case, spacing and punctuation do not distinguish category levels ("Month to month" = "month-to-month"). */
export function valueKey(value: string): string {
  return unwrapCell(value)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** Tokens that mean "no value" in exports. `none` is absent on purpose: for InternetService it means "No". */
export const NULL_TOKENS: ReadonlySet<string> = new Set([
  "",
  "na",
  "n/a",
  "n.a.",
  "nan",
  "null",
  "nil",
  "?",
  "??",
  "-",
  "--",
  "#n/a",
  "#null!",
  "undefined",
  "missing",
  "unknown",
  "(blank)",
  "(null)",
  ".",
]);

export function isNullToken(raw: string): boolean {
  return NULL_TOKENS.has(unwrapCell(raw).toLowerCase());
}

/** Header keys that name each column: its own name plus aliases, also with a unit suffix ("Tenure (months)"). */
const HEADER_LOOKUP: ReadonlyMap<string, ColumnName> = (() => {
  const map = new Map<string, ColumnName>();
  for (const col of COLUMNS) {
    for (const key of [headerKey(col.name), ...col.headerAliases]) map.set(key, col.name);
  }
  return map;
})();

const HEADER_UNIT_SUFFIXES = ["inmonths", "months", "month", "mos", "usd", "eur", "gbp", "amount", "value", "flag", "yn"];

/** The canonical column a header names, or undefined when it is not one of ours. */
export function resolveHeader(header: string): ColumnName | undefined {
  const key = headerKey(header);
  const direct = HEADER_LOOKUP.get(key);
  if (direct) return direct;
  for (const suffix of HEADER_UNIT_SUFFIXES) {
    if (key.length > suffix.length && key.endsWith(suffix)) {
      const hit = HEADER_LOOKUP.get(key.slice(0, -suffix.length));
      if (hit) return hit;
    }
  }
  return undefined;
}
