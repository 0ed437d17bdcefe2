// Canonicalization of single raw values (numbers, categories, customer IDs): shared by batch cleaning and the API.
import { type CategoryColumn, type CellValue, type ColumnSpec, type NumericColumn, isNullToken, unwrapCell, valueKey } from "./schema";

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

/** Which character a file uses for decimals; "1.889" is 1.889 under "point" and 1889 under "comma". */
export type DecimalSeparator = "point" | "comma";

/**
 * Parses a number the way exports write it: currency symbols and codes, unit suffixes ("12 months", "29.85/mo"),
 * thousands separators (",", ".", space, apostrophe), decimal commas, accounting negatives "(12.50)".
 * Returns null when the text is not a number. With one separator and three digits after it the file's convention
 * decides: "1,234" is thousands under "point" (the default), "1.234" is thousands under "comma".
 */
export function parseNumber(raw: string, decimal: DecimalSeparator = "point"): number | null {
  let s = unwrapCell(raw);
  let negative = false;
  let signed = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    signed = true;
    s = s.slice(1, -1).trim();
  }
  // One sign at most, before or after the currency: "--5" or "(-5)" is garbage, not a number.
  const takeSign = (): boolean => {
    const m = /^([+-])\s*/.exec(s);
    if (!m) return true;
    if (signed) return false;
    signed = true;
    negative = m[1] === "-";
    s = s.slice(m[0].length);
    return true;
  };
  if (!takeSign()) return null;
  s = s.replace(CURRENCY_PREFIX, "");
  if (!takeSign()) return null;
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
      const decimalChar = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".";
      const grouping = decimalChar === "," ? "." : ",";
      if ((decimalChar === "," ? commas : dots) > 1) return null;
      const [whole = "", fraction = ""] = s.split(decimalChar);
      if (!isGrouped(whole, grouping)) return null;
      text = `${whole.split(grouping).join("")}.${fraction}`;
    } else if (commas > 0 || dots > 0) {
      const sep = commas > 0 ? "," : ".";
      const groupingChar = decimal === "comma" ? "." : ",";
      const count = commas + dots;
      if (count > 1 || (sep === groupingChar && /^\d{1,3}[.,]\d{3}$/.test(s))) {
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

const GROUPED: Record<string, RegExp> = { ",": /^\d{1,3}(?:,\d{3})+$/, ".": /^\d{1,3}(?:\.\d{3})+$/ };

function isGrouped(whole: string, sep: string): boolean {
  if (!whole.includes(sep)) return /^\d+$/.test(whole);
  return GROUPED[sep]?.test(whole) ?? false;
}

/**
 * A file's decimal separator from its numeric cells: "comma" when some value has a decimal comma ("29,85", "1.889,50")
 * and none has a decimal point with one or two decimals ("29.85"); otherwise "point".
 */
export function detectDecimalSeparator(values: Iterable<string>): DecimalSeparator {
  let comma = 0;
  let point = 0;
  for (const raw of values) {
    const v = raw.trim();
    if (/\d,\d{1,2}(?:\D*)$/.test(v) && !/\.\d{1,2}(?:\D*)$/.test(v)) comma++;
    else if (/\d\.\d{1,2}(?:\D*)$/.test(v)) point++;
  }
  return comma > 0 && point === 0 ? "comma" : "point";
}

/** Formats a canonical number the way the IBM file does: plain decimal, no grouping, no trailing zeros. */
export function formatNumber(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

export function canonicalizeNumber(spec: NumericColumn, raw: string, decimal: DecimalSeparator = "point"): ValueOutcome {
  // "None" is a null token for numbers only: for InternetService it means "No".
  if (isNullToken(raw) || /^none$/i.test(raw.trim())) return { value: null, status: "missing" };
  const value = parseNumber(raw, decimal);
  if (value === null) return { value: null, status: "invalid", reason: "unparseable" };
  if (SENTINEL.test(String(Math.abs(value)))) return { value: null, status: "invalid", reason: "sentinel code" };
  const { rule } = spec;
  if (value < rule.min || (rule.minExclusive && value === rule.min) || value > rule.max) {
    return { value: null, status: "invalid", reason: "out of range" };
  }
  if (rule.integer && !Number.isInteger(value)) return { value: null, status: "invalid", reason: "not an integer" };
  return { value, status: formatNumber(value) === raw ? "ok" : "normalized" };
}

export function canonicalizeCategory(spec: CategoryColumn, raw: string): ValueOutcome {
  if (isNullToken(raw)) return { value: null, status: "missing" };
  const trimmed = unwrapCell(raw);
  // Own keys only: "constructor" or "__proto__" must be unknown, not a level.
  const aliasOf = (key: string): string | undefined => (Object.hasOwn(spec.valueAliases, key) ? spec.valueAliases[key] : undefined);
  // valueKey drops signs and brackets: a signed or bracketed number ("-1", "(1)", "+1", "1-") must not become "1" (Yes).
  if (/\d/.test(trimmed) && /^[-+(]|[-)]$/.test(trimmed)) return { value: null, status: "unknown" };
  let level = aliasOf(valueKey(trimmed));
  if (level === undefined) {
    // "1.0" or "0.00" for flags: read the number, not the characters.
    const n = /^[\d.,]+$/.test(trimmed) ? parseNumber(trimmed) : null;
    if (n !== null && Number.isInteger(n)) level = aliasOf(String(n));
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
  id = id
    .replace(/[\s_–—./\\]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-|-$/g, "");
  const compact = /^(\d{4})([A-Z]{5})$/.exec(id);
  if (compact) id = `${compact[1]}-${compact[2]}`;
  return id === "" ? null : id;
}

export function isStandardCustomerId(id: string): boolean {
  return IBM_ID.test(id);
}

export function canonicalizeValue(spec: ColumnSpec, raw: string, decimal: DecimalSeparator = "point"): ValueOutcome {
  switch (spec.kind) {
    case "number":
      return canonicalizeNumber(spec, raw, decimal);
    case "category":
      return canonicalizeCategory(spec, raw);
    case "id": {
      const id = canonicalCustomerId(raw);
      if (id === null) return { value: null, status: "missing" };
      return { value: id, status: id === raw ? "ok" : "normalized" };
    }
  }
}

/**
 * Text for a value of any type (an API field, a non-Error cause, a table cell): what String() writes for primitives,
 * functions and arrays; any other object as Object.prototype.toString writes it ("[object Object]"), which is what
 * String() gives every object without a toString of its own, without running a toString an object brings along.
 */
export function valueText(value: unknown): string {
  if (typeof value !== "object" || value === null) return String(value);
  return Array.isArray(value) ? String(value) : Object.prototype.toString.call(value);
}
