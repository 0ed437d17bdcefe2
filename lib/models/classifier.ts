// The one small interface every learner implements, so CV, tuning, ensembling and serving treat them alike.
import type { Labels, Matrix } from "../core/matrix";
import type { TreeEnsemble } from "./trees";

export interface FitOptions {
  /** Per-row weights (class weighting); learners that cannot use them say so in `capabilities`. */
  sampleWeights?: ArrayLike<number>;
}

export interface Capabilities {
  sampleWeights: boolean;
  /** Needs standardized inputs to behave (distance or gradient based). */
  needsScaling: boolean;
}

export interface SerializedClassifier {
  kind: string;
  params: Record<string, unknown>;
  state: unknown;
}

export interface Classifier {
  readonly kind: string;
  readonly params: Record<string, unknown>;
  readonly capabilities: Capabilities;
  fit(X: Matrix, y: Labels, options?: FitOptions): void;
  /** Probability of churn for each row, in [0, 1]. */
  predictProba(X: Matrix): Float64Array;
  /** Probability of churn for one row; the serving hot path. */
  predictOne(x: Float64Array): number;
  toJSON(): SerializedClassifier;
  /** Importance per input column in the learner's own terms (impurity, gain, |standardized coefficient|), if any. */
  nativeImportance?(): Float64Array | null;
  /** Tree learners: the trees (covers, gains, node means, default directions) TreeSHAP and inspection read. Do not mutate. */
  treeStructure?(): TreeEnsemble;
  /** Linear learners: the logit's intercept and coefficients on the model's inputs. */
  coefficients?(): { intercept: number; coefficients: Float64Array };
}

export type ClassifierFactory = (params: Record<string, unknown>) => Classifier;
