// Plotly figure specifications (plain JSON) for the EDA and cleaning views; rendering is lib/notebook's job.
import type { QualityReport } from "../cleaning/table";
import type { CorrelationMatrix, RateRow } from "./eda";
import { columnQualityRows } from "../cleaning/quality";
import type { Customer } from "../core/schema";
import { BASE_LAYOUT, CHURN_COLOR, type Figure, STAY_COLOR } from "./figure";

/** Bar chart of churn rate per level with Wilson 95% error bars and customer counts on hover. */
export function churnRateFigure(rows: readonly RateRow[], title: string, overallRate?: number): Figure {
  const data: Record<string, unknown>[] = [
    {
      type: "bar",
      x: rows.map((r) => r.level),
      y: rows.map((r) => r.churnRate),
      error_y: {
        type: "data",
        symmetric: false,
        array: rows.map((r) => r.ci95[1] - r.churnRate),
        arrayminus: rows.map((r) => r.churnRate - r.ci95[0]),
      },
      customdata: rows.map((r) => [r.customers, r.churners]),
      hovertemplate: "%{x}<br>churn rate %{y:.1%}<br>%{customdata[1]} of %{customdata[0]} customers<extra></extra>",
      marker: { color: CHURN_COLOR },
    },
  ];
  const shapes =
    overallRate === undefined
      ? []
      : [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: overallRate, y1: overallRate, line: { dash: "dot", color: "#555" } }];
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      yaxis: { title: { text: "churn rate" }, tickformat: ".0%", rangemode: "tozero" },
      shapes,
    },
  };
}

/** Several dimensions side by side as grouped bars: one trace per dimension, levels on the x axis. */
export function churnRatePanels(panels: readonly { name: string; rows: readonly RateRow[] }[], title: string): Figure {
  return {
    data: panels.map((p) => ({
      type: "bar",
      name: p.name,
      x: p.rows.map((r) => `${p.name}: ${r.level}`),
      y: p.rows.map((r) => r.churnRate),
      customdata: p.rows.map((r) => [r.customers]),
      hovertemplate: "%{x}<br>churn rate %{y:.1%} of %{customdata[0]}<extra></extra>",
    })),
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      yaxis: { tickformat: ".0%", title: { text: "churn rate" } },
      // Long "dimension: level" labels are drawn at an angle; automargin makes room for them instead of clipping.
      xaxis: { tickangle: -40, automargin: true },
      height: 520,
      barmode: "group",
      showlegend: false,
    },
  };
}

/** Overlaid histograms of a numeric value for churners and non-churners, normalized to share of each group. */
export function histogramByChurn(
  customers: readonly Customer[],
  value: (c: Customer) => number | null,
  title: string,
  xTitle: string,
): Figure {
  const pick = (label: "Yes" | "No"): number[] =>
    customers
      .filter((c) => c.Churn === label)
      .map(value)
      .filter((v): v is number => v !== null);
  const trace = (label: "Yes" | "No", name: string, color: string): Record<string, unknown> => ({
    type: "histogram",
    name,
    x: pick(label),
    histnorm: "probability",
    opacity: 0.6,
    marker: { color },
    nbinsx: 36,
  });
  return {
    data: [trace("No", "stayed", STAY_COLOR), trace("Yes", "churned", CHURN_COLOR)],
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      barmode: "overlay",
      xaxis: { title: { text: xTitle } },
      yaxis: { title: { text: "share of group" }, tickformat: ".0%" },
    },
  };
}

export function correlationHeatmap(matrix: CorrelationMatrix, title: string): Figure {
  return {
    data: [
      {
        type: "heatmap",
        x: matrix.names,
        y: matrix.names,
        z: matrix.values.map((row) => row.map((v) => Math.round(v * 100) / 100)),
        zmin: -1,
        zmax: 1,
        colorscale: "RdBu",
        reversescale: true,
        texttemplate: "%{z:.2f}",
        hovertemplate: "%{y} vs %{x}: %{z:.2f}<extra></extra>",
      },
    ],
    layout: { ...BASE_LAYOUT, title: { text: title }, height: 560, margin: { t: 50, r: 20, b: 120, l: 120 } },
  };
}

/** Stacked bars of the cleaning outcome per column: missing, normalized, invalid, unknown, deduced. */
export function qualityFigure(report: QualityReport, title: string): Figure {
  const rows = columnQualityRows(report).filter((r) => r.column !== "customerID");
  const kinds = [
    ["missing", "#7f7f7f"],
    ["normalized", "#1f77b4"],
    ["invalid", "#d62728"],
    ["unknown", "#ff7f0e"],
    ["deduced", "#2ca02c"],
  ] as const;
  return {
    data: kinds.map(([kind, color]) => ({
      type: "bar",
      name: kind,
      x: rows.map((r) => r.column),
      y: rows.map((r) => r[kind]),
      marker: { color },
    })),
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      barmode: "stack",
      yaxis: { title: { text: "input rows" } },
      margin: { t: 50, r: 20, b: 120, l: 60 },
    },
  };
}
