// Evaluation figures: every trace's columns line up, the axes are titled, the reference lines are there, and the JSON
// holds only finite numbers (Infinity thresholds and NaN rates become null).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { bestOperatingPoint, sensitivity, valueByThreshold, valueByTopShare } from "../../lib/evaluation/business";
import { campaignPlan } from "../../lib/evaluation/campaign";
import { reliabilityCurve } from "../../lib/evaluation/calibration";
import type { Figure } from "../../lib/reporting/figure";
import { gainsCurve, liftCurve, prCurve, rocCurve, thresholdSweep } from "../../lib/evaluation/evaluate";
import {
  calibrationFigure,
  finiteColumn,
  gainsFigure,
  liftFigure,
  prFigure,
  rocFigure,
  sensitivityFigure,
  thresholdSweepFigure,
  topShareValueFigure,
  planMarks,
} from "../../lib/reporting/evaluation-charts";

/** Two models on one random population: a good one and a weak one. */
function population(n: number, seed: string): { y: number[]; good: number[]; weak: number[]; mc: number[] } {
  const rng = seedrandom(seed);
  const out = { y: [] as number[], good: [] as number[], weak: [] as number[], mc: [] as number[] };
  for (let i = 0; i < n; i++) {
    const yi = rng() < 0.27 ? 1 : 0;
    out.y.push(yi);
    out.good.push(Math.min(1, Math.max(0, 0.25 + 0.4 * (yi - 0.3) + 0.3 * (rng() - 0.5))));
    out.weak.push(Math.round(rng() * 20) / 20); // many ties, scores 0 and 1 included
    out.mc.push(20 + rng() * 100);
  }
  return out;
}

const pop = population(400, "charts");
const models = [
  { name: "good", p: pop.good },
  { name: "weak", p: pop.weak },
];
const baseRate = pop.y.reduce((s, v) => s + v, 0) / pop.y.length;

/** Every number anywhere in the figure is finite (no NaN, no ±Infinity). */
function assertFinite(value: unknown, where = "figure"): void {
  if (typeof value === "number") assert.ok(Number.isFinite(value), `${where} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertFinite(v, `${where}[${i}]`));
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) assertFinite(v, `${where}.${k}`);
}

/** Finite, JSON round-trips unchanged, and every trace has x, y (and customdata, marker sizes) of equal length. */
function checkFigure(fig: Figure): void {
  assertFinite(fig);
  assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig);
  assert.ok(fig.data.length > 0);
  for (const t of fig.data) {
    const x = t["x"] as unknown[];
    const y = t["y"] as unknown[];
    assert.ok(Array.isArray(x) && Array.isArray(y), `trace ${String(t["name"])} has x and y`);
    assert.equal(x.length, y.length, `trace ${String(t["name"])}: x and y lengths`);
    if (t["customdata"] !== undefined) assert.equal((t["customdata"] as unknown[]).length, x.length);
    const size = (t["marker"] as { size?: unknown } | undefined)?.size;
    if (Array.isArray(size)) assert.equal(size.length, x.length);
  }
}

function axisTitle(fig: Figure, axis: string): string {
  const a = fig.layout[axis] as { title?: { text?: string } } | undefined;
  return a?.title?.text ?? "";
}

function trace(fig: Figure, name: string): Record<string, unknown> {
  const t = fig.data.find((d) => d["name"] === name);
  assert.ok(t, `trace ${name}`);
  return t;
}

describe("curve figures", () => {
  test("finiteColumn maps NaN and ±Infinity to null", () => {
    assert.deepEqual(finiteColumn([1, Number.NaN, Infinity, -Infinity, 0]), [1, null, null, null, 0]);
  });

  test("ROC: one trace per model plus the chance diagonal; Infinity threshold is null", () => {
    const fig = rocFigure(models.map((m) => ({ name: m.name, curve: rocCurve(pop.y, m.p) })));
    checkFigure(fig);
    assert.equal(fig.data.length, 3);
    const good = trace(fig, "good");
    const curve = rocCurve(pop.y, pop.good);
    assert.equal((good["x"] as unknown[]).length, curve.fpr.length);
    assert.equal((good["customdata"] as unknown[])[0], null);
    assert.deepEqual(trace(fig, "chance")["y"], [0, 1]);
    assert.equal(axisTitle(fig, "xaxis"), "false positive rate");
    assert.equal(axisTitle(fig, "yaxis"), "true positive rate");
  });

  test("PR: base-rate line at the positive share", () => {
    const fig = prFigure(
      models.map((m) => ({ name: m.name, curve: prCurve(pop.y, m.p) })),
      baseRate,
    );
    checkFigure(fig);
    assert.deepEqual(trace(fig, "base rate")["y"], [baseRate, baseRate]);
    assert.equal((trace(fig, "weak")["x"] as unknown[]).length, prCurve(pop.y, pop.weak).recall.length);
    assert.equal(axisTitle(fig, "xaxis"), "recall");
    assert.equal(axisTitle(fig, "yaxis"), "precision");
  });

  test("calibration: diagonal, marker size grows with the bin count", () => {
    const bins = models.map((m) => ({ name: m.name, bins: reliabilityCurve(pop.y, m.p, 10) }));
    const fig = calibrationFigure(bins);
    checkFigure(fig);
    assert.deepEqual(trace(fig, "perfect calibration")["x"], [0, 1]);
    const good = trace(fig, "good");
    const counts = (bins[0]?.bins ?? []).map((b) => b.count);
    const sizes = (good["marker"] as { size: number[] }).size;
    assert.equal(sizes.length, counts.length);
    for (let i = 0; i < counts.length; i++) {
      for (let j = 0; j < counts.length; j++) {
        if ((counts[i] as number) > (counts[j] as number)) assert.ok((sizes[i] as number) >= (sizes[j] as number));
      }
    }
    assert.deepEqual(
      (good["customdata"] as number[][]).map((c) => c[0]),
      counts,
    );
    assert.equal(axisTitle(fig, "xaxis"), "mean predicted probability");
    assert.equal(axisTitle(fig, "yaxis"), "observed churn rate");
  });

  test("gains: random diagonal, and the perfect model when the base rate is given", () => {
    const curves = models.map((m) => ({ name: m.name, curve: gainsCurve(pop.y, m.p) }));
    const fig = gainsFigure(curves, baseRate);
    checkFigure(fig);
    assert.deepEqual(trace(fig, "perfect")["x"], [0, baseRate, 1]);
    assert.equal(gainsFigure(curves).data.length, 3);
    assert.match(axisTitle(fig, "xaxis"), /targeted/);
    assert.match(axisTitle(fig, "yaxis"), /captured/);
  });

  test("lift: grouped bars per bin, NaN lift (no churners at all) becomes null", () => {
    const curves = models.map((m) => ({ name: m.name, curve: liftCurve(pop.y, m.p, 10) }));
    const fig = liftFigure(curves);
    checkFigure(fig);
    assert.equal(fig.data.length, 2);
    assert.deepEqual(trace(fig, "good")["x"], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(axisTitle(fig, "yaxis"), "lift");
    const cum = liftFigure(curves, { cumulative: true });
    checkFigure(cum);
    assert.equal(axisTitle(cum, "yaxis"), "cumulative lift");
    assert.equal(axisTitle(fig, "xaxis"), "score bin (1 = highest scores)");
    // no positives: overall rate 0, lift 0/0
    const none = liftFigure([{ name: "none", curve: liftCurve([0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4], 2) }]);
    checkFigure(none);
    assert.deepEqual(trace(none, "none")["y"], [null, null]);
  });
});

describe("value figures", () => {
  const thresholds = Array.from({ length: 101 }, (_, i) => i / 100);

  test("threshold sweep: metrics on the left, net per 1,000 on the right axis, line at the chosen threshold", () => {
    const sweep = thresholdSweep(pop.y, pop.good, thresholds);
    const value = valueByThreshold(pop.y, pop.good, pop.mc, {}, thresholds);
    const best = bestOperatingPoint(pop.y, pop.good, pop.mc);
    assert.notEqual(best.threshold, null);
    const fig = thresholdSweepFigure(sweep, value, best.threshold);
    checkFigure(fig);
    assert.deepEqual(
      fig.data.map((t) => t["name"]),
      ["precision", "recall", "F1", "net value per 1,000 customers"],
    );
    for (const t of fig.data) assert.equal((t["x"] as unknown[]).length, thresholds.length);
    assert.equal(trace(fig, "net value per 1,000 customers")["yaxis"], "y2");
    // Precision is a gap, not zero, at thresholds above every score (nobody flagged).
    const top = Math.max(...Array.from(pop.good));
    const precision = trace(fig, "precision")["y"] as (number | null)[];
    thresholds.forEach((t, i) => {
      if (t > top) assert.equal(precision[i], null);
      else assert.equal(precision[i], sweep.precision[i]);
    });
    assert.ok(thresholds.some((t) => t > top));
    assert.deepEqual(
      trace(fig, "net value per 1,000 customers")["y"],
      value.map((v) => v.netPer1000),
    );
    const y2 = fig.layout["yaxis2"] as { overlaying: string; side: string };
    assert.equal(y2.overlaying, "y");
    assert.equal(y2.side, "right");
    assert.equal(axisTitle(fig, "yaxis2"), "expected net value per 1,000 customers");
    assert.equal(axisTitle(fig, "yaxis"), "precision / recall / F1");
    assert.match(axisTitle(fig, "xaxis"), /threshold/);
    const shapes = fig.layout["shapes"] as { x0: number; x1: number; yref: string }[];
    assert.equal(shapes.length, 1);
    assert.equal(shapes[0]?.x0, best.threshold);
    assert.equal(shapes[0]?.x1, best.threshold);
    assert.equal(shapes[0]?.yref, "paper");
    // no chosen threshold: no line
    const none = thresholdSweepFigure(sweep, value, null);
    checkFigure(none);
    assert.deepEqual(none.layout["shapes"], []);
  });

  test("top share: net per 1,000 by percent contacted, the plan and the unconstrained best marked at their exact points", () => {
    const rows = valueByTopShare(pop.y, pop.good, pop.mc);
    const plan = campaignPlan(pop.y, pop.good, pop.mc, { limits: { capacityShare: 0.05 }, samples: 20 });
    const fig = topShareValueFigure(rows, planMarks(plan));
    checkFigure(fig);
    const line = fig.data[0] as Record<string, unknown>;
    assert.equal((line["x"] as unknown[]).length, 100);
    assert.equal(fig.data.length, 3);
    assert.deepEqual(fig.data[1]?.["x"], [100 * plan.point.contactedShare]);
    assert.deepEqual(fig.data[1]?.["y"], [plan.point.netPer1000]);
    assert.match(String(fig.data[1]?.["name"]), /^plan \((capacity|budget) limit|threshold from validation\)/);
    assert.deepEqual(fig.data[2]?.["y"], [plan.unconstrained.netPer1000]);
    // The exact best is at least as high as anything on the 1% grid.
    assert.ok(plan.unconstrained.netPer1000 >= Math.max(...rows.map((r) => r.netPer1000)) - 1e-9);
    // Without marks, only the curve.
    assert.equal(topShareValueFigure(rows).data.length, 1);
    assert.match(axisTitle(fig, "xaxis"), /riskiest/);
    assert.equal(axisTitle(fig, "yaxis"), "expected net value per 1,000 customers");
  });

  test("sensitivity: one line per assumption over the factors, coinciding curves merged; a null best threshold stays null", () => {
    const factors = [0.5, 1, 1.5];
    const rows = sensitivity(pop.y, pop.good, pop.mc, {}, factors);
    const fig = sensitivityFigure(rows);
    checkFigure(fig);
    // saveRate, lifetimeMonths and margin enter only through their product: one line for the three.
    assert.deepEqual(
      fig.data.map((t) => t["name"]),
      ["offerCost", "saveRate = lifetimeMonths = margin"],
    );
    // A saveRate capped at 1 no longer coincides with the others and gets its own line.
    const capped = sensitivityFigure(sensitivity(pop.y, pop.good, pop.mc, { saveRate: 0.9 }, factors));
    assert.deepEqual(
      capped.data.map((t) => t["name"]),
      ["offerCost", "saveRate", "lifetimeMonths = margin"],
    );
    for (const t of fig.data) assert.deepEqual(t["x"], factors);
    assert.match(axisTitle(fig, "xaxis"), /factor/);
    assert.equal(axisTitle(fig, "yaxis"), "best net value per 1,000 customers");
    // an offer so expensive nothing pays: best threshold null
    const losing = sensitivity(pop.y, pop.good, pop.mc, { offerCost: 1e6 }, factors);
    const lf = sensitivityFigure(losing);
    checkFigure(lf);
    const offer = lf.data.find((t) => String(t["name"]).split(" = ").includes("offerCost"));
    assert.ok(offer, "a line carries offerCost");
    assert.equal((offer["customdata"] as unknown[][])[0]?.[1], null);
  });
});
