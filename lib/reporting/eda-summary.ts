// The summaries notebooks 01 and 02 and the deck quote: the class balance, correlations with one variable, churn rates
// by a derived feature, the derived feature that separates churners most.
import { type CorrelationMatrix, type FeatureSignal, type RateRow, binNumeric, churnRateBy, labeled } from "./eda";
import { deriveFeatures } from "../features/derived";
import type { Customer } from "../core/schema";
import { churnerCount } from "../core/labels";

export interface ClassBalance {
  /** Customers with a usable label. */
  labeled: number;
  churners: number;
  /** churners / labeled (NaN when nobody is labeled). */
  churnRate: number;
  /** Stayers per churner: the imbalance ratio, "about N to 1". */
  imbalance: number;
}

/** Churners and stayers among the labeled customers. */
export function classBalance(customers: readonly Customer[]): ClassBalance {
  const lab = labeled(customers);
  const churners = churnerCount(lab);
  return {
    labeled: lab.length,
    churners,
    churnRate: lab.length === 0 ? Number.NaN : churners / lab.length,
    imbalance: churners === 0 ? Number.NaN : (lab.length - churners) / churners,
  };
}

function indexOf(matrix: CorrelationMatrix, name: string): number {
  const i = matrix.names.indexOf(name);
  if (i < 0) throw new Error(`no variable ${name} in the correlation matrix (${matrix.names.join(", ")})`);
  return i;
}

/** The correlation of two variables of the matrix. */
export function correlationOf(matrix: CorrelationMatrix, a: string, b: string): number {
  return matrix.values[indexOf(matrix, a)]?.[indexOf(matrix, b)] as number;
}

/** Every other variable's correlation with `target`, strongest (largest |r|) first. */
export function correlationsWith(matrix: CorrelationMatrix, target: string): { feature: string; r: number }[] {
  const t = indexOf(matrix, target);
  return matrix.names
    .map((feature, i) => ({ feature, r: matrix.values[i]?.[t] as number }))
    .filter((row) => row.feature !== target)
    .sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
}

/**
 * Churn rate per level of a derived feature (lib/features/derived) over labeled customers, numeric features in the
 * coarse bins of binNumeric; customers for whom the feature is undefined are left out.
 */
export function churnRateByDerived(customers: readonly Customer[], feature: string, order?: readonly string[]): RateRow[] {
  return churnRateBy(
    customers,
    (c) => {
      const v = deriveFeatures(c)[feature];
      return v === null || v === undefined ? null : typeof v === "number" ? binNumeric(feature, v) : v;
    },
    order,
  );
}

/** The derived feature whose churn rate varies most across its levels (highest minus lowest rate); undefined for none. */
export function widestSpread(signals: readonly FeatureSignal[]): FeatureSignal | undefined {
  let widest: FeatureSignal | undefined;
  for (const s of signals) {
    if (widest === undefined || s.highestRate - s.lowestRate > widest.highestRate - widest.lowestRate) widest = s;
  }
  return widest;
}
