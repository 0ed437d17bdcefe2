// From model columns back to raw fields: one-hot, missing-indicator and derived columns summed into the raw customer
// fields they come from, and the strongest contributions as reasons a retention agent can read.
import { DERIVED_FEATURES, type DerivedValue, deriveFeatures } from "../features/derived";
import { type CellValue, type ColumnName, type Customer, FEATURE_COLUMNS } from "../core/schema";

/**
 * The raw (or derived) field a pipeline column comes from: `Contract=Month-to-month` -> `Contract`,
 * `tenure_missing` -> `tenure`, `tenure_band=0-6` -> `tenure_band`, `tenure` -> `tenure`. Reasons go one step further
 * and give a derived field's contribution to its raw inputs (rawFieldShares).
 */
export function fieldOf(featureName: string): string {
  const eq = featureName.indexOf("=");
  if (eq >= 0) return featureName.slice(0, eq);
  if (featureName.endsWith("_missing")) return featureName.slice(0, -"_missing".length);
  return featureName;
}

/** One raw customer field's share of a model column's contribution. */
export interface FieldShare {
  field: ColumnName;
  /** Fraction of the column's contribution the field gets; a column's shares sum to 1. */
  share: number;
}

const RAW_FIELDS: ReadonlySet<string> = new Set(FEATURE_COLUMNS);

/**
 * The split rule of a derived feature: equal shares over the distinct raw fields it is computed from (its `inputs` in
 * features/derived.ts). Equal, not per customer, because a derived value such as services_count or contract_payment is
 * one quantity the model splits on as a whole: which input "caused" it has no unique answer without a second
 * attribution over the feature's own function, and a fixed split keeps the fold linear, exact (shares sum to 1, so
 * the fields still add up to the model's output) and cacheable per pipeline. See docs/decisions.md, "Reasons name raw
 * fields only". A one-input feature (tenure_band, auto_pay) goes whole to its input.
 */
const DERIVED_SHARES: ReadonlyMap<string, readonly FieldShare[]> = new Map(
  DERIVED_FEATURES.map((f) => {
    const inputs = [...new Set(f.inputs)];
    return [f.name, inputs.map((field) => ({ field, share: 1 / inputs.length }))];
  }),
);

/**
 * The raw customer fields a pipeline column's contribution goes to, with their shares (summing to 1): a column of a
 * raw field (`tenure`, `Contract=Month-to-month`, `tenure_missing`, `Contract=__unknown__`) goes whole to that field;
 * a column of a derived feature (`tenure_band=0-6`, `services_count`, `has_family_missing`) is split equally among
 * the feature's distinct inputs (`contract_payment=monthly/echeck`: half to Contract, half to PaymentMethod).
 * Also accepts a field name itself (`tenure_band`). Throws for a column that names neither.
 */
export function rawFieldShares(featureName: string): readonly FieldShare[] {
  const field = fieldOf(featureName);
  if (RAW_FIELDS.has(field)) return [{ field: field as ColumnName, share: 1 }];
  const derived = DERIVED_SHARES.get(field);
  if (derived) return derived;
  throw new RangeError(`model column ${featureName} comes from ${field}, which is neither a customer field nor a derived feature`);
}

/** A pipeline's columns folded to raw fields: column j goes to fields target[s] in shares share[s], s in [start[j], start[j + 1]). */
interface FieldFold {
  fields: ColumnName[];
  start: Int32Array;
  target: Int32Array;
  share: Float64Array;
}

const foldCache = new WeakMap<readonly string[], FieldFold>();

/** Distinct raw fields of a pipeline's columns (first-appearance order) and each column's shares; cached per array. */
function fieldFold(featureNames: readonly string[]): FieldFold {
  const cached = foldCache.get(featureNames);
  if (cached) return cached;
  const fields: ColumnName[] = [];
  const position = new Map<string, number>();
  const start = new Int32Array(featureNames.length + 1);
  const target: number[] = [];
  const share: number[] = [];
  featureNames.forEach((name, j) => {
    start[j] = target.length;
    for (const s of rawFieldShares(name)) {
      let k = position.get(s.field);
      if (k === undefined) {
        k = fields.length;
        fields.push(s.field);
        position.set(s.field, k);
      }
      target.push(k);
      share.push(s.share);
    }
  });
  start[featureNames.length] = target.length;
  const fold = { fields, start, target: Int32Array.from(target), share: Float64Array.from(share) };
  foldCache.set(featureNames, fold);
  return fold;
}

/**
 * Sums column contributions per raw customer field (rawFieldShares), in first-appearance order: no derived feature or
 * one-hot level is left, and the values add up to the columns' total (each column's shares sum to 1).
 */
export function aggregateByField(featureNames: readonly string[], values: ArrayLike<number>): Map<string, number> {
  if (featureNames.length !== values.length) throw new RangeError(`${featureNames.length} names for ${values.length} contributions`);
  const { fields, start, target, share } = fieldFold(featureNames);
  const sums = new Float64Array(fields.length);
  for (let j = 0; j < featureNames.length; j++) {
    const v = values[j] as number;
    for (let s = start[j] as number; s < (start[j + 1] as number); s++)
      sums[target[s] as number] = (sums[target[s] as number] as number) + (share[s] as number) * v;
  }
  const out = new Map<string, number>();
  for (let k = 0; k < fields.length; k++) out.set(fields[k] as string, sums[k] as number);
  return out;
}

/** The customer's value of a raw or derived field, as text ("missing" when unknown). */
export function fieldValue(customer: Customer, field: string, derived?: Record<string, DerivedValue>): string {
  const raw =
    RAW_FIELDS.has(field) || Object.hasOwn(customer, field)
      ? (customer as unknown as Record<string, CellValue | undefined>)[field]
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

/**
 * The k strongest reasons from contributions summed by field: the fields with the largest |contribution|, strongest
 * first (equal sizes by name), sign kept, each with the customer's value and a sentence. Every reason path goes through
 * here, so a key that is not a raw field (a derived feature, a one-hot column) is folded into its raw fields first
 * (aggregateByField): a reason always names a raw customer field, and each field at most once.
 */
export function reasonsFromFields(byField: ReadonlyMap<string, number>, customer: Customer, k: number, unit: ContributionUnit): Reason[] {
  if (k <= 0) return [];
  let folded = byField;
  for (const field of byField.keys()) {
    if (RAW_FIELDS.has(field)) continue;
    folded = aggregateByField([...byField.keys()], [...byField.values()]);
    break;
  }
  // Partial selection of the k largest: k is small and the sort of every field was most of the cost.
  const top: [string, number][] = [];
  for (const entry of folded) {
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
  return top.map(([field, contribution]) => {
    const value = fieldValue(customer, field);
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
