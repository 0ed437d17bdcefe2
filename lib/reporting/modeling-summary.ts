// The modelling decisions the deck states, computed from metrics.json and study.json: how the families rank on
// validation and by how much, and what reweighting and threshold moving did for the selected family.
import type { ImbalanceRow, MetricsFile, ModelReport, StudyFile } from "../artifact/types";

export interface FamilyRanking {
  /** The single families (the ensemble left out), highest validation ROC-AUC first. */
  ranked: { name: string; report: ModelReport }[];
  /** Validation ROC-AUC of the first minus the second (NaN with fewer than two families). */
  lead: number;
  /** Validation ROC-AUC of the first minus the last. */
  spread: number;
}

/** The single families ranked on validation ROC-AUC, the basis of the selection. */
export function familyRanking(metrics: MetricsFile): FamilyRanking {
  const ranked = Object.entries(metrics.models)
    .filter(([name]) => name !== "ensemble")
    .map(([name, report]) => ({ name, report }))
    .sort((a, b) => b.report.validation.roc_auc - a.report.validation.roc_auc);
  const auc = (i: number): number => ranked[i]?.report.validation.roc_auc ?? Number.NaN;
  return { ranked, lead: ranked.length < 2 ? Number.NaN : auc(0) - auc(1), spread: auc(0) - auc(ranked.length - 1) };
}

export interface ImbalanceEffect {
  none: ImbalanceRow;
  weights: ImbalanceRow;
  moved: ImbalanceRow;
  /** PR-AUC with class weights minus without. */
  prAucChange: number;
}

/** The imbalance study's rows for one family (no treatment, class weights, threshold moving); null when one is missing. */
export function imbalanceEffect(study: StudyFile | null, family: string): ImbalanceEffect | null {
  const row = (strategy: ImbalanceRow["strategy"]): ImbalanceRow | undefined =>
    study?.imbalance.find((r) => r.family === family && r.strategy === strategy);
  const none = row("none");
  const weights = row("weights");
  const moved = row("threshold moving");
  if (!none || !weights || !moved) return null;
  return { none, weights, moved, prAucChange: weights.pr_auc - none.pr_auc };
}
