// Views of the training artifacts for notebook 03 and the README: comparison rows, study tables, figures, and the
// verdict in words, every number read from metrics.json and study.json.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { BASE_LAYOUT, type Figure } from "./figure";
import { type MetricsFile, type SelectionRow, type StudyFile, selectedFamily } from "../artifact/types";

export interface TrainingArtifacts {
  metrics: MetricsFile;
  study: StudyFile | null;
}

/** Reads metrics.json (and study.json when present) from a `churn train` output folder. */
export function readTrainingArtifacts(dir: string): TrainingArtifacts {
  const metricsFile = path.join(dir, "metrics.json");
  if (!existsSync(metricsFile)) {
    throw new Error(`no ${metricsFile}: run \`npm start\` (or \`npx churn train --out ${dir}\`) first`);
  }
  const studyFile = path.join(dir, "study.json");
  return {
    metrics: JSON.parse(readFileSync(metricsFile, "utf8")) as MetricsFile,
    study: existsSync(studyFile) ? (JSON.parse(readFileSync(studyFile, "utf8")) as StudyFile) : null,
  };
}

export function comparisonRows(m: MetricsFile): Record<string, string | number>[] {
  return Object.entries(m.models).map(([name, r]) => ({
    model: name === m.best_model ? `${name} (selected)` : name,
    "CV ROC-AUC": r.cv.mean_auc === null ? "" : `${r.cv.mean_auc.toFixed(4)} ± ${(r.cv.sd_auc ?? 0).toFixed(4)}`,
    "validation ROC-AUC": r.validation.roc_auc,
    "test ROC-AUC": r.test.roc_auc,
    "test PR-AUC": r.test.pr_auc,
    "test F1": r.test.f1,
    "test EMPC": r.test.empc,
    "test precision": r.test.precision,
    "test recall": r.test.recall,
    "test Brier": r.test.brier,
    threshold: r.validation.threshold,
    "fit s": r.fit_seconds,
  }));
}

export function comparisonFigure(m: MetricsFile): Figure {
  const names = Object.keys(m.models);
  const trace = (split: "validation" | "test", color: string): Record<string, unknown> => ({
    type: "bar",
    name: split,
    x: names,
    y: names.map((n) => m.models[n]?.[split].roc_auc),
    marker: { color },
    hovertemplate: `%{x}<br>${split} ROC-AUC %{y:.4f}<extra></extra>`,
  });
  const values = names.flatMap((n) => [m.models[n]?.validation.roc_auc ?? 0, m.models[n]?.test.roc_auc ?? 0]);
  return {
    data: [trace("validation", "#9ecae1"), trace("test", "#08519c")],
    layout: {
      title: { text: "ROC-AUC by model: selected on CV (one-standard-error rule), reported on test" },
      barmode: "group",
      yaxis: { title: { text: "ROC-AUC" }, range: [Math.min(...values) - 0.02, Math.max(...values) + 0.01] },
    },
  };
}

/** Tick values for a log axis over [min, max]: 1, 2 and 5 times powers of ten, so no minor digit is labeled alone. */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0 && max >= min)) return [];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min / 1.5 && v <= max * 1.5) out.push(v);
    }
  }
  return out;
}

export function tuningFigure(m: MetricsFile): Figure {
  const seconds = m.tuning.map((t) => t.seconds).filter((x) => x > 0);
  const ticks = logTicks(Math.min(...seconds), Math.max(...seconds));
  const families = [...new Set(m.tuning.map((t) => t.family))];
  return {
    data: families.map((f) => {
      const rows = m.tuning.filter((t) => t.family === f);
      return {
        type: "scatter",
        mode: "markers",
        name: f,
        x: rows.map((r) => r.seconds),
        y: rows.map((r) => r.mean_auc),
        error_y: { type: "data", array: rows.map((r) => r.sd_auc), thickness: 1, width: 0 },
        text: rows.map((r) => JSON.stringify(r.params)),
        hovertemplate: "%{text}<br>CV ROC-AUC %{y:.4f}<br>%{x:.1f} s of fits<extra></extra>",
      };
    }),
    layout: {
      title: { text: "Tuning: every candidate's cross-validated ROC-AUC against its cost" },
      xaxis: { title: { text: "seconds of fitting, all folds" }, type: "log", tickvals: ticks, ticktext: ticks.map((t) => `${t} s`) },
      yaxis: { title: { text: "CV ROC-AUC (± sd over folds)" } },
    },
  };
}

export function imbalanceFigure(study: StudyFile): Figure {
  // A two-level axis: the family under its group of strategies, so no label has to be rotated.
  const x = [study.imbalance.map((r) => r.family), study.imbalance.map((r) => r.strategy.replace(" ", "<br>"))];
  const metric = (key: "pr_auc" | "recall" | "f1", color: string): Record<string, unknown> => ({
    type: "bar",
    name: key === "pr_auc" ? "PR-AUC" : key,
    x,
    y: study.imbalance.map((r) => r[key]),
    marker: { color },
    hovertemplate: `%{x}<br>${key === "pr_auc" ? "PR-AUC" : key} %{y:.3f}<extra></extra>`,
  });
  return {
    data: [metric("pr_auc", "#6baed6"), metric("recall", "#fd8d3c"), metric("f1", "#31a354")],
    layout: {
      ...BASE_LAYOUT,
      title: { text: "Class imbalance strategies (out-of-fold, training rows)" },
      barmode: "group",
      yaxis: { range: [0, 1] },
      xaxis: { type: "multicategory", tickangle: 0, automargin: true, tickfont: { size: 11 } },
      legend: { orientation: "h", y: 1.08, x: 1, xanchor: "right" },
      margin: { t: 70, r: 20, b: 100, l: 50 },
      height: 460,
    },
  };
}

export function permutationFigure(study: StudyFile): Figure {
  const rows = [...study.permutation.rows].reverse();
  return {
    data: [
      {
        type: "bar",
        orientation: "h",
        y: rows.map((r) => r.column),
        x: rows.map((r) => r.mean),
        error_x: { type: "data", array: rows.map((r) => r.sd) },
        // Light bars, so the dark error bars stay readable on them; grey where the drop is within one sd of zero.
        marker: { color: rows.map((r) => (r.mean > r.sd ? "#6baed6" : "#d9d9d9")), line: { color: "#2171b5", width: 1 } },
        hovertemplate: "%{y}: ROC-AUC drop %{x:.4f}<extra></extra>",
      },
    ],
    layout: {
      title: { text: `Permutation importance on validation (${study.permutation.model}, ${study.permutation.repeats} repeats)` },
      xaxis: { title: { text: "drop in validation ROC-AUC when the column is shuffled" } },
      height: 560,
      margin: { l: 140 },
    },
  };
}

export function ablationFigure(study: StudyFile): Figure {
  const families = [...new Set(study.ablation.map((a) => a.family))];
  const variants = [...new Set(study.ablation.filter((a) => a.variant !== "all derived").map((a) => a.variant))].reverse();
  return {
    // Horizontal bars: the variant names read as they are, with no rotated or clipped label.
    data: families.map((f) => {
      const rows = variants.map((v) => study.ablation.find((a) => a.family === f && a.variant === v));
      return {
        type: "bar",
        orientation: "h",
        name: f,
        y: variants,
        x: rows.map((r) => r?.delta ?? null),
        error_x: { type: "data", array: rows.map((r) => (r ? r.sd_auc / Math.sqrt(study.folds) : null)), color: "#444" },
        hovertemplate: `${f}, %{y}: Δ %{x:.4f}<extra></extra>`,
      };
    }),
    layout: {
      ...BASE_LAYOUT,
      title: { text: "Ablation: change of CV ROC-AUC against all derived features" },
      xaxis: { title: { text: "Δ CV ROC-AUC (± standard error; negative: the feature helped)" }, zeroline: true, zerolinecolor: "#444" },
      yaxis: { automargin: true },
      barmode: "group",
      legend: { orientation: "h", y: -0.18 },
      height: 520,
      margin: { t: 50, r: 20, b: 90, l: 160 },
    },
  };
}

const f4 = (x: number): string => x.toFixed(4);

/** The selection in sentences: the rule, the best candidate, the one chosen and its margin, the soft vote's place. */
export function selectionVerdict(m: MetricsFile): string[] {
  const sel = m.selection;
  const row = (name: string): SelectionRow | undefined => sel.candidates.find((c) => c.name === name);
  const chosen = row(sel.chosen);
  const test = f4(m.models[m.best_model]?.test.roc_auc ?? Number.NaN);
  const out: string[] = [];
  out.push(
    sel.chosen === sel.best
      ? `**${sel.chosen}** is selected: it has the best mean CV ROC-AUC (${f4(sel.best_mean_auc)}, standard error ${f4(sel.best_se_auc)}) and no simpler candidate is within one standard error of it. On the untouched test set it scores ${test}.`
      : `**${sel.chosen}** is selected by the one-standard-error rule: ${sel.best} has the best mean CV ROC-AUC (${f4(sel.best_mean_auc)}, standard error ${f4(sel.best_se_auc)}), and ${sel.chosen}, the simplest candidate within one standard error of it, scores ${f4(chosen?.mean_auc ?? Number.NaN)}, ${f4(sel.best_mean_auc - (chosen?.mean_auc ?? Number.NaN))} lower. On the untouched test set it scores ${test}.`,
  );
  const within = sel.candidates.filter((c) => c.within_one_se).map((c) => `${c.name} ${f4(c.mean_auc)}`);
  const below = sel.candidates.filter((c) => !c.within_one_se).map((c) => `${c.name} ${f4(c.mean_auc)}`);
  out.push(
    `Within one standard error of the best (at or above ${f4(sel.bar)}): ${within.join(", ")}` +
      (below.length ? `; below it: ${below.join(", ")}.` : ".") +
      " Differences that small are noise, so the rule prefers the candidate that is simplest to serve and to explain.",
  );
  const e = m.ensemble;
  if (e.members.length) {
    const vote = row("ensemble");
    out.push(
      e.kept
        ? `The soft vote of ${e.members.join(" + ")} (CV ROC-AUC ${f4(e.cv_auc)}) is selected: no single model comes within one standard error of it.`
        : `The soft vote of ${e.members.join(" + ")} scores CV ROC-AUC ${f4(e.cv_auc)}` +
            (vote?.within_one_se
              ? ", within one standard error of the best, but a simpler single model is too, so it is not kept."
              : ", below the bar, so it is not kept."),
    );
  }
  return out;
}

/** Why the selected model won, and what the studies found, in sentences built from the artifacts. */
export function modelingVerdict(m: MetricsFile, study: StudyFile | null): string[] {
  const out = [...selectionVerdict(m)];
  if (study) {
    const served = selectedFamily(m);
    const none = study.imbalance.find((r) => r.strategy === "none" && r.family === served);
    const moved = study.imbalance.find((r) => r.strategy === "threshold moving" && r.family === none?.family);
    const weights = study.imbalance.find((r) => r.strategy === "weights" && r.family === none?.family);
    if (none && moved && weights) {
      const weightsHelp = weights.pr_auc > none.pr_auc + 0.005;
      out.push(
        `Imbalance (${none.family}): at the default 0.5 threshold recall is ${f4(none.recall)}; class weights raise it to ${f4(weights.recall)} ` +
          `while PR-AUC moves from ${f4(none.pr_auc)} to ${f4(weights.pr_auc)}. Moving the threshold on the uncorrected model to ${moved.threshold.toFixed(3)} gives F1 ${f4(moved.f1)} ` +
          `(recall ${f4(moved.recall)}). ` +
          (weightsHelp
            ? "Class weights improve the ranking itself here, so they are worth keeping."
            : "Reweighting does not improve the ranking (PR-AUC), it only shifts scores: the imbalance is handled by choosing the operating point on the uncorrected model."),
      );
    }
    const top = study.permutation.rows.slice(0, 3).map((r) => `${r.column} (${f4(r.mean)})`);
    out.push(`Permutation importance on validation puts ${top.join(", ")} first.`);
    const sel = study.selection;
    out.push(
      sel.dropped.length === 0
        ? "No column's permutation importance is within noise of zero, so selection drops nothing."
        : `Dropping the ${sel.dropped.length} columns whose importance is within noise (${sel.dropped.join(", ")}) changes ${sel.family}'s CV ROC-AUC by ${f4(sel.comparison[1]?.delta ?? Number.NaN)}: ${sel.kept ? "kept as a simplification" : "not kept"}.`,
    );
    for (const f of [...new Set(study.ablation.map((a) => a.family))]) {
      const rows = study.ablation.filter((a) => a.family === f);
      const none = rows.find((r) => r.variant === "no derived");
      const reference = rows.find((r) => r.variant === "all derived");
      const se = (reference?.sd_auc ?? 0) / Math.sqrt(study.folds);
      const helpful = rows.filter((r) => r.variant.startsWith("without ") && r.delta < -se).map((r) => r.variant.replace("without ", ""));
      out.push(
        `Ablation (${f}): removing all derived features changes CV ROC-AUC by ${f4(none?.delta ?? Number.NaN)} (standard error of the reference ${f4(se)}); ` +
          (helpful.length
            ? `removing ${helpful.join(", ")} one at a time lowers it by more than that, so they earn their place there; the others are redundant given the raw columns.`
            : "no single derived feature is missed by more than that when removed alone: they are redundant with the raw columns for this learner."),
      );
    }
  }
  return out;
}
