// The artifacts' types: model.json, metrics.json, split.json and study.json as `churn train` and `churn study` write
// them, and how each names the data file it came from. Every reader imports them from here, never from training.
import type { ValueAssumptions } from "../evaluation/business";
import type { EmpcParams } from "../evaluation/empc";
import type { Scorecard } from "../evaluation/metrics";
import type { ReferenceStatistics } from "./reference";
import type { ColumnName } from "../core/schema";
import type { SerializedScorer } from "./scorer";
import type { Split } from "../core/split";

/** The schema name every model file carries. */
export const MODEL_SCHEMA = "churn-model";

/** What each artifact says about the file it came from; every artifact of a run names the same sha256. */
export interface DataRef {
  /** The file's name as given to the command (its base name). */
  file: string;
  sha256: string;
}

export type Imbalance = "none" | "weights" | "oversample";

export interface ModelReport {
  family: string;
  params: Record<string, unknown>;
  /** Cross-validation of the chosen candidate; null for the ensemble, which is judged on validation only. */
  cv: { folds: number; mean_auc: number | null; sd_auc: number | null; candidates: number };
  validation: Scorecard;
  test: Scorecard;
  fit_seconds: number;
}

/** One candidate of the model selection (training/selection.ts). */
export interface SelectionRow {
  name: string;
  mean_auc: number;
  /** Standard error of the mean: fold sd / sqrt(folds). */
  se_auc: number;
  /** Mean and standard error of EMPC over the folds (evaluation/empc.ts). Absent in older files. */
  mean_empc?: number;
  se_empc?: number;
  /** Within one standard error of the best by the selection's metric. */
  within_one_se: boolean;
}

export interface Selection {
  rule: string;
  /** What the rule compared: CV ROC-AUC (default) or CV EMPC (`churn train --select-by empc`). Absent in older files: ROC-AUC. */
  metric?: "roc_auc" | "empc";
  /** The best candidate's mean and standard error in the metric's units (the bar is best_mean - best_se). */
  best_mean?: number;
  best_se?: number;
  /** The candidate with the best mean CV ROC-AUC. */
  best: string;
  best_mean_auc: number;
  /** The best candidate's standard error; the bar is best_mean_auc - best_se_auc. */
  best_se_auc: number;
  bar: number;
  chosen: string;
  candidates: SelectionRow[];
}

export interface MetricsFile {
  best_model: string;
  /** The saved model's threshold (after calibration, when a calibrator is kept). */
  threshold: number;
  calibration: { choice: string; validation: Scorecard; test: Scorecard };
  seed: number;
  quick: boolean;
  dataset: {
    file: string;
    sha256: string;
    customers: number;
    labeled: number;
    churn_rate: number;
    train: number;
    validation: number;
    test: number;
  };
  models: Record<string, ModelReport>;
  /** The one-standard-error rule on CV ROC-AUC over the families' tuned candidates and their soft vote. */
  selection: Selection;
  /** The soft vote of the best k families by CV; kept when the selection chooses it. */
  ensemble: { members: string[]; kept: boolean; cv_auc: number; validation_auc: number };
  /** Every candidate: those cut after the first folds of successive halving have `folds` < the full count. */
  tuning: { family: string; params: Record<string, unknown>; mean_auc: number; sd_auc: number; folds: number; seconds: number }[];
  seconds: { total: number; tuning: number };
}

export interface ModelFile {
  schema: typeof MODEL_SCHEMA;
  schemaVersion: number;
  /** Version of this project (package.json) that trained the model. */
  version: string;
  createdAt: string;
  seed: number;
  name: string;
  threshold: number;
  cleaningRules: readonly string[];
  scorer: SerializedScorer;
  reference: ReferenceStatistics;
  training: { dataSha256: string; rows: number; positives: number; split: "train+validation" };
  metrics: { validation: Scorecard; test: Scorecard };
  /** Calibrator kept on validation ("none" when it would not lower Brier without hurting ranking). */
  calibration: {
    choice: string;
    rule: string;
    validation: Record<string, { brier: number; roc_auc: number; log_loss: number; ece: number }>;
  };
  /** Retention value assumptions the business view uses by default (lib/evaluation/business.ts). */
  business: {
    assumptions: ValueAssumptions;
    /**
     * The campaign plan chosen on validation (evaluation/campaign.ts): contact scores >= `contactThreshold` (the
     * value-maximizing threshold within the contact capacity and budget); `watchThreshold` bounds the next group of the
     * same size. The API's risk bands are these: high (contact), medium (watch), low. Absent in older model files.
     */
    campaign?: { contactThreshold: number; watchThreshold: number; capacityShare: number; budgetPer1000: number };
    /** The EMPC parameters every scorecard of this model used (evaluation/empc.ts; default the paper's). Absent in older files. */
    empc?: EmpcParams;
  };
  /**
   * The model's own held-out customers (the test split), scored by the saved model: the sampling-error bands of the
   * label-free performance estimate in `churn drift` (monitoring/cbpe.ts). Absent in older model files.
   */
  performanceReference?: { split: "test"; scores: number[]; labels: number[] };
  /** sha256 of every other field (lib/artifact/model-file.ts); the loader refuses a file whose content does not match. */
  checksum: string;
}

/** split.json: the customer IDs of each part, and the file they came from. */
export type SplitFile = Split & { data: DataRef };

export interface ImbalanceRow {
  family: string;
  strategy: Imbalance | "threshold moving";
  roc_auc: number;
  pr_auc: number;
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface PermutationRow {
  column: ColumnName;
  /** Mean drop of validation ROC-AUC when the column is shuffled, over the repeats. */
  mean: number;
  sd: number;
}

export interface NativeImportance {
  family: string;
  measure: string;
  top: { feature: string; importance: number }[];
}

export interface CvComparison {
  variant: string;
  family: string;
  mean_auc: number;
  sd_auc: number;
  /** Difference to the reference variant (all features). */
  delta: number;
}

export interface StudyFile {
  seed: number;
  quick: boolean;
  folds: number;
  imbalance: ImbalanceRow[];
  permutation: { model: string; repeats: number; baseline_auc: number; rows: PermutationRow[] };
  native: NativeImportance[];
  selection: { family: string; dropped: ColumnName[]; comparison: CvComparison[]; kept: boolean };
  ablation: CvComparison[];
  /** The export studied: the same file churn train used. */
  data: DataRef;
  seconds: number;
}

/** The family whose learner the selected model is, or for the soft vote its best member by CV: what studies of "the served model" study. */
export function selectedFamily(m: Pick<MetricsFile, "best_model" | "ensemble">): string {
  return m.best_model === "ensemble" ? (m.ensemble.members[0] ?? m.best_model) : m.best_model;
}

/**
 * The lowest scores of the high and medium risk bands: by the campaign plan saved with the model (high: the customers
 * the plan contacts; medium: the next group of the same size), or for model files without a plan, the threshold and
 * the training churn rate.
 */
export function riskBandThresholds(file: Pick<ModelFile, "threshold" | "business" | "reference">): { high: number; medium: number } {
  const plan = file.business?.campaign;
  return plan ? { high: plan.contactThreshold, medium: plan.watchThreshold } : { high: file.threshold, medium: file.reference.churnRate };
}
