// Plotly figure specifications (plain JSON) for held-out evaluation: ROC, precision-recall, calibration, gains, lift,
// threshold sweep with the value model, top-share value and assumption sensitivity. Rendering is lib/notebook's job.
//
// Every number is finite or null: Infinity thresholds (the curves' first point) and NaN rates become null, which is
// how plotly reads a missing value (a gap, or no hover value) and what JSON can carry.
import { BASE_LAYOUT, CHURN_COLOR, type Figure, STAY_COLOR } from "./figure";
import type { ReliabilityBin } from "../evaluation/calibration";
import type { GainsCurve, LiftCurve, PrCurve, RocCurve, ThresholdSweep } from "../evaluation/evaluate";
import type { SensitivityRow, ThresholdValue, TopShareValue } from "../evaluation/business";
import type { CampaignPlan } from "../evaluation/campaign";
import { percent } from "../core/format";

const REFERENCE_LINE = { dash: "dash", color: "#888", width: 1 };

/** A number for plotly JSON: finite as is, anything else (NaN, ±Infinity) null. */
export function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** finiteOrNull over a column. */
export function finiteColumn(values: ArrayLike<number | null>): (number | null)[] {
  return Array.from(values, (v) => finiteOrNull(v));
}

export interface NamedCurve<C> {
  name: string;
  curve: C;
}

/** ROC curves of several models over the chance diagonal; hover shows the threshold (null at the origin). */
export function rocFigure(curves: readonly NamedCurve<RocCurve>[], title = "ROC curve"): Figure {
  const data: Record<string, unknown>[] = curves.map(({ name, curve }) => ({
    type: "scatter",
    mode: "lines",
    name,
    x: finiteColumn(curve.fpr),
    y: finiteColumn(curve.tpr),
    customdata: finiteColumn(curve.thresholds),
    hovertemplate: `${name}<br>false positive rate %{x:.3f}<br>true positive rate %{y:.3f}<br>threshold %{customdata:.3f}<extra></extra>`,
  }));
  data.push({ type: "scatter", mode: "lines", name: "chance", x: [0, 1], y: [0, 1], line: REFERENCE_LINE, hoverinfo: "skip" });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      xaxis: { title: { text: "false positive rate" }, range: [0, 1] },
      yaxis: { title: { text: "true positive rate" }, range: [0, 1.02] },
      legend: { x: 0.55, y: 0.05 },
    },
  };
}

/** Precision-recall curves of several models with the base rate (a random ranking's precision) as a line. */
export function prFigure(curves: readonly NamedCurve<PrCurve>[], baseRate: number, title = "Precision-recall curve"): Figure {
  const data: Record<string, unknown>[] = curves.map(({ name, curve }) => ({
    type: "scatter",
    mode: "lines",
    name,
    x: finiteColumn(curve.recall),
    y: finiteColumn(curve.precision),
    customdata: finiteColumn(curve.thresholds),
    hovertemplate: `${name}<br>recall %{x:.3f}<br>precision %{y:.3f}<br>threshold %{customdata:.3f}<extra></extra>`,
  }));
  const rate = finiteOrNull(baseRate);
  data.push({ type: "scatter", mode: "lines", name: "base rate", x: [0, 1], y: [rate, rate], line: REFERENCE_LINE, hoverinfo: "skip" });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      xaxis: { title: { text: "recall" }, range: [0, 1] },
      yaxis: { title: { text: "precision" }, range: [0, 1.02] },
    },
  };
}

/** Marker diameters in pixels growing with the square root of the bin count (area ~ count), 6 to maxSize. */
function markerSizes(counts: readonly number[], maxCount: number, maxSize = 24): number[] {
  return counts.map((c) => (maxCount > 0 ? Math.max(6, Math.round(maxSize * Math.sqrt(c / maxCount) * 10) / 10) : 6));
}

/** Reliability diagrams of several models over the perfect-calibration diagonal; marker area ~ customers in the bin. */
export function calibrationFigure(models: readonly { name: string; bins: readonly ReliabilityBin[] }[], title = "Calibration"): Figure {
  const maxCount = Math.max(0, ...models.flatMap((m) => m.bins.map((b) => b.count)));
  const data: Record<string, unknown>[] = models.map(({ name, bins }) => ({
    type: "scatter",
    mode: "lines+markers",
    name,
    x: finiteColumn(bins.map((b) => b.meanPredicted)),
    y: finiteColumn(bins.map((b) => b.observedRate)),
    marker: {
      size: markerSizes(
        bins.map((b) => b.count),
        maxCount,
      ),
    },
    customdata: bins.map((b) => [b.count, finiteOrNull(b.lower), finiteOrNull(b.upper)]),
    hovertemplate:
      `${name}<br>bin [%{customdata[1]:.2f}, %{customdata[2]:.2f})<br>mean predicted %{x:.3f}<br>` +
      `observed churn rate %{y:.3f}<br>%{customdata[0]} customers<extra></extra>`,
  }));
  data.push({ type: "scatter", mode: "lines", name: "perfect calibration", x: [0, 1], y: [0, 1], line: REFERENCE_LINE, hoverinfo: "skip" });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      xaxis: { title: { text: "mean predicted probability" }, range: [0, 1] },
      yaxis: { title: { text: "observed churn rate" }, range: [0, 1] },
    },
  };
}

/**
 * Cumulative gains of several models over the random-targeting diagonal; with `baseRate` also the perfect model
 * (every churner first: all churners captured once baseRate of customers are targeted).
 */
export function gainsFigure(curves: readonly NamedCurve<GainsCurve>[], baseRate?: number, title = "Cumulative gains"): Figure {
  const data: Record<string, unknown>[] = curves.map(({ name, curve }) => ({
    type: "scatter",
    mode: "lines",
    name,
    x: finiteColumn(curve.targeted),
    y: finiteColumn(curve.captured),
    hovertemplate: `${name}<br>targeted %{x:.1%}<br>churners captured %{y:.1%}<extra></extra>`,
  }));
  data.push({ type: "scatter", mode: "lines", name: "random", x: [0, 1], y: [0, 1], line: REFERENCE_LINE, hoverinfo: "skip" });
  const rate = finiteOrNull(baseRate);
  if (rate !== null) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "perfect",
      x: [0, rate, 1],
      y: [0, 1, 1],
      line: { dash: "dot", color: "#555", width: 1 },
      hoverinfo: "skip",
    });
  }
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      xaxis: { title: { text: "share of customers targeted (highest scores first)" }, tickformat: ".0%", range: [0, 1] },
      yaxis: { title: { text: "share of churners captured" }, tickformat: ".0%", range: [0, 1.02] },
    },
  };
}

export interface LiftFigureOptions {
  /** Plot the cumulative lift (rate up to and including the bin) instead of the lift within each bin. */
  cumulative?: boolean;
  title?: string;
}

/** Lift per score bin (bin 1 = highest scores) as grouped bars, one per model, over the no-lift line at 1. */
export function liftFigure(curves: readonly NamedCurve<LiftCurve>[], options: LiftFigureOptions = {}): Figure {
  const cumulative = options.cumulative ?? false;
  const data: Record<string, unknown>[] = curves.map(({ name, curve }) => ({
    type: "bar",
    name,
    x: [...curve.bin],
    y: finiteColumn(cumulative ? curve.cumulativeLift : curve.lift),
    customdata: curve.bin.map((_, i) => [finiteOrNull(curve.targeted[i]), curve.count[i] ?? null, finiteOrNull(curve.rate[i])]),
    hovertemplate:
      `${name}<br>bin %{x} (top %{customdata[0]:.0%})<br>${cumulative ? "cumulative lift" : "lift"} %{y:.2f}<br>` +
      `churn rate in bin %{customdata[2]:.1%} of %{customdata[1]}<extra></extra>`,
  }));
  const bins = Math.max(1, ...curves.map((c) => c.curve.bin.length));
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: options.title ?? (cumulative ? "Cumulative lift by score bin" : "Lift by score bin") },
      barmode: "group",
      xaxis: { title: { text: "score bin (1 = highest scores)" }, dtick: 1 },
      yaxis: { title: { text: cumulative ? "cumulative lift" : "lift" }, rangemode: "tozero" },
      shapes: [{ type: "line", x0: 0.5, x1: bins + 0.5, y0: 1, y1: 1, line: REFERENCE_LINE }],
    },
  };
}

/** A vertical dotted line at x across the plot, with a label on top. */
function verticalMarker(x: number, label: string): { shape: Record<string, unknown>; annotation: Record<string, unknown> } {
  return {
    shape: { type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1, line: { dash: "dot", color: "#333", width: 1.5 } },
    annotation: { xref: "x", yref: "paper", x, y: 1, yanchor: "bottom", text: label, showarrow: false },
  };
}

/**
 * Precision, recall and F1 against the threshold (left axis) with one campaign's expected net value per 1,000
 * customers (right axis, from valueByThreshold), and a vertical line at the chosen threshold (none when null).
 */
export function thresholdSweepFigure(
  sweep: ThresholdSweep,
  value: readonly ThresholdValue[],
  chosenThreshold: number | null,
  title = "Threshold: classification metrics and expected value",
): Figure {
  const x = finiteColumn(sweep.thresholds);
  const metric = (name: string, y: readonly number[], color: string): Record<string, unknown> => ({
    type: "scatter",
    mode: "lines",
    name,
    x,
    y: finiteColumn(y),
    line: { color },
    hovertemplate: `threshold %{x:.2f}<br>${name} %{y:.3f}<extra></extra>`,
  });
  const data: Record<string, unknown>[] = [
    // Precision is undefined where nobody is flagged: a gap, not a drop to zero.
    metric(
      "precision",
      sweep.precision.map((v, i) => (sweep.flagged[i] === 0 ? Number.NaN : v)),
      STAY_COLOR,
    ),
    metric("recall", sweep.recall, "#ff7f0e"),
    metric("F1", sweep.f1, "#2ca02c"),
    {
      type: "scatter",
      mode: "lines",
      name: "net value per 1,000 customers",
      x: finiteColumn(value.map((v) => v.threshold)),
      y: finiteColumn(value.map((v) => v.netPer1000)),
      yaxis: "y2",
      line: { color: CHURN_COLOR, width: 2.5 },
      customdata: value.map((v) => [finiteOrNull(v.contactedShare), finiteOrNull(v.churnerShare)]),
      hovertemplate:
        "threshold %{x:.2f}<br>net per 1,000 customers %{y:,.0f}<br>contacted %{customdata[0]:.1%}, " +
        "churners reached %{customdata[1]:.1%}<extra></extra>",
    },
  ];
  const chosen = finiteOrNull(chosenThreshold);
  const marker = chosen === null ? null : verticalMarker(chosen, `chosen ${chosen.toFixed(3)}`);
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      margin: { t: 60, r: 80, b: 60, l: 60 },
      title: { text: title },
      xaxis: { title: { text: "threshold (contact when score ≥ threshold)" }, range: [0, 1] },
      yaxis: { title: { text: "precision / recall / F1" }, range: [0, 1.02] },
      yaxis2: {
        title: { text: "expected net value per 1,000 customers" },
        overlaying: "y",
        side: "right",
        zeroline: true,
        showgrid: false,
      },
      legend: { orientation: "h", y: -0.2 },
      shapes: marker ? [marker.shape] : [],
      annotations: marker ? [marker.annotation] : [],
    },
  };
}

/** A point marked on the value curve: a share of customers contacted and its net value per 1,000 customers. */
export interface ValueMark {
  label: string;
  contactedShare: number;
  netPer1000: number;
}

/**
 * The campaign plan's two points for the value curve: the plan within its limits and the unconstrained best, both at
 * exact thresholds (the curve itself is on a 1% grid, so its own peak can sit a little apart from the exact best).
 */
export function planMarks(plan: Pick<CampaignPlan, "point" | "unconstrained" | "binding" | "thresholdGiven">): ValueMark[] {
  const usd = (x: number): string => `$${Math.round(x).toLocaleString("en-US")}`;
  const marks: ValueMark[] = [];
  if (plan.point.threshold !== null) {
    marks.push({
      label: `plan (${plan.thresholdGiven ? "threshold from validation" : `${plan.binding} limit`}): ${percent(plan.point.contactedShare)} contacted, ${usd(plan.point.netPer1000)}`,
      contactedShare: plan.point.contactedShare,
      netPer1000: plan.point.netPer1000,
    });
  }
  if (plan.unconstrained.threshold !== null && plan.unconstrained.threshold !== plan.point.threshold) {
    marks.push({
      label: `best without limits: ${percent(plan.unconstrained.contactedShare)}, ${usd(plan.unconstrained.netPer1000)}`,
      contactedShare: plan.unconstrained.contactedShare,
      netPer1000: plan.unconstrained.netPer1000,
    });
  }
  return marks;
}

const MARK_STYLES = [
  { color: "#111", symbol: "circle" },
  { color: "#777", symbol: "diamond" },
];

/** Net value per 1,000 customers of contacting the riskiest k%, with the given points (planMarks) marked. */
export function topShareValueFigure(
  rows: readonly TopShareValue[],
  marks: readonly ValueMark[] = [],
  title = "Value of contacting the riskiest customers",
): Figure {
  const data: Record<string, unknown>[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "net value per 1,000 customers",
      x: rows.map((r) => r.topPercent),
      y: finiteColumn(rows.map((r) => r.netPer1000)),
      line: { color: CHURN_COLOR },
      customdata: rows.map((r) => [finiteOrNull(r.churnerShare), finiteOrNull(r.value), finiteOrNull(r.cost)]),
      hovertemplate: "riskiest %{x}%<br>net per 1,000 customers %{y:,.0f}<br>churners reached %{customdata[0]:.1%}<extra></extra>",
    },
  ];
  marks.forEach((m, i) => {
    const style = MARK_STYLES[i % MARK_STYLES.length] as (typeof MARK_STYLES)[number];
    data.push({
      type: "scatter",
      mode: "markers",
      name: m.label,
      x: [finiteOrNull(100 * m.contactedShare)],
      y: [finiteOrNull(m.netPer1000)],
      marker: { size: 11, color: style.color, symbol: style.symbol },
      hovertemplate: `${m.label}<extra></extra>`,
    });
  });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      xaxis: { title: { text: "riskiest customers contacted (%)" }, range: [0, 100] },
      yaxis: { title: { text: "expected net value per 1,000 customers" }, zeroline: true },
      // Below the plot: the marks' labels are long and would squeeze it from the side.
      legend: { orientation: "h", y: -0.22 },
      margin: { t: 50, r: 20, b: 100, l: 60 },
    },
  };
}

/** One-at-a-time sensitivity: best-operating-point net per 1,000 customers against the factor, one line per assumption. */
export function sensitivityFigure(rows: readonly SensitivityRow[], title = "Sensitivity to the value assumptions"): Figure {
  const groups = new Map<string, SensitivityRow[]>();
  for (const r of rows) {
    const g = groups.get(r.assumption);
    if (g) g.push(r);
    else groups.set(r.assumption, [r]);
  }
  // Assumptions whose curves coincide (saveRate, margin and lifetimeMonths enter only through their product) are one
  // line named after all of them, so no legend entry points at a hidden line.
  const merged = new Map<string, { names: string[]; rows: SensitivityRow[] }>();
  for (const [assumption, g] of groups) {
    const sorted = [...g].sort((a, b) => a.factor - b.factor);
    const key = JSON.stringify(sorted.map((r) => [r.factor, Math.round(r.netPer1000 * 1e6)]));
    const m = merged.get(key);
    if (m) m.names.push(assumption);
    else merged.set(key, { names: [assumption], rows: sorted });
  }
  const data: Record<string, unknown>[] = [...merged.values()].map(({ names, rows: sorted }) => {
    const assumption = names.join(" = ");
    return {
      type: "scatter",
      mode: "lines+markers",
      name: assumption,
      x: finiteColumn(sorted.map((r) => r.factor)),
      y: finiteColumn(sorted.map((r) => r.netPer1000)),
      customdata: sorted.map((r) => [finiteOrNull(r.assumptionValue), finiteOrNull(r.bestThreshold), finiteOrNull(r.contactedShare)]),
      hovertemplate:
        `${assumption} × %{x} = %{customdata[0]}<br>net per 1,000 customers %{y:,.0f}<br>` +
        `best threshold %{customdata[1]:.3f}, contacting %{customdata[2]:.1%}<extra></extra>`,
    };
  });
  return {
    data,
    layout: {
      ...BASE_LAYOUT,
      title: { text: title },
      xaxis: { title: { text: "assumption × factor (1 = base case)" } },
      yaxis: { title: { text: "best net value per 1,000 customers" }, zeroline: true },
    },
  };
}
