// The partial-dependence figure: one panel per result of inspection/pdp.ts, on a shared churn-score axis.
import type { Figure } from "./figure";
import type { PartialDependence } from "../inspection/pdp";
import type { Customer } from "../core/schema";
import { ss } from "../core/stats";

/**
 * Partial-dependence plots, one panel per result side by side (a shared churn-score axis): numeric columns as lines
 * with markers, category columns as bars.
 */
export function pdpFigure(results: PartialDependence | readonly PartialDependence[], title = "Partial dependence"): Figure {
  const list: readonly PartialDependence[] = Array.isArray(results) ? results : [results as PartialDependence];
  const data: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    margin: { t: 50, r: 20, b: 80, l: 60 },
    font: { size: 12 },
    title: { text: title },
    showlegend: false,
  };
  if (list.length > 1) layout["grid"] = { rows: 1, columns: list.length, pattern: "independent" };
  list.forEach((r, i) => {
    const suffix = i === 0 ? "" : String(i + 1);
    const y = r.average.map((v) => (Number.isFinite(v) ? v : null));
    data.push({
      type: r.kind === "number" ? "scatter" : "bar",
      ...(r.kind === "number" ? { mode: "lines+markers" } : {}),
      name: r.column,
      x: r.kind === "number" ? [...r.grid] : r.grid.map(String),
      y,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      hovertemplate: `${r.column} = %{x}<br>mean churn score %{y:.3f}<extra>${r.scorer}</extra>`,
    });
    layout[`xaxis${suffix}`] = { title: { text: r.column }, ...(r.kind === "category" ? { type: "category" } : {}) };
    layout[`yaxis${suffix}`] = {
      title: { text: i === 0 ? "mean churn score" : "" },
      rangemode: "tozero",
      ...(i === 0 ? {} : { matches: "y" }),
    };
  });
  return { data, layout };
}

const NUMERIC_FIELDS = ["tenure", "MonthlyCharges", "TotalCharges"] as const;

/**
 * The caveat partial dependence needs on this data: it moves one field while holding the others at their observed
 * values, so for a field strongly correlated with another (|r| >= `minAbsR`; TotalCharges is about tenure x
 * MonthlyCharges) it averages over combinations that do not occur, and its curve can run against the raw churn rate.
 * One sentence per shown field that has such a partner; empty when none has.
 */
export function pdpCorrelationCaveats(customers: readonly Customer[], fields: readonly string[], minAbsR = 0.7): string[] {
  // Pairs are compared on the customers with all three values (TotalCharges is missing for new customers).
  const complete = customers.filter((c) => NUMERIC_FIELDS.every((f) => Number.isFinite(c[f])));
  const values = new Map(NUMERIC_FIELDS.map((f) => [f, complete.map((c) => c[f] as number)]));
  const out: string[] = [];
  for (const field of fields) {
    const x = values.get(field as (typeof NUMERIC_FIELDS)[number]);
    if (!x) continue;
    const partners = NUMERIC_FIELDS.filter((g) => g !== field)
      .map((g) => ({ g, r: ss.sampleCorrelation(x, values.get(g) as number[]) }))
      .filter(({ r }) => Math.abs(r) >= minAbsR);
    if (partners.length === 0) continue;
    out.push(
      `${field} correlates ${partners.map(({ g, r }) => `${r.toFixed(2)} with ${g}`).join(" and ")}: its partial dependence moves ${field} ` +
        `with those held fixed, over combinations that rarely occur, so read it as the model's response, not as what happens to a real customer.`,
    );
  }
  return out;
}
