// Per-customer reasons: exact additive contributions (linear: coefficient x deviation from the average customer;
// trees: TreeSHAP or decision paths), folded from model columns back to raw fields, for any scorer of a model file.
import { sigmoid } from "../models/trees";
import type { Customer } from "../core/schema";
import { type PipelineScorer, type Scorer, SoftVoteScorer, CalibratedScorer } from "../artifact/scorer";
import { type Attribution, linearContributions } from "./attribution";
import { type ContributionUnit, type Reason, aggregateByField, reasonsFromFields, topReasons } from "./reasons";
import { pathAttribution, treeShap } from "./tree-shap";

/** How tree learners are explained: exact path-dependent TreeSHAP, or the O(depth) decision-path attribution. */
export type TreeMethod = "tree_shap" | "path";

export interface ExplainOptions {
  /** Default "tree_shap"; "path" is ~100-1000x cheaper and what the API uses (see pathAttribution). */
  trees?: TreeMethod;
}

export interface CustomerExplanation {
  scorer: string;
  /** How the contributions were computed. */
  method: "linear" | TreeMethod | "soft_vote";
  unit: ContributionUnit;
  /** Churn probability the scorer gives the customer. */
  probability: number;
  /** Output for the reference customer, in `unit`. */
  expectedValue: number;
  /** Output explained, in `unit`: expectedValue + sum of all field contributions. */
  output: number;
  /**
   * Every raw customer field's contribution, in `unit`: one-hot and indicator columns summed into their field, derived
   * features split equally among their inputs (rawFieldShares). They add up to output - expectedValue.
   */
  fields: Record<string, number>;
  reasons: Reason[];
  /** Soft-vote members left out because their learner cannot be explained (k-NN). */
  skipped?: string[];
}

function hasMethod<T extends string>(o: unknown, name: T): o is Record<T, () => unknown> {
  return typeof (o as Record<string, unknown> | null)?.[name] === "function";
}

/** Column-level attribution of one pipeline scorer on one customer, in the learner's own units. */
export function attributeColumns(
  scorer: PipelineScorer,
  customer: Customer,
  trees: TreeMethod = "tree_shap",
): { attribution: Attribution; unit: ContributionUnit; method: "linear" | TreeMethod } {
  const x = scorer.pipeline.transform(customer);
  const model = scorer.classifier;
  if (model.coefficients) {
    const { intercept, coefficients } = model.coefficients();
    return { attribution: linearContributions(coefficients, intercept, x), unit: "log-odds", method: "linear" };
  }
  const ensemble = model.treeStructure?.();
  if (!ensemble) throw new Error(`cannot explain a ${model.kind} model: only linear and tree learners are supported`);
  const attribution = trees === "path" ? pathAttribution(ensemble, x) : treeShap(ensemble, x);
  return { attribution, unit: ensemble.link === "logistic" ? "log-odds" : "probability", method: trees };
}

/**
 * Explains one customer's score by raw field, and the k strongest reasons.
 *
 * - Logistic regression: exact coef x (x - mean) on the standardized design, in log-odds, against the average customer.
 * - XGBoost: TreeSHAP in log-odds; random forest: TreeSHAP in probability.
 * - Soft vote: each explainable member is explained and its contributions are put in probability space by scaling them
 *   with (p - p0) / (margin - margin0) (p0 = sigmoid of the member's expected margin), so they still add up exactly to
 *   the member's probability minus its reference probability; members are then averaged with the vote weights
 *   (renormalized over explained members). The result adds up exactly to the vote's probability (over explained
 *   members) minus the weighted reference probability. k-NN members cannot be explained and are listed in `skipped`.
 */
export function explainCustomer(scorer: Scorer, customer: Customer, k = 3, options: ExplainOptions = {}): CustomerExplanation {
  // A calibrator is monotone: the reasons are those of the model it calibrates, the probability the calibrated one.
  if (scorer instanceof CalibratedScorer)
    return { ...explainCustomer(scorer.base, customer, k, options), probability: scorer.scoreOne(customer) };
  if (scorer instanceof SoftVoteScorer) return explainSoftVote(scorer, customer, k, options);
  if (!hasMethod(scorer, "scoreOne") || !("pipeline" in scorer) || !("classifier" in scorer)) {
    throw new Error(`cannot explain scorer ${scorer.name}: not a pipeline scorer or soft vote`);
  }
  const ps = scorer as unknown as PipelineScorer;
  const { attribution, unit, method } = attributeColumns(ps, customer, options.trees);
  const byField = aggregateByField(ps.pipeline.featureNames, attribution.values);
  return {
    scorer: ps.name,
    method,
    unit,
    probability: ps.scoreOne(customer),
    expectedValue: attribution.expectedValue,
    output: attribution.output,
    fields: Object.fromEntries(byField),
    reasons: reasonsFromFields(byField, customer, k, unit),
  };
}

/**
 * Only the k strongest reasons of explainCustomer, without the per-field record and the probability: the API's path.
 * Same reasons as explainCustomer(scorer, customer, k, options).reasons.
 */
export function reasonsFor(scorer: Scorer, customer: Customer, k = 3, options: ExplainOptions = {}): Reason[] {
  if (k <= 0) return [];
  if (scorer instanceof CalibratedScorer) return reasonsFor(scorer.base, customer, k, options);
  if (scorer instanceof SoftVoteScorer) return explainSoftVote(scorer, customer, k, options).reasons;
  const ps = scorer as unknown as PipelineScorer;
  const { attribution, unit } = attributeColumns(ps, customer, options.trees);
  return reasonsFromFields(aggregateByField(ps.pipeline.featureNames, attribution.values), customer, k, unit);
}

function explainSoftVote(scorer: SoftVoteScorer, customer: Customer, k: number, options: ExplainOptions): CustomerExplanation {
  const fields = new Map<string, number>();
  const skipped: string[] = [];
  let totalWeight = 0;
  let base = 0;
  let output = 0;
  let probability = 0;
  scorer.members.forEach((member, i) => {
    const w = scorer.weights[i] ?? 0;
    let e: CustomerExplanation;
    try {
      e = explainCustomer(member, customer, 0, options);
    } catch {
      skipped.push(member.name);
      return;
    }
    let scale = 1;
    let p0 = e.expectedValue;
    let p1 = e.output;
    if (e.unit === "log-odds") {
      p0 = sigmoid(e.expectedValue);
      p1 = sigmoid(e.output);
      const dm = e.output - e.expectedValue;
      scale = Math.abs(dm) > 1e-12 ? (p1 - p0) / dm : p1 * (1 - p1);
    }
    totalWeight += w;
    base += w * p0;
    output += w * p1;
    probability += w * e.probability;
    for (const [f, v] of Object.entries(e.fields)) fields.set(f, (fields.get(f) ?? 0) + w * v * scale);
  });
  if (totalWeight <= 0) throw new Error(`cannot explain soft vote ${scorer.name}: no member is explainable`);
  const names = [...fields.keys()];
  const values = names.map((f) => (fields.get(f) as number) / totalWeight);
  const out: CustomerExplanation = {
    scorer: scorer.name,
    method: "soft_vote",
    unit: "probability",
    probability: skipped.length ? scorer.scoreOne(customer) : probability / totalWeight,
    expectedValue: base / totalWeight,
    output: output / totalWeight,
    fields: Object.fromEntries(names.map((f, j) => [f, values[j] as number])),
    reasons: topReasons(names, values, customer, k, "probability"),
  };
  if (skipped.length) out.skipped = skipped;
  return out;
}
