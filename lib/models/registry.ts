// Learner kinds by name: create from parameters, load from JSON. The only place that knows every learner.
import type { Classifier, SerializedClassifier } from "./classifier";
import { createForest, loadForest } from "./forest";
import { createKnn, loadKnn } from "./knn";
import { createLogistic, loadLogistic } from "./logistic";
import { createXGBoost, loadXGBoost } from "./xgboost";
import { xgboostReady } from "./xgboost-wasm";

const LEARNERS: Record<string, { create: (p: Record<string, unknown>) => Classifier; load: (s: SerializedClassifier) => Classifier }> = {
  logistic_regression: { create: createLogistic, load: loadLogistic },
  random_forest: { create: createForest, load: loadForest },
  knn: { create: createKnn, load: loadKnn },
  xgboost: { create: createXGBoost, load: loadXGBoost },
};

export const LEARNER_KINDS: readonly string[] = Object.keys(LEARNERS);

/** Resolves once learners that need asynchronous set-up (XGBoost's WASM, for training) are usable. */
export async function modelsReady(): Promise<void> {
  await xgboostReady();
}

function learner(kind: string): (typeof LEARNERS)[string] {
  const entry = Object.hasOwn(LEARNERS, kind) ? LEARNERS[kind] : undefined;
  if (!entry) throw new RangeError(`unknown learner kind ${JSON.stringify(kind)}; known: ${LEARNER_KINDS.join(", ")}`);
  return entry;
}

export function createModel(kind: string, params: Record<string, unknown>): Classifier {
  return learner(kind).create(params);
}

export function loadModel(serialized: SerializedClassifier): Classifier {
  return learner(serialized.kind).load(serialized);
}
