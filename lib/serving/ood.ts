// Out-of-distribution checks for one customer against the training reference stored in the model, and the policy
// that says which findings refuse a request and which are scored with a warning.
import {
  type CategoryReference,
  type NumericReference,
  NoveltyScorer,
  type ReferenceStatistics,
  chargesRatio,
} from "../artifact/reference";
import { type ColumnName, type Customer, FEATURE_COLUMNS } from "../core/schema";

export type WarningCode =
  | "missing_imputed"
  | "unknown_field"
  | "duplicate_field"
  | "unseen_category"
  | "outside_training_range"
  | "inconsistent_combination"
  | "total_charges_mismatch"
  | "novel_profile";

export interface InputWarning {
  code: WarningCode;
  /** The field concerned (IBM name), or null for whole-record findings. */
  field: string | null;
  message: string;
}

export interface PolicyRule {
  finding: string;
  action: "refuse" | "warn";
  rule: string;
}

/**
 * The documented policy. A value that cannot be a customer's (wrong type, unparseable, impossible) is refused: scoring
 * it would invent data. A value that is possible but unlike training is scored, with a warning the caller can act on.
 */
export const OOD_POLICY: readonly PolicyRule[] = [
  {
    finding: "body is not a JSON object, malformed JSON, oversized body or batch, forbidden key, nesting",
    action: "refuse",
    rule: "400/413 with the problem named",
  },
  { finding: "value of the wrong type (object, array) or too long", action: "refuse", rule: "422 naming the field" },
  {
    finding: "impossible value (negative tenure, unparseable number, sentinel code like 9999, beyond the schema's range)",
    action: "refuse",
    rule: "422 naming the field and the reason",
  },
  {
    finding: `fewer than half of the ${FEATURE_COLUMNS.length} feature fields present`,
    action: "refuse",
    rule: "422: too little to score",
  },
  {
    finding: "feature field missing",
    action: "warn",
    rule: "imputed by the training pipeline (median / most frequent level); code missing_imputed",
  },
  {
    finding: "category value outside the vocabulary (e.g. PaymentMethod 'Crypto')",
    action: "warn",
    rule: "treated as missing and imputed; code unseen_category",
  },
  { finding: "unrecognized field name", action: "warn", rule: "ignored; code unknown_field" },
  {
    finding: "numeric value outside the training range [min, max]",
    action: "warn",
    rule: "scored (trees extrapolate flat, the linear model linearly); code outside_training_range",
  },
  {
    finding: "impossible combination (add-on without internet, lines without phone)",
    action: "warn",
    rule: "scored as given; code inconsistent_combination",
  },
  {
    finding: "TotalCharges outside the training range of TotalCharges / (tenure x MonthlyCharges)",
    action: "warn",
    rule: "scored as given; code total_charges_mismatch",
  },
  {
    finding: "multivariate novelty above the training 99.5th percentile",
    action: "warn",
    rule: "scored; code novel_profile, expected on 0.5% of training-like customers",
  },
];

/** Novelty percentile (share of training customers less unusual) above which a customer gets `novel_profile`. */
export const NOVELTY_WARN_PERCENTILE = 0.995;

export interface OodResult {
  warnings: InputWarning[];
  /** Share of training customers less unusual than this one (0..1). */
  novelty: number;
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(2));

/** Checks one cleaned customer against the training reference. Cheap: a few comparisons and one d x d product. */
export class OodChecker {
  private readonly novelty: NoveltyScorer;
  private readonly ranges: [ColumnName, number, number][] = [];
  private readonly categories: [ColumnName, CategoryReference][] = [];
  private readonly ratioRange: [number, number] | null;

  constructor(readonly reference: ReferenceStatistics) {
    this.novelty = new NoveltyScorer(reference.novelty);
    for (const [name, ref] of Object.entries(reference.columns) as [ColumnName, NumericReference | CategoryReference][]) {
      if (ref.kind === "numeric" && ref.quantiles.length > 0 && name !== "SeniorCitizen") {
        this.ranges.push([name, ref.quantiles[0] as number, ref.quantiles[ref.quantiles.length - 1] as number]);
      } else if (ref.kind === "category") this.categories.push([name, ref]);
    }
    const q = reference.chargesRatio.quantiles;
    this.ratioRange = q.length > 0 ? [q[0] as number, q[q.length - 1] as number] : null;
  }

  check(customer: Customer, inconsistencies: readonly string[] = []): OodResult {
    const warnings: InputWarning[] = [];
    for (const [name, lo, hi] of this.ranges) {
      const v = customer[name] as number | null;
      if (v !== null && (v < lo || v > hi)) {
        warnings.push({
          code: "outside_training_range",
          field: name,
          message: `${name} ${fmt(v)} is outside the training range ${fmt(lo)}..${fmt(hi)}`,
        });
      }
    }
    for (const [name, ref] of this.categories) {
      const v = customer[name] as string | null;
      if (v !== null && !((ref.levels[v] ?? 0) > 0)) {
        warnings.push({ code: "unseen_category", field: name, message: `${name} '${v}' never occurs in the training data` });
      }
    }
    for (const rule of inconsistencies) {
      warnings.push({
        code: "inconsistent_combination",
        field: rule.split(/[=' ]/, 1)[0] ?? null,
        message: `impossible combination: ${rule}`,
      });
    }
    const ratio = chargesRatio(customer);
    if (ratio !== null && this.ratioRange && (ratio < this.ratioRange[0] || ratio > this.ratioRange[1])) {
      warnings.push({
        code: "total_charges_mismatch",
        field: "TotalCharges",
        message:
          `TotalCharges ${fmt(customer.TotalCharges as number)} is ${fmt(ratio)} x tenure x MonthlyCharges ` +
          `(${fmt((customer.tenure as number) * (customer.MonthlyCharges as number))}); training customers range ` +
          `${fmt(this.ratioRange[0])}..${fmt(this.ratioRange[1])}`,
      });
    }
    const novelty = this.novelty.percentile(this.novelty.distance(customer));
    if (novelty > NOVELTY_WARN_PERCENTILE) {
      warnings.push({
        code: "novel_profile",
        field: null,
        message: `this combination of values is more unusual than ${(novelty * 100).toFixed(1)}% of training customers`,
      });
    }
    return { warnings, novelty };
  }
}
