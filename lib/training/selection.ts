// Model selection by the one-standard-error rule on cross-validated ROC-AUC: among the tuned candidates, the simplest
// whose mean fold ROC-AUC is within one standard error of the best's.
//
// Why not "the best on validation": on this data the families' validation ROC-AUCs lie within 0.001-0.004 of each
// other, while one validation AUC has a bootstrap sd of about 0.01 — the winner changed with the data file. The
// one-SE rule (Breiman et al. 1984; Hastie, Tibshirani & Friedman, ESL 7.10) takes the noise of the estimate into
// account and breaks near-ties towards the model that is cheapest to serve and to explain.
import { rocAuc } from "../evaluation/metrics";
import { type EmpcParams, empc } from "../evaluation/empc";
import { ss } from "../core/stats";
import type { CvData } from "./tuning";
import type { Selection } from "../artifact/types";

/**
 * Candidates from simplest to most complex to serve and explain: a weighted sum with exact explanations; boosted
 * trees (a few hundred small trees, TreeSHAP); a 300-tree forest (slower to score and to explain); k nearest
 * neighbours (scores by searching the whole training set); a soft vote of several of these (the sum of its members).
 */
export const SIMPLICITY_ORDER = ["logistic_regression", "xgboost", "random_forest", "knn", "ensemble"] as const;

export const SELECTION_RULE =
  "the simplest candidate whose mean CV ROC-AUC is within one standard error (fold sd / sqrt(folds)) of the best candidate's";

export interface CvCandidate {
  name: string;
  /** ROC-AUC on each CV fold, in fold order. */
  foldAucs: readonly number[];
  /** EMPC on each CV fold (the --select-by empc metric), in fold order. */
  foldEmpcs?: readonly number[];
}

export type SelectionMetric = "roc_auc" | "empc";

/** ROC-AUC of out-of-fold scores on each fold's held-out rows. */
export function foldAucs(data: CvData, oof: ArrayLike<number>): number[] {
  return foldValues(data, oof, (y, p) => rocAuc(y, p));
}

/** EMPC (evaluation/empc.ts) of out-of-fold scores on each fold's held-out rows. */
export function foldEmpcs(data: CvData, oof: ArrayLike<number>, params: EmpcParams): number[] {
  return foldValues(data, oof, (y, p) => empc(y, p, params).empc);
}

function foldValues(data: CvData, oof: ArrayLike<number>, metric: (y: number[], p: number[]) => number): number[] {
  return data.folds.map((fold) => {
    const scores = fold.validation.map((i) => oof[i] as number);
    if (scores.some((s) => !Number.isFinite(s))) throw new Error("out-of-fold scores are missing for some rows of a fold");
    return metric(
      fold.validation.map((i) => data.labels[i] as number),
      scores,
    );
  });
}

function simplicity(name: string): number {
  const i = (SIMPLICITY_ORDER as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`no simplicity rank for candidate "${name}"; known: ${SIMPLICITY_ORDER.join(", ")}`);
  return i;
}

const meanAndSe = (xs: readonly number[]): { mean: number; se: number } => ({
  mean: ss.mean([...xs]),
  se: ss.sampleStandardDeviation([...xs]) / Math.sqrt(xs.length),
});

/**
 * Applies the one-standard-error rule on `metric` (ROC-AUC by default, or EMPC); ties on mean go to the simpler
 * candidate. `bar`, `best_mean` and `best_se` are in the metric's units; `best_mean_auc` and `best_se_auc` are the
 * best candidate's ROC-AUC whichever metric chose it.
 */
export function selectByOneStandardError(candidates: readonly CvCandidate[], metric: SelectionMetric = "roc_auc"): Selection {
  if (candidates.length === 0) throw new Error("no candidate to select from");
  const rows = candidates.map((c) => {
    if (c.foldAucs.length < 2) throw new Error(`candidate ${c.name} has ${c.foldAucs.length} fold(s); the rule needs at least 2`);
    if (metric === "empc" && (c.foldEmpcs?.length ?? 0) < 2) throw new Error(`candidate ${c.name} has no EMPC per fold to select by`);
    simplicity(c.name);
    const auc = meanAndSe(c.foldAucs);
    const profit = c.foldEmpcs && c.foldEmpcs.length >= 2 ? meanAndSe(c.foldEmpcs) : null;
    return {
      name: c.name,
      mean_auc: auc.mean,
      se_auc: auc.se,
      ...(profit ? { mean_empc: profit.mean, se_empc: profit.se } : {}),
      value: metric === "empc" ? (profit as { mean: number }).mean : auc.mean,
      se: metric === "empc" ? (profit as { se: number }).se : auc.se,
    };
  });
  const bySimplicity = [...rows].sort((a, b) => simplicity(a.name) - simplicity(b.name));
  const best = bySimplicity.reduce((b, r) => (r.value > b.value ? r : b));
  const bar = best.value - best.se;
  const chosen = bySimplicity.find((r) => r.value >= bar) ?? best;
  return {
    rule: metric === "empc" ? SELECTION_RULE.replace("CV ROC-AUC", "CV EMPC") : SELECTION_RULE,
    metric,
    best: best.name,
    best_mean_auc: best.mean_auc,
    best_se_auc: best.se_auc,
    best_mean: best.value,
    best_se: best.se,
    bar,
    chosen: chosen.name,
    candidates: bySimplicity.map(({ value, se: _se, ...r }) => ({ ...r, within_one_se: value >= bar })),
  };
}
