// From model columns back to raw fields: one-hot and derived columns summed into the field they come from, and the
// strongest contributions as reasons a retention agent can read.
import { type DerivedValue, deriveFeatures } from "../features/derived";
import type { CellValue, Customer } from "../core/schema";

/**
 * The raw (or derived) field a pipeline column comes from: `Contract=Month-to-month` -> `Contract`,
 * `tenure_missing` -> `tenure`, `tenure_band=0-6` -> `tenure_band`, `tenure` -> `tenure`.
 */
export function fieldOf(featureName: string): string {
  const eq = featureName.indexOf("=");
  if (eq >= 0) return featureName.slice(0, eq);
  if (featureName.endsWith("_missing")) return featureName.slice(0, -"_missing".length);
  return featureName;
}

const fieldCache = new WeakMap<readonly string[], { fields: string[]; index: Int32Array }>();

/** Distinct fields of a pipeline's columns (first-appearance order) and each column's field index; cached per array. */
function fieldIndex(featureNames: readonly string[]): { fields: string[]; index: Int32Array } {
  let cached = fieldCache.get(featureNames);
  if (!cached) {
    const fields: string[] = [];
    const position = new Map<string, number>();
    const index = new Int32Array(featureNames.length);
    featureNames.forEach((name, j) => {
      const f = fieldOf(name);
      let k = position.get(f);
      if (k === undefined) {
        k = fields.length;
        fields.push(f);
        position.set(f, k);
      }
      index[j] = k;
    });
    cached = { fields, index };
    fieldCache.set(featureNames, cached);
  }
  return cached;
}

/** Sums column contributions per raw field, in first-appearance order. */
export function aggregateByField(featureNames: readonly string[], values: ArrayLike<number>): Map<string, number> {
  if (featureNames.length !== values.length) throw new RangeError(`${featureNames.length} names for ${values.length} contributions`);
  const { fields, index } = fieldIndex(featureNames);
  const sums = new Float64Array(fields.length);
  for (let j = 0; j < index.length; j++) sums[index[j] as number] = (sums[index[j] as number] as number) + (values[j] as number);
  const out = new Map<string, number>();
  for (let k = 0; k < fields.length; k++) out.set(fields[k] as string, sums[k] as number);
  return out;
}

/** The customer's value of a raw or derived field, as text ("missing" when unknown). */
export function fieldValue(customer: Customer, field: string, derived?: Record<string, DerivedValue>): string {
  const raw = Object.hasOwn(customer, field)
    ? (customer as unknown as Record<string, CellValue>)[field]
    : (derived ?? deriveFeatures(customer))[field];
  if (raw === null || raw === undefined) return "missing";
  if (typeof raw === "number") return Number.isInteger(raw) ? String(raw) : raw.toFixed(2);
  return String(raw);
}

export type ContributionUnit = "log-odds" | "probability";

export interface Reason {
  field: string;
  /** The customer's value of the field, as text. */
  value: string;
  /** Signed contribution (positive raises churn risk), in `unit`. */
  contribution: number;
  unit: ContributionUnit;
  /** "Contract is Month-to-month: +0.62 to the churn log-odds". */
  text: string;
}

function signed(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return x >= 0 && !s.startsWith("-") ? `+${s}` : s.replace(/^-0(\.0+)?$/, "+0$1");
}

/** The k raw fields with the largest |contribution|, with the customer's value and a sentence each. */
export function topReasons(
  featureNames: readonly string[],
  values: ArrayLike<number>,
  customer: Customer,
  k = 3,
  unit: ContributionUnit = "log-odds",
): Reason[] {
  return reasonsFromFields(aggregateByField(featureNames, values), customer, k, unit);
}

/** The k fields with the largest |contribution| from per-field sums, with the customer's value and a sentence each. */
/** The k strongest reasons from contributions already summed by field. */
export function reasonsFromFields(byField: ReadonlyMap<string, number>, customer: Customer, k: number, unit: ContributionUnit): Reason[] {
  if (k <= 0) return [];
  // Partial selection of the k largest: k is small and the sort of every field was most of the cost.
  const top: [string, number][] = [];
  for (const entry of byField) {
    const size = Math.abs(entry[1]);
    let at = top.length;
    while (
      at > 0 &&
      (size > Math.abs((top[at - 1] as [string, number])[1]) ||
        (size === Math.abs((top[at - 1] as [string, number])[1]) && entry[0].localeCompare((top[at - 1] as [string, number])[0]) < 0))
    )
      at--;
    if (at < k) {
      top.splice(at, 0, entry);
      if (top.length > k) top.pop();
    }
  }
  const derived = deriveFeatures(customer);
  return top.map(([field, contribution]) => {
    const value = fieldValue(customer, field, derived);
    const amount = unit === "log-odds" ? signed(contribution, 2) : `${signed(contribution * 100, 1)} points`;
    return {
      field,
      value,
      contribution,
      unit,
      text: `${field} is ${value}: ${amount} to the churn ${unit === "log-odds" ? "log-odds" : "probability"}`,
    };
  });
}
