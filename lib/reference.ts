// Training reference statistics stored in the model: the baseline for out-of-distribution checks and drift.
import { COLUMNS, type ColumnName, type Customer } from "./schema";
import { ss } from "./stats";

export const REFERENCE_QUANTILES = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1] as const;

export interface NumericReference {
  kind: "numeric";
  count: number;
  missing: number;
  mean: number;
  sd: number;
  /** Values at REFERENCE_QUANTILES. */
  quantiles: number[];
}

export interface CategoryReference {
  kind: "category";
  count: number;
  missing: number;
  /** Share of non-missing rows per level. */
  levels: Record<string, number>;
}

export interface ReferenceStatistics {
  rows: number;
  churnRate: number;
  columns: Partial<Record<ColumnName, NumericReference | CategoryReference>>;
  prediction: { quantiles: number[]; mean: number };
}

function numericReference(values: (number | null)[]): NumericReference {
  const present = values.filter((v): v is number => v !== null);
  return {
    kind: "numeric",
    count: present.length,
    missing: values.length - present.length,
    mean: present.length ? ss.mean(present) : Number.NaN,
    sd: present.length > 1 ? ss.sampleStandardDeviation(present) : 0,
    quantiles: present.length ? REFERENCE_QUANTILES.map((q) => ss.quantile(present, q)) : [],
  };
}

/** Per-column distributions of the training customers and of the model's training scores. */
export function referenceStatistics(customers: readonly Customer[], scores: ArrayLike<number>): ReferenceStatistics {
  const columns: ReferenceStatistics["columns"] = {};
  for (const spec of COLUMNS) {
    if (spec.kind === "id" || spec.name === "Churn") continue;
    const values = customers.map((c) => c[spec.name] as string | number | null);
    if (spec.kind === "number" || spec.name === "SeniorCitizen") {
      columns[spec.name] = numericReference(values.map((v) => (v === null ? null : Number(v))));
      continue;
    }
    const present = values.filter((v): v is string => v !== null);
    const levels: Record<string, number> = {};
    for (const v of present) levels[v] = (levels[v] ?? 0) + 1;
    for (const k of Object.keys(levels)) levels[k] = (levels[k] as number) / present.length;
    columns[spec.name] = { kind: "category", count: present.length, missing: values.length - present.length, levels };
  }
  const s = Array.from(scores);
  return {
    rows: customers.length,
    churnRate: customers.filter((c) => c.Churn === "Yes").length / Math.max(1, customers.filter((c) => c.Churn !== null).length),
    columns,
    prediction: { quantiles: REFERENCE_QUANTILES.map((q) => ss.quantile(s, q)), mean: ss.mean(s) },
  };
}
