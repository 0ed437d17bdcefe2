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

/** Whether a level's row is the same customers in every panel (for example "No internet service" for each add-on). */
function sharedLevel(panels: readonly { rows: readonly RateRow[] }[], level: string): RateRow | null {
  const rows = panels.map((p) => p.rows.find((r) => r.level === level));
  const first = rows[0];
  if (panels.length < 2 || first === undefined) return null;
  return rows.every((r) => r !== undefined && r.customers === first.customers && r.churners === first.churners) ? first : null;
}

const PANEL_COLORS = ["#1f77b4", CHURN_COLOR, "#9467bd", "#8c564b", "#ff7f0e"];

/**
 * Several dimensions side by side: the dimensions on the x axis, one bar per level with its Wilson 95% interval. A
 * level that holds the same customers in every dimension ("No internet service" for each add-on) is drawn once, as a
 * dashed reference line with its rate in the legend, instead of as identical bars.
 */
export function churnRatePanels(
  panels: readonly { name: string; rows: readonly RateRow[] }[],
  title: string,
  overallRate?: number,
): Figure {
  const levels = [...new Set(panels.flatMap((p) => p.rows.map((r) => r.level)))];
  const shared = levels.map((level) => ({ level, row: sharedLevel(panels, level) }));
  const bars = shared.filter((s) => s.row === null).map((s) => s.level);
  const data: Record<string, unknown>[] = bars.map((level, i) => {
    const rows = panels.map((p) => p.rows.find((r) => r.level === level));
    return {
      type: "bar",
      name: level,
      x: panels.map((p) => p.name),
      y: rows.map((r) => r?.churnRate ?? null),
      error_y: {
        type: "data",
        symmetric: false,
        array: rows.map((r) => (r ? r.ci95[1] - r.churnRate : null)),
        arrayminus: rows.map((r) => (r ? r.churnRate - r.ci95[0] : null)),
      },
      customdata: rows.map((r) => [r?.churners ?? null, r?.customers ?? null]),
      hovertemplate: `%{x}: ${level}<br>churn rate %{y:.1%}<br>%{customdata[0]} of %{customdata[1]} customers<extra></extra>`,
      marker: { color: PANEL_COLORS[i % PANEL_COLORS.length] },
    };
  });
  const lines: { rate: number; name: string; dash: string; color: string }[] = [];
  for (const s of shared) {
    if (s.row === null) continue;
    const r = s.row;
    lines.push({
      rate: r.churnRate,
      name: `${s.level}: ${(100 * r.churnRate).toFixed(1)}% of ${r.customers} (every dimension)`,
      dash: "dash",
      color: "#2ca02c",
    });
  }
  if (overallRate !== undefined)
    lines.push({ rate: overallRate, name: `all customers: ${(100 * overallRate).toFixed(1)}%`, dash: "dot", color: "#555" });
  // Reference lines as line traces on a hidden numeric axis spanning the plot, so each has a legend entry with its number.
  for (const l of lines) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: l.name,
      xaxis: "x2",
      x: [0, 1],
      y: [l.rate, l.rate],
      line: { dash: l.dash, color: l.color, width: 2 },
      hoverinfo: "name",
    });
  }
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      yaxis: { tickformat: ".0%", title: { text: "churn rate" }, rangemode: "tozero" },
      xaxis: { automargin: true },
      xaxis2: { overlaying: "x", range: [0, 1], visible: false },
      barmode: "group",
      legend: { orientation: "h", y: -0.15 },
      height: 460,
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
