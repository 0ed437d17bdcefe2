// Canonicalization of single raw values (numbers, categories, customer IDs): shared by batch cleaning and the API.
import {
  type CategoryColumn,
  type CellValue,
  type ColumnSpec,
  type NumericColumn,
  isNullToken,
  unwrapCell,
  valueKey,
} from "./schema";

export type ValueStatus = "ok" | "normalized" | "missing" | "invalid" | "unknown";

export type InvalidReason = "unparseable" | "out of range" | "not an integer" | "sentinel code";

export interface ValueOutcome {
  value: CellValue;
  status: ValueStatus;
  /** Set when status is "invalid". */
  reason?: InvalidReason;
}

const CURRENCY_PREFIX = /^(?:us\$|[$€£¥]|usd|eur|gbp)\s*/i;
const CURRENCY_SUFFIX = /\s*(?:[$€£¥]|usd|eur|gbp|dollars?|euros?)$/i;
const UNIT_SUFFIX = /\s*(?:\/\s*(?:mo|mth|month)|per\s*month|p\/m|months?|mos?|mths?|mo\.|m)$/i;
/** Codes like 999 or 99999 are how legacy systems write "unknown", never a real charge or tenure. */
const SENTINEL = /^9{3,}(?:\.0+)?$/;

/**
 * Parses a number the way exports write it: currency symbols and codes, unit suffixes ("12 months", "29.85/mo"),
 * thousands separators (",", ".", space, apostrophe), decimal commas, accounting negatives "(12.50)".
 * Returns null when the text is not a number. "1,234" (one comma, three digits) is read as thousands.
 */
export function parseNumber(raw: string): number | null {
  let s = unwrapCell(raw);
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  const takeSign = (): void => {
    const m = /^([+-])\s*/.exec(s);
    if (m) {
      if (m[1] === "-") negative = !negative;
      s = s.slice(m[0].length);
    }
  };
  takeSign();
  s = s.replace(CURRENCY_PREFIX, "");
  takeSign();
  for (let i = 0; i < 2; i++) s = s.replace(UNIT_SUFFIX, "").replace(CURRENCY_SUFFIX, "");
  s = s.replace(/(?<=\d)[ '’_](?=\d{3}(?:\D|$))/g, "");
  let text: string;
  if (/^\d+(?:\.\d+)?e[+-]?\d+$/i.test(s)) {
    text = s;
  } else {
    if (!/^(?:\d[\d.,]*|[.,]\d+)$/.test(s)) return null;
    const commas = (s.match(/,/g) ?? []).length;
    const dots = (s.match(/\./g) ?? []).length;
    if (commas > 0 && dots > 0) {
      const decimal = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".";
      const grouping = decimal === "," ? "." : ",";
      if ((decimal === "," ? commas : dots) > 1) return null;
      const [whole = "", fraction = ""] = s.split(decimal);
      if (!isGrouped(whole, grouping)) return null;
      text = `${whole.split(grouping).join("")}.${fraction}`;
    } else if (commas > 0 || dots > 0) {
      const sep = commas > 0 ? "," : ".";
      const count = commas + dots;
      if (count > 1 || (sep === "," && /^\d{1,3},\d{3}$/.test(s))) {
        if (!isGrouped(s, sep)) return null;
        text = s.split(sep).join("");
      } else {
        text = s.replace(sep, ".");
      }
    } else {
      text = s;
    }
  }
  if (text.startsWith(".")) text = `0${text}`;
  const value = Number(text);
  if (!Number.isFinite(value)) return null;
  return negative ? -value : value;
}

function isGrouped(whole: string, sep: string): boolean {
  if (!whole.includes(sep)) return /^\d+$/.test(whole);
  const re = new RegExp(`^\\d{1,3}(?:\\${sep}\\d{3})+$`);
  return re.test(whole);
}

/** Formats a canonical number the way the IBM file does: plain decimal, no grouping, no trailing zeros. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

export function canonicalizeNumber(spec: NumericColumn, raw: string): ValueOutcome {
  // "None" is a null token for numbers only: for InternetService it means "No".
  if (isNullToken(raw) || /^none$/i.test(raw.trim())) return { value: null, status: "missing" };
  const trimmed = raw.trim();
  const value = parseNumber(trimmed);
  if (value === null) return { value: null, status: "invalid", reason: "unparseable" };
  if (SENTINEL.test(String(Math.abs(value)))) return { value: null, status: "invalid", reason: "sentinel code" };
  const { rule } = spec;
  if (value < rule.min || (rule.minExclusive && value === rule.min) || value > rule.max) {
    return { value: null, status: "invalid", reason: "out of range" };
  }
  if (rule.integer && !Number.isInteger(value)) return { value: null, status: "invalid", reason: "not an integer" };
  return { value, status: formatNumber(value) === trimmed ? "ok" : "normalized" };
}

export function canonicalizeCategory(spec: CategoryColumn, raw: string): ValueOutcome {
  if (isNullToken(raw)) return { value: null, status: "missing" };
  const trimmed = unwrapCell(raw);
  let level = spec.valueAliases[valueKey(trimmed)];
  if (level === undefined) {
    // "1.0" or "0.00" for flags: read the number, not the characters.
    const n = /^[\d.,]+$/.test(trimmed) ? parseNumber(trimmed) : null;
    if (n !== null && Number.isInteger(n)) level = spec.valueAliases[String(n)];
  }
  if (level === undefined) return { value: null, status: "unknown" };
  const value: CellValue = spec.name === "SeniorCitizen" ? Number(level) : level;
  return { value, status: level === raw ? "ok" : "normalized" };
}

const IBM_ID = /^\d{4}-[A-Z]{5}$/;

/**
 * The key duplicate copies share: trimmed, upper case, separators unified to "-", and the IBM form
 * "dddd-AAAAA" restored when the dash was lost. Returns null when nothing is left.
 */
export function canonicalCustomerId(raw: string): string | null {
  if (isNullToken(raw)) return null;
  let id = unwrapCell(raw).toUpperCase();
  id = id.replace(/[\s_–—./\\]+/g, "-").replace(/-{2,}/g, "-").replace(/^-|-$/g, "");
  const compact = /^(\d{4})([A-Z]{5})$/.exec(id);
  if (compact) id = `${compact[1]}-${compact[2]}`;
  return id === "" ? null : id;
}

export function isStandardCustomerId(id: string): boolean {
  return IBM_ID.test(id);
}

export function canonicalizeValue(spec: ColumnSpec, raw: string): ValueOutcome {
  switch (spec.kind) {
    case "number":
      return canonicalizeNumber(spec, raw);
    case "category":
      return canonicalizeCategory(spec, raw);
    case "id": {
      const id = canonicalCustomerId(raw);
      if (id === null) return { value: null, status: "missing" };
      return { value: id, status: id === raw ? "ok" : "normalized" };
    }
  }
}
