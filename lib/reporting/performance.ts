// What the README, notebooks 04/05 and the slides say about profit (EMPC) and about performance estimated without
// labels (CBPE): one wording, computed from the artifacts.
import type { Customer } from "../core/schema";
import type { MetricsFile, ModelFile } from "../artifact/types";
import type { Scorer } from "../artifact/scorer";
import { type PerformanceEstimate, performanceEstimate } from "../monitoring/cbpe";
import { churnLabels } from "../core/labels";
import { shiftSample } from "../monitoring/shift";
import type { Figure } from "./figure";

/** Models ranked by a test metric, best first. */
function rankBy(m: MetricsFile, metric: "roc_auc" | "empc"): string[] {
  return Object.entries(m.models)
    .filter(([, r]) => Number.isFinite(r.test[metric]))
    .sort((a, b) => b[1].test[metric] - a[1].test[metric])
    .map(([name]) => name);
}

/** Whether ranking the models by test EMPC (profit) gives the same order as by test ROC-AUC, in one sentence. */
export function profitRankingSentence(m: MetricsFile): string {
  const byAuc = rankBy(m, "roc_auc");
  const byProfit = rankBy(m, "empc");
  const same = byAuc.join() === byProfit.join();
  const top = byProfit[0] ?? "";
  const best = m.models[top]?.test;
  const served = m.models[m.best_model]?.test;
  const money = (x: number | undefined): string => (x === undefined ? "?" : x.toFixed(2));
  return (
    `Ranked by expected maximum profit on test (EMPC, Verbraken et al. 2013, the paper's parameters): ${byProfit.join(" > ")}` +
    (same ? ", the same order as by ROC-AUC." : `; by ROC-AUC: ${byAuc.join(" > ")}, so profit reorders them.`) +
    ` The best EMPC is ${money(best?.empc)} per customer (${top}, contacting ${best ? (100 * best.empc_frac).toFixed(1) : "?"}%); the served ${m.best_model} earns ${money(served?.empc)}.`
  );
}

export interface CbpeDemo {
  heldOut: PerformanceEstimate;
  shifted: PerformanceEstimate;
  chunkSize: number;
}

/**
 * CBPE on the model's held-out test customers and on the shifted sample of them (monitoring/shift.ts), in row-order
 * chunks of `chunkSize`. Labels are kept so the realized figures sit beside the estimates. The shifted sample moves
 * the features but keeps each customer's label: the relation between features and churn changes, the case the
 * estimate cannot see.
 */
export function cbpeDemo(model: ModelFile, scorer: Scorer, test: readonly Customer[], chunkSize = 350): CbpeDemo | null {
  const reference = model.performanceReference;
  if (!reference) return null;
  const labels = (cs: readonly Customer[]): number[] => churnLabels(cs);
  const shifted = shiftSample(test, { seed: model.seed, size: test.length });
  const options = { chunkSize, seed: model.seed };
  return {
    heldOut: performanceEstimate(scorer.score(test), labels(test), model.threshold, reference, options),
    shifted: performanceEstimate(scorer.score(shifted), labels(shifted), model.threshold, reference, options),
    chunkSize,
  };
}

const f3 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? "?" : x.toFixed(3));

/** The demo in two sentences: held-out (estimate, band, realized) and shifted. */
export function cbpeSentence(d: CbpeDemo): string {
  const part = (label: string, e: PerformanceEstimate): string =>
    `${label}: estimated ROC-AUC ${f3(e.estimated.roc_auc)} (band ${f3(e.band.roc_auc[0])}–${f3(e.band.roc_auc[1])}${e.alert ? ", **alert**" : ", no alert"}), realized ${f3(e.realized?.roc_auc)}`;
  const gap = (e: PerformanceEstimate): string => f3(e.realized ? Math.abs(e.estimated.roc_auc - e.realized.roc_auc) : undefined);
  return (
    `Performance estimated without labels (CBPE, \`churn drift\`): ${part("held-out test customers", d.heldOut)}; ` +
    `${part("the shifted sample", d.shifted)}. The estimate assumes calibrated probabilities and no concept drift (features relating to ` +
    `churn as in training). The shifted sample moves features but keeps each customer's label, so it also tests that assumption: there ` +
    `the estimate is ${gap(d.shifted)} from the realized ROC-AUC, against ${gap(d.heldOut)} on held-out customers.`
  );
}

/** Estimated against realized ROC-AUC per chunk, with each chunk's band, for the held-out and the shifted sample. */
export function cbpeFigure(d: CbpeDemo): Figure {
  const chunks = [
    ...d.heldOut.chunks.map((c, i) => ({ x: `held-out ${i + 1}`, c })),
    ...d.shifted.chunks.map((c, i) => ({ x: `shifted ${i + 1}`, c })),
  ];
  const x = chunks.map((k) => k.x);
  return {
    data: [
      {
        type: "scatter",
        mode: "lines",
        x,
        y: chunks.map((k) => k.c.band.roc_auc[1]),
        line: { width: 0 },
        showlegend: false,
        hoverinfo: "skip",
      },
      {
        type: "scatter",
        mode: "lines",
        x,
        y: chunks.map((k) => k.c.band.roc_auc[0]),
        fill: "tonexty",
        fillcolor: "rgba(31,119,180,0.15)",
        line: { width: 0 },
        name: "band (held-out sampling error, ±3 sd)",
      },
      {
        type: "scatter",
        mode: "markers+lines",
        x,
        y: chunks.map((k) => k.c.estimated.roc_auc),
        name: "estimated without labels",
        marker: { color: "#1f77b4", size: 9 },
      },
      {
        type: "scatter",
        mode: "markers",
        x,
        y: chunks.map((k) => k.c.realized?.roc_auc ?? null),
        name: "realized (labels)",
        marker: { color: "#d62728", symbol: "diamond", size: 9 },
      },
    ],
    layout: {
      title: { text: `ROC-AUC per chunk of ${d.chunkSize} customers: estimated from the probabilities against realized` },
      yaxis: { title: { text: "ROC-AUC" } },
      xaxis: { title: { text: "chunk (row order)" } },
      legend: { orientation: "h", y: -0.25 },
    },
  };
}
