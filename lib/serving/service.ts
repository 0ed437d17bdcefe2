// The prediction service: one customer's raw fields in, a checked, scored and explained answer out. The HTTP API
// (lib/serving/app.ts) and the batch scorer (lib/serving/batch.ts) both go through `predict`, so they apply the same rules.
import { cleanFields } from "../cleaning/record";
import { reasonsFor } from "../inspection/explain";
import { loadModelFile, modelVersion } from "../artifact/model-file";
import { type InputWarning, OodChecker } from "./ood";
import { type ColumnName, type Customer, FEATURE_COLUMNS, MIN_FEATURE_COLUMNS, columnSpec } from "../core/schema";
import type { Scorer } from "../artifact/scorer";
import { type ModelFile, riskBandThresholds } from "../artifact/types";

/** Most fields one customer may carry (IBM has 21; the rest is room for aliases and extra columns). */
export const MAX_FIELDS = 64;
/** Longest accepted value, in characters. */
export const MAX_VALUE_LENGTH = 200;
/** Keys that could pollute an object prototype downstream; refused wherever they appear. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

export type RiskBand = "low" | "medium" | "high";

export interface FieldError {
  /** The caller's key (or "(body)" for the record as a whole). */
  field: string;
  message: string;
}

export interface ApiReason {
  field: string;
  value: string;
  /** Signed contribution to the churn log-odds (or probability, see `unit`); positive raises the risk. */
  contribution: number;
  unit: string;
  text: string;
}

export interface Prediction {
  customerID: string | null;
  churn_probability: number;
  churn: boolean;
  threshold: number;
  risk_band: RiskBand;
  reasons: ApiReason[];
  model_version: string;
  warnings: InputWarning[];
  /** Share of training customers less unusual than this one (multivariate novelty, 0..1). */
  novelty: number;
}

export type PredictOutcome = { ok: true; prediction: Prediction } | { ok: false; errors: FieldError[] };

/** A customer that passed every check, with its warnings: ready to be scored. */
export interface CheckedCustomer {
  ok: true;
  customer: Customer;
  warnings: InputWarning[];
  novelty: number;
}

export type CheckOutcome = CheckedCustomer | { ok: false; errors: FieldError[] };

export interface PredictOptions {
  /** Number of reasons to return (default 3; 0 skips the explanation, the cheapest path). */
  reasons?: number;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

function rangeText(column: ColumnName): string {
  const spec = columnSpec(column);
  if (spec.kind !== "number") return "";
  const { rule } = spec;
  return ` (allowed: ${rule.integer ? "an integer " : ""}${rule.minExclusive ? "above" : "from"} ${rule.min} to ${rule.max})`;
}

/** Structural checks of one record before any cleaning: object, key count, keys, value types and lengths. */
export function recordErrors(input: unknown): FieldError[] {
  if (!isPlainObject(input)) return [{ field: "(body)", message: `expected a JSON object of customer fields, got ${describeType(input)}` }];
  const keys = Object.keys(input);
  const errors: FieldError[] = [];
  if (keys.length > MAX_FIELDS) errors.push({ field: "(body)", message: `${keys.length} fields; at most ${MAX_FIELDS} are accepted` });
  for (const key of keys.slice(0, MAX_FIELDS + 1)) {
    const value = input[key];
    if (FORBIDDEN_KEYS.has(key)) errors.push({ field: key, message: "forbidden key" });
    else if (key.length > MAX_VALUE_LENGTH)
      errors.push({ field: key.slice(0, 40) + "...", message: `field name longer than ${MAX_VALUE_LENGTH} characters` });
    else if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
      errors.push({ field: key, message: `expected a string, number, boolean or null, got ${describeType(value)}` });
    } else if (typeof value === "string" && value.length > MAX_VALUE_LENGTH) {
      errors.push({ field: key, message: `value longer than ${MAX_VALUE_LENGTH} characters` });
    } else if (typeof value === "number" && !Number.isFinite(value)) errors.push({ field: key, message: "number is not finite" });
  }
  return errors;
}

/** A loaded model behind the one function every caller uses. Stateless per call: safe to share. */
export class PredictionService {
  readonly version: string;
  readonly threshold: number;
  readonly ood: OodChecker;
  /** Training churn rate: below it a customer is less risky than the average training customer. */
  readonly baseRate: number;
  /** Lowest scores of the high and medium risk bands. */
  readonly bands: { high: number; medium: number };

  constructor(
    readonly file: ModelFile,
    readonly scorer: Scorer,
  ) {
    this.version = modelVersion(file);
    this.threshold = file.threshold;
    this.ood = new OodChecker(file.reference);
    this.baseRate = file.reference.churnRate;
    this.bands = riskBandThresholds(file);
  }

  static load(path: string): PredictionService {
    const { file, scorer } = loadModelFile(path);
    return new PredictionService(file, scorer);
  }

  /**
   * By the campaign plan saved with the model: high, the customers the plan contacts; medium, the next group of the
   * same size (next month's candidates); low, the rest. Model files without a plan: high at or above the threshold,
   * medium above the training churn rate.
   */
  riskBand(p: number): RiskBand {
    if (p >= this.bands.high) return "high";
    return p >= this.bands.medium ? "medium" : "low";
  }

  /** The whole answer for one customer: `check`, then the model's score and `answer`. */
  predict(input: unknown, options: PredictOptions = {}): PredictOutcome {
    const checked = this.check(input);
    if (!checked.ok) return checked;
    return { ok: true, prediction: this.answer(checked, this.scorer.scoreOne(checked.customer), options) };
  }

  /**
   * Everything but the score: structural checks, cleaning, refusals and warnings, the out-of-distribution check. A
   * batch engine scores the checked customers together, then `answer` finishes each (lib/serving/batch.ts).
   */
  check(input: unknown): CheckOutcome {
    const structural = recordErrors(input);
    if (structural.some((e) => e.field === "(body)")) return { ok: false, errors: structural };
    // Fields with structural errors are left out so that every other bad field is named in the same answer.
    const bad = new Set(structural.map((e) => e.field));
    const fields =
      bad.size === 0
        ? (input as Record<string, unknown>)
        : Object.fromEntries(Object.entries(input as Record<string, unknown>).filter(([k]) => !bad.has(k)));
    const { customer, outcomes, unknownFields, sourceKeys, duplicates, inconsistencies } = cleanFields(fields);
    const errors: FieldError[] = [...structural];
    const warnings: InputWarning[] = [];
    for (const d of duplicates) errors.push({ field: d.keys.join(", "), message: `these fields all name ${d.column}; give it once` });
    let present = 0;
    const missing: string[] = [];
    for (const column of FEATURE_COLUMNS) {
      const outcome = outcomes[column];
      const key = sourceKeys[column] ?? column;
      if (outcome?.status === "invalid") {
        errors.push({
          field: key,
          message: `${JSON.stringify((input as Record<string, unknown>)[key])} is not a valid ${column}: ${outcome.reason ?? "invalid"}${rangeText(column)}`,
        });
      } else if (outcome?.status === "unknown") {
        warnings.push({
          code: "unseen_category",
          field: column,
          message: `${column} ${JSON.stringify((input as Record<string, unknown>)[key])} is not a known value; treated as missing and imputed`,
        });
      } else if (customer[column] === null && !bad.has(key)) {
        missing.push(column);
      } else present++;
    }
    if (errors.length > 0) return { ok: false, errors };
    if (present < MIN_FEATURE_COLUMNS) {
      return {
        ok: false,
        errors: [
          {
            field: "(body)",
            message: `only ${present} of ${FEATURE_COLUMNS.length} customer fields are usable; at least ${MIN_FEATURE_COLUMNS} are needed (missing: ${missing.join(", ")})`,
          },
        ],
      };
    }
    for (const column of missing)
      warnings.push({ code: "missing_imputed", field: column, message: `${column} is missing; imputed from the training data` });
    for (const key of unknownFields)
      warnings.push({ code: "unknown_field", field: key, message: `${key} is not a customer field; ignored` });
    const checked = this.ood.check(customer, inconsistencies);
    warnings.push(...checked.warnings);
    return { ok: true, customer, warnings, novelty: checked.novelty };
  }

  /** A checked customer's answer for its churn probability (from this service's scorer or a batch engine's). */
  answer(checked: CheckedCustomer, probability: number, options: PredictOptions = {}): Prediction {
    const k = options.reasons ?? 3;
    const reasons: ApiReason[] = reasonsFor(this.scorer, checked.customer, k, { trees: "path" });
    return {
      customerID: checked.customer.customerID,
      churn_probability: probability,
      churn: probability >= this.threshold,
      threshold: this.threshold,
      risk_band: this.riskBand(probability),
      reasons,
      model_version: this.version,
      warnings: checked.warnings,
      novelty: checked.novelty,
    };
  }
}
