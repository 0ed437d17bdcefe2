// Partial dependence: the average score when one raw column is set to a grid value on every customer, all else as is.
// The column is set on copies of the customers (the inputs are never mutated) and scored through the Scorer, so the
// feature pipeline derives its derived features from the changed raw value, exactly as for a real customer.
import { columnSpec, type ColumnName, type Customer } from "../core/schema";
import type { Scorer } from "../artifact/scorer";
import { ss } from "../core/stats";

export type GridValue = string | number;

export interface PartialDependence {
  column: ColumnName;
  kind: "number" | "category";
  grid: GridValue[];
  /** Mean score over all customers with the column set to grid[i]. */
  average: number[];
  /** Customers averaged over. */
  n: number;
  /** Name of the scorer. */
  scorer: string;
}

/** Quantile levels of the default numeric grid: 0, 0.1, ..., 1 (the deciles with the observed minimum and maximum). */
export const DECILE_LEVELS: readonly number[] = Array.from({ length: 11 }, (_, k) => k / 10);

/**
 * Default grid for a column: for a numeric column the deciles of its non-missing values (ss.quantile at 0, 0.1, ...,
 * 1; rounded for integer columns such as tenure; duplicates removed, ascending); for a category column the distinct
 * non-null values present, in the schema's level order (values outside the schema's levels after, in order seen).
 */
export function defaultGrid(customers: readonly Customer[], column: ColumnName): GridValue[] {
  const spec = columnSpec(column);
  if (spec.kind === "id") throw new RangeError(`${column} is an identifier, not a feature`);
  if (spec.kind === "number") {
    const values: number[] = [];
    for (const c of customers) {
      const v = c[column];
      if (typeof v === "number" && Number.isFinite(v)) values.push(v);
    }
    if (values.length === 0) throw new RangeError(`${column} has no non-missing values to build a grid from`);
    const q = ss.quantile(values, [...DECILE_LEVELS]);
    const grid = spec.rule.integer ? q.map((v) => Math.round(v)) : q;
    return [...new Set(grid)].sort((a, b) => a - b);
  }
  const present = new Map<string, GridValue>();
  for (const c of customers) {
    const v = c[column];
    if (v !== null && v !== undefined && !present.has(String(v))) present.set(String(v), v);
  }
  const inSchema = spec.levels.filter((l) => present.has(l)).map((l) => present.get(l) as GridValue);
  const others = [...present].filter(([k]) => !spec.levels.includes(k)).map(([, v]) => v);
  return [...inSchema, ...others];
}

/**
 * Partial dependence of the scorer on one raw column: for each grid value (default `defaultGrid`), every customer's
 * copy gets that value in `column` and the mean score is taken.
 */
export function partialDependence(
  scorer: Scorer,
  customers: readonly Customer[],
  column: ColumnName,
  grid?: readonly GridValue[],
): PartialDependence {
  const spec = columnSpec(column);
  if (spec.kind === "id") throw new RangeError(`${column} is an identifier, not a feature`);
  if (customers.length === 0) throw new RangeError("partial dependence needs at least one customer");
  const values = grid ? [...grid] : defaultGrid(customers, column);
  const average = values.map((value) => {
    const copies = customers.map((c) => ({ ...c, [column]: value }));
    const scores = scorer.score(copies);
    let s = 0;
    for (let i = 0; i < scores.length; i++) s += scores[i] as number;
    return s / scores.length;
  });
  return { column, kind: spec.kind, grid: values, average, n: customers.length, scorer: scorer.name };
}
