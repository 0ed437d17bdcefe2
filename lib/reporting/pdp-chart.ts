// The partial-dependence figure: one panel per result of inspection/pdp.ts, on a shared churn-score axis.
import type { Figure } from "./figure";
import type { PartialDependence } from "../inspection/pdp";

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
