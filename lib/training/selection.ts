// Model selection by the one-standard-error rule on cross-validated ROC-AUC: among the tuned candidates, the simplest
// whose mean fold ROC-AUC is within one standard error of the best's.
//
// Why not "the best on validation": on this data the families' validation ROC-AUCs lie within 0.001-0.004 of each
// other, while one validation AUC has a bootstrap sd of about 0.01 — the winner changed with the data file. The
// one-SE rule (Breiman et al. 1984; Hastie, Tibshirani & Friedman, ESL 7.10) takes the noise of the estimate into
// account and breaks near-ties towards the model that is cheapest to serve and to explain.
import { rocAuc } from "../evaluation/metrics";
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
}

/** ROC-AUC of out-of-fold scores on each fold's held-out rows. */
export function foldAucs(data: CvData, oof: ArrayLike<number>): number[] {
  return data.folds.map((fold) => {
    const scores = fold.validation.map((i) => oof[i] as number);
    if (scores.some((s) => !Number.isFinite(s))) throw new Error("out-of-fold scores are missing for some rows of a fold");
    return rocAuc(
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

/** Applies the one-standard-error rule; ties on mean go to the simpler candidate. */
export function selectByOneStandardError(candidates: readonly CvCandidate[]): Selection {
  if (candidates.length === 0) throw new Error("no candidate to select from");
  const rows = candidates.map((c) => {
    if (c.foldAucs.length < 2) throw new Error(`candidate ${c.name} has ${c.foldAucs.length} fold(s); the rule needs at least 2`);
    simplicity(c.name);
    return {
      name: c.name,
      mean_auc: ss.mean([...c.foldAucs]),
      se_auc: ss.sampleStandardDeviation([...c.foldAucs]) / Math.sqrt(c.foldAucs.length),
    };
  });
  const bySimplicity = [...rows].sort((a, b) => simplicity(a.name) - simplicity(b.name));
  const best = bySimplicity.reduce((b, r) => (r.mean_auc > b.mean_auc ? r : b));
  const bar = best.mean_auc - best.se_auc;
  const chosen = bySimplicity.find((r) => r.mean_auc >= bar) ?? best;
  return {
    rule: SELECTION_RULE,
    best: best.name,
    best_mean_auc: best.mean_auc,
    best_se_auc: best.se_auc,
    bar,
    chosen: chosen.name,
    candidates: bySimplicity.map((r) => ({ ...r, within_one_se: r.mean_auc >= bar })),
  };
}
