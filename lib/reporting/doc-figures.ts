// The README's figures as plain plotly specifications with their alt text, every number computed from the training
// artifacts and the export they were trained on; scripts/render-figures.js turns them into docs/figures/*.png.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { valueByTopShare } from "../evaluation/business";
import { campaignPlan } from "../evaluation/campaign";
import { churnRateFigure } from "./charts";
import type { Figure } from "./figure";
import { cleanFile } from "../cleaning/table";
import { percent } from "../core/format";
import { churnByTenureBand, churnRateByColumn, labeled, rateOf } from "./eda";
import type { MetricsFile, StudyFile } from "../artifact/types";
import { loadModelFile } from "../artifact/model-file";
import { gainsCurve } from "../evaluation/evaluate";
import { gainsFigure, planMarks, topShareValueFigure } from "./evaluation-charts";
import { comparisonFigure, permutationFigure, readTrainingArtifacts } from "./modeling-report";
import type { Customer } from "../core/schema";
import { churnLabels, churnerCount } from "../core/labels";

export type { Figure };

export interface DocFigure {
  /** File stem, e.g. "churn-by-contract" (docs/figures/churn-by-contract.png). */
  name: string;
  title: string;
  /** One sentence for the README's alt text, with the key number computed. */
  alt: string;
  figure: Figure;
  /** True when the numbers come from a measurement (a benchmark) and change per run; the others are seeded. */
  measured?: boolean;
}

export interface DocFiguresInput {
  /** A `churn train` output folder: metrics.json, model.json, split.json; study.json and bench/bench-serve.json when present. */
  artifactsDir: string;
  /** The export the artifacts were trained on (checked against metrics.json's sha256). */
  exportFile: string;
}

/** Size every README figure is rendered at (pixels). */
export const FIGURE_WIDTH = 900;
export const FIGURE_HEIGHT = 500;

const BAND_ORDER = ["0-6", "7-12", "13-24", "25-48", "49+"] as const;
const CONTRACT_ORDER = ["Month-to-month", "One year", "Two year"] as const;
/** Share of customers the gains figure's alt text quotes. */
const GAINS_SHARE = 0.2;

const int = (x: number): string => Math.round(x).toLocaleString("en-US");

/** Fixed size, white background, room for the title: the README shows a picture, not an interactive chart. */
function forReadme(f: Figure, layout: Record<string, unknown> = {}): Figure {
  const margin = {
    t: 60,
    r: 30,
    b: 70,
    l: 70,
    ...(f.layout["margin"] as Record<string, unknown> | undefined),
    ...(layout["margin"] as Record<string, unknown> | undefined),
  };
  return {
    data: f.data,
    layout: {
      ...f.layout,
      width: FIGURE_WIDTH,
      height: FIGURE_HEIGHT,
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
      font: { family: "Arial, Helvetica, sans-serif", size: 13, color: "#222" },
      ...layout,
      margin,
    },
  };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

interface BenchRun {
  label: string;
  rps: number;
}

interface BenchServe {
  http?: BenchRun[];
  peer?: Partial<BenchRun> & { skipped?: string };
  machine?: { cpus?: number; cpu_model?: string };
  load_generator?: string;
}

function throughputFigure(bench: BenchServe): DocFigure | null {
  const ours = (bench.http ?? []).filter((r) => Number.isFinite(r.rps));
  if (ours.length === 0) return null;
  const peer =
    bench.peer && !bench.peer.skipped && typeof bench.peer.rps === "number" && Number.isFinite(bench.peer.rps) ? bench.peer : null;
  const short = (label: string): string => label.replace(/^ours\s+/, "").replace(/ /g, ", ");
  const rows = [
    ...ours.map((r) => ({ label: short(r.label), rps: r.rps, color: "#08519c" })),
    ...(peer ? [{ label: "FastAPI peer", rps: peer.rps as number, color: "#fd8d3c" }] : []),
  ].reverse();
  const best = ours.reduce((a, b) => (b.rps > a.rps ? b : a));
  const first = ours[0] as BenchRun;
  const machine = bench.machine?.cpus ? ` on ${bench.machine.cpus} CPUs` : "";
  const figure = forReadme(
    {
      data: [
        {
          type: "bar",
          orientation: "h",
          y: rows.map((r) => r.label),
          x: rows.map((r) => Math.round(r.rps)),
          text: rows.map((r) => int(r.rps)),
          textposition: "outside",
          cliponaxis: false,
          marker: { color: rows.map((r) => r.color) },
        },
      ],
      layout: {
        title: {
          text: `HTTP /predict throughput${peer ? ": ours vs the FastAPI peer" : ""} (${bench.load_generator ?? "wrk"}, measured${machine})`,
        },
        xaxis: { title: { text: "requests per second" }, range: [0, 1.15 * Math.max(...rows.map((r) => r.rps))], tickformat: ",d" },
        yaxis: { ticksuffix: "  " },
        showlegend: false,
      },
    },
    { margin: { l: 230, r: 60 } },
  );
  const alt = peer
    ? `Our server answers ${int(first.rps)} requests/s in its default configuration (${short(first.label)}) and ${int(best.rps)} at best (${short(best.label)}), against ${int(peer.rps as number)} for the FastAPI peer: ${(best.rps / (peer.rps as number)).toFixed(0)}x.`
    : `Our server answers ${int(first.rps)} requests/s in its default configuration (${short(first.label)}) and ${int(best.rps)} at best (${short(best.label)}).`;
  return { name: "serving-throughput", title: "Serving throughput", alt, figure, measured: true };
}

/** The README's figures, in reading order; deterministic for the same artifacts and export (except `measured` ones' inputs). */
export function docFigures(input: DocFiguresInput): DocFigure[] {
  const dir = input.artifactsDir;
  const { metrics, study } = readTrainingArtifacts(dir);
  const { customers, report } = cleanFile(input.exportFile);
  if (report.source.sha256 !== metrics.dataset.sha256) {
    throw new Error(
      `${input.exportFile} is not the file the artifacts in ${dir} were trained on (${metrics.dataset.file}, sha256 ${metrics.dataset.sha256.slice(0, 12)}...): pass that file`,
    );
  }
  const figures: DocFigure[] = [
    ...edaFigures(customers),
    ...modelFigures(metrics, study),
    ...servedModelFigures(dir, customers, input.exportFile),
  ];
  const benchFile = path.join(dir, "bench", "bench-serve.json");
  if (existsSync(benchFile)) {
    const throughput = throughputFigure(readJson<BenchServe>(benchFile));
    if (throughput) figures.push(throughput);
  }
  return figures;
}

function canonical(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, (v) => canonical(v));
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (typeof value === "number") return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && typeof v !== "function") out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** JSON with object keys sorted, typed arrays as arrays, non-finite numbers as null: equal figures, equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

/** sha256 (hex) of the figure's canonical JSON: changes exactly when what would be drawn changes. */
export function figureDigest(f: Figure): string {
  return createHash("sha256").update(canonicalJson(f)).digest("hex");
}

/** EDA: the two segment views the README leads with. */
function edaFigures(customers: Customer[]): DocFigure[] {
  const figures: DocFigure[] = [];
  const lab = labeled(customers);
  const overall = churnerCount(lab) / lab.length;
  const contract = churnRateByColumn(lab, "Contract", CONTRACT_ORDER);
  const m2m = rateOf(contract, "Month-to-month");
  const twoYear = rateOf(contract, "Two year");
  figures.push({
    name: "churn-by-contract",
    title: "Churn rate by contract",
    alt: `Month-to-month customers churn at ${percent(m2m.churnRate)} against ${percent(twoYear.churnRate)} on two-year contracts (${percent(overall)} overall, ${lab.length} labeled customers).`,
    figure: forReadme(churnRateFigure(contract, "Churn rate by contract (95% intervals; dotted: overall rate)", overall)),
  });
  const bands = churnByTenureBand(lab, BAND_ORDER);
  const firstBand = rateOf(bands, "0-6");
  const lastBand = rateOf(bands, "49+");
  figures.push({
    name: "churn-by-tenure",
    title: "Churn rate by tenure band",
    alt: `Customers in their first six months churn at ${percent(firstBand.churnRate)}; after four years, at ${percent(lastBand.churnRate)}.`,
    figure: forReadme(churnRateFigure(bands, "Churn rate by tenure band (months; 95% intervals; dotted: overall rate)", overall), {
      xaxis: { title: { text: "tenure (months)" }, type: "category" },
    }),
  });

  return figures;
}

/** Models: the comparison and what the selected model relies on. */
function modelFigures(metrics: MetricsFile, study: StudyFile | null): DocFigure[] {
  const figures: DocFigure[] = [];
  const best = metrics.models[metrics.best_model];
  if (!best) throw new Error(`metrics.json names ${metrics.best_model} as best but has no report for it`);
  const comparison = comparisonFigure(metrics);
  figures.push({
    name: "model-comparison",
    title: "Model comparison",
    alt: `${metrics.best_model}, selected by the one-standard-error rule on CV ROC-AUC (${(metrics.selection.candidates.find((c) => c.name === metrics.best_model)?.mean_auc ?? Number.NaN).toFixed(3)}), reaches ${best.test.roc_auc.toFixed(3)} on the test set, among ${Object.keys(metrics.models).length} candidates.`,
    figure: forReadme(comparison, {
      legend: { orientation: "h", x: 0.5, xanchor: "center", y: 1.0, yanchor: "bottom" },
      margin: { t: 90 },
    }),
  });
  if (study && study.permutation.rows.length > 0) {
    const [top, second] = study.permutation.rows;
    const perm = permutationFigure(study);
    figures.push({
      name: "permutation-importance",
      title: "Permutation importance",
      alt:
        `Shuffling ${top?.column} lowers the ${study.permutation.model} model's validation ROC-AUC by ${top?.mean.toFixed(3)}, the largest drop` +
        (second ? `; ${second.column} follows with ${second.mean.toFixed(3)}.` : "."),
      figure: forReadme(perm, { height: Math.max(FIGURE_HEIGHT, 140 + 22 * study.permutation.rows.length), margin: { l: 150 } }),
    });
  }

  return figures;
}

/** The served model on the test customers: ranking and value. */
function servedModelFigures(dir: string, customers: Customer[], exportFile: string): DocFigure[] {
  const figures: DocFigure[] = [];
  const { file: model, scorer } = loadModelFile(path.join(dir, "model.json"));
  const split = readJson<{ test: string[] }>(path.join(dir, "split.json"));
  const byId = new Map(customers.map((c) => [c.customerID, c]));
  const test = split.test.map((id) => byId.get(id)).filter((c): c is Customer => c !== undefined && c.Churn !== null);
  if (test.length === 0) throw new Error(`none of split.json's test customers are labeled in ${exportFile}`);
  const y = churnLabels(test);
  const p = scorer.score(test);
  const positives = y.reduce((a: number, v) => a + v, 0);
  const gains = gainsCurve(y, p);
  // Churners captured at the first point reaching GAINS_SHARE of the customers.
  const at = gains.targeted.findIndex((t) => t >= GAINS_SHARE - 1e-12);
  const captured = gains.captured[at < 0 ? gains.captured.length - 1 : at] ?? 1;
  figures.push({
    name: "test-gains",
    title: "Cumulative gains on the test set",
    alt: `Contacting the ${percent(GAINS_SHARE, 0)} of test customers the ${model.name} model ranks riskiest reaches ${percent(captured)} of the ${positives} churners among ${test.length}, against ${percent(GAINS_SHARE, 0)} at random.`,
    figure: forReadme(
      gainsFigure(
        [{ name: model.name, curve: gains }],
        positives / test.length,
        `Cumulative gains of ${model.name} on ${test.length} test customers`,
      ),
      {
        legend: { x: 0.98, xanchor: "right", y: 0.05, yanchor: "bottom", bgcolor: "rgba(255,255,255,0.8)" },
      },
    ),
  });
  const charges = test.map((c) => c.MonthlyCharges ?? 0);
  const values = valueByTopShare(y, p, charges, model.business?.assumptions);
  const plan = campaignPlan(y, p, charges, {
    assumptions: model.business?.assumptions,
    seed: model.seed,
    threshold: model.business?.campaign?.contactThreshold,
  });
  const planPercent = 100 * plan.point.contactedShare;
  figures.push({
    name: "value-by-top-share",
    title: "Value of contacting the riskiest customers",
    alt:
      `Within the budget the campaign plan contacts the riskiest ${percent(plan.point.contactedShare)} of test customers, worth $${int(plan.point.netPer1000)} per 1,000 customers` +
      (plan.unconstrained.threshold === null
        ? "."
        : `; without limits the value would peak at ${percent(plan.unconstrained.contactedShare)} ($${int(plan.unconstrained.netPer1000)}).`),
    figure: forReadme(
      topShareValueFigure(values, planMarks(plan), `Net value of contacting the riskiest customers (${model.name}, test set)`),
      {
        legend: { x: 0.98, xanchor: "right", y: 0.98, yanchor: "top", bgcolor: "rgba(255,255,255,0.8)" },
        shapes: [{ type: "line", x0: planPercent, x1: planPercent, yref: "paper", y0: 0, y1: 1, line: { dash: "dot", color: "#555" } }],
      },
    ),
  });

  return figures;
}
