// Per-customer explanations: TreeSHAP additivity on real Telco XGBoost and forest models, agreement with brute-force
// Shapley values on tiny trees, linear contributions adding up to the logit, and one-hot, indicator and derived columns
// folded to raw fields (each raw field once, the total unchanged).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { cleanFile } from "../../lib/cleaning";
import {
  aggregateByField,
  attributeColumns,
  bruteForceTreeShapley,
  ensembleMargin,
  explainCustomer,
  fieldOf,
  linearContributions,
  nodeExpectations,
  pathAttribution,
  rawFieldShares,
  reasonsFor,
  reasonsFromFields,
  topReasons,
  treeShap,
} from "../../lib/inspection";
import type { Tree, TreeEnsemble } from "../../lib/models/trees";
import { LogisticRegressionModel } from "../../lib/models/logistic";
import { RandomForestModel } from "../../lib/models/forest";
import { XGBoostClassifier } from "../../lib/models";
import { createModel, modelsReady } from "../../lib/models/registry";
import { FeaturePipeline } from "../../lib/features/pipeline";
import { DERIVED_FEATURES } from "../../lib/features/derived";
import { type Customer, FEATURE_COLUMNS } from "../../lib/core/schema";
import { PipelineScorer, SoftVoteScorer } from "../../lib/artifact/scorer";
import { shuffled } from "../../lib/core/split";

import { memo, rawFile, reasonProblems } from "../support";

const customers = memo(() => shuffled(cleanFile(rawFile("telco-customer-churn.csv")).customers, seedrandom("explain-test")));
const train = memo(() => customers().slice(0, 400));
const probe = memo(() => customers().slice(400, 460));
const label = (c: Customer): number => (c.Churn === "Yes" ? 1 : 0);

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] as number;
  return s;
}

const RAW = new Set<string>(FEATURE_COLUMNS);

/** A tree from pre-order node lists; internal node means are irrelevant to TreeSHAP here (leaves and covers are). */
function makeTree(nodes: { f: number; t?: number; l?: number; r?: number; v?: number; c: number; dl?: number }[]): Tree {
  return {
    left: Int32Array.from(nodes.map((n) => n.l ?? -1)),
    right: Int32Array.from(nodes.map((n) => n.r ?? -1)),
    feature: Int32Array.from(nodes.map((n) => n.f)),
    threshold: Float64Array.from(nodes.map((n) => n.t ?? NaN)),
    defaultLeft: Uint8Array.from(nodes.map((n) => n.dl ?? 1)),
    value: Float64Array.from(nodes.map((n) => n.v ?? 0)),
    cover: Float64Array.from(nodes.map((n) => n.c)),
    gain: new Float64Array(nodes.length),
  };
}

/** Depth-3 tree with feature 0 split twice on one path (exercises the unwind step), plus a second tree. */
const tiny: TreeEnsemble = {
  nFeatures: 4,
  baseMargin: 0.25,
  link: "logistic",
  trees: [
    makeTree([
      { f: 0, t: 0.5, l: 1, r: 6, c: 100 },
      { f: 1, t: 0.3, l: 2, r: 5, c: 60 },
      { f: 0, t: 0.2, l: 3, r: 4, c: 45 },
      { f: -1, v: -1.2, c: 20 },
      { f: -1, v: 0.4, c: 25 },
      { f: -1, v: 0.9, c: 15 },
      { f: 2, t: 0.7, l: 7, r: 8, c: 40 },
      { f: -1, v: 1.5, c: 10 },
      { f: -1, v: -0.3, c: 30 },
    ]),
    makeTree([
      { f: 2, t: 0.1, l: 1, r: 2, c: 100 },
      { f: -1, v: 0.2, c: 35 },
      { f: 3, t: 0.6, l: 3, r: 4, c: 65 },
      { f: -1, v: -0.5, c: 50 },
      { f: 1, t: 0.8, l: 5, r: 6, c: 15, dl: 0 },
      { f: -1, v: 0.7, c: 5 },
      { f: -1, v: 2.0, c: 10 },
    ]),
  ],
};

describe("TreeSHAP", () => {
  test("agrees with brute-force exact Shapley values on tiny trees (and is additive)", () => {
    const rng = seedrandom("tiny");
    for (let r = 0; r < 200; r++) {
      const x = Float64Array.from({ length: 4 }, () => (rng() < 0.05 ? NaN : rng()));
      const shap = treeShap(tiny, x);
      const brute = bruteForceTreeShapley(tiny, x);
      for (let j = 0; j < 4; j++) assert.ok(Math.abs((shap.values[j] as number) - (brute[j] as number)) < 1e-12, `row ${r} feature ${j}`);
      assert.ok(Math.abs(shap.expectedValue + sum(shap.values) - ensembleMargin(tiny, x)) < 1e-12);
    }
  });

  test("XGBoost on Telco: SHAP values plus the expected value give the logit margin to 1e-6", async () => {
    await modelsReady();
    const pipeline = FeaturePipeline.fit(train());
    const model = createModel("xgboost", { nRounds: 50, maxDepth: 4, seed: 1 }) as XGBoostClassifier;
    model.fit(pipeline.transformMany(train()), train().map(label));
    const ensemble = model.treeStructure();
    for (const c of probe()) {
      const x = pipeline.transform(c);
      const shap = treeShap(ensemble, x);
      const margin = model.predictMargin(x);
      assert.ok(
        Math.abs(shap.expectedValue + sum(shap.values) - margin) < 1e-6,
        `${c.customerID}: ${shap.expectedValue + sum(shap.values)} vs ${margin}`,
      );
      assert.ok(Math.abs(shap.output - margin) < 1e-6);
    }
    // Real trees (depth 4 on one-hot columns) against brute force, on the first two trees alone.
    const small: TreeEnsemble = { ...ensemble, trees: ensemble.trees.slice(0, 2) };
    for (const c of probe().slice(0, 10)) {
      const x = pipeline.transform(c);
      const shap = treeShap(small, x);
      const brute = bruteForceTreeShapley(small, x);
      for (let j = 0; j < x.length; j++) assert.ok(Math.abs((shap.values[j] as number) - (brute[j] as number)) < 1e-9);
    }
  });

  test("random forest on Telco: SHAP values plus the expected value give the probability to 1e-6", () => {
    const pipeline = FeaturePipeline.fit(train());
    const model = createModel("random_forest", { nEstimators: 20, bins: 32, seed: 3 }) as RandomForestModel;
    model.fit(pipeline.transformMany(train()), train().map(label));
    const ensemble = model.treeStructure();
    assert.equal(ensemble.link, "identity");
    for (const c of probe()) {
      const x = pipeline.transform(c);
      const shap = treeShap(ensemble, x);
      const p = model.predictOne(x);
      assert.ok(
        Math.abs(shap.expectedValue + sum(shap.values) - p) < 1e-6,
        `${c.customerID}: ${shap.expectedValue + sum(shap.values)} vs ${p}`,
      );
    }
  });
});

describe("decision-path attribution (the API's reasons)", () => {
  /** The textbook walk: at each split on the row's path, the split's feature gets child expectation minus node's. */
  function referencePath(ensemble: TreeEnsemble, x: ArrayLike<number>): { values: Float64Array; expectedValue: number } {
    const values = new Float64Array(ensemble.nFeatures);
    let expectedValue = ensemble.baseMargin;
    for (const t of ensemble.trees) {
      const e = nodeExpectations(t);
      expectedValue += e[0] as number;
      let i = 0;
      while ((t.left[i] as number) >= 0) {
        const v = x[t.feature[i] as number] as number;
        const c = (
          Number.isNaN(v) ? (t.defaultLeft[i] ? t.left[i] : t.right[i]) : v < (t.threshold[i] as number) ? t.left[i] : t.right[i]
        ) as number;
        values[t.feature[i] as number] = (values[t.feature[i] as number] as number) + (e[c] as number) - (e[i] as number);
        i = c;
      }
    }
    return { values, expectedValue };
  }

  test("XGBoost (padded fast path) and a deep forest (tree walk) equal the textbook walk and add up to the margin", async () => {
    await modelsReady();
    const pipeline = FeaturePipeline.fit(train());
    const xgb = createModel("xgboost", { nRounds: 60, maxDepth: 5, seed: 2 }) as XGBoostClassifier;
    xgb.fit(pipeline.transformMany(train()), train().map(label));
    const forest = createModel("random_forest", { nEstimators: 10, bins: 32, seed: 4 }) as RandomForestModel;
    forest.fit(pipeline.transformMany(train()), train().map(label));
    for (const [ensemble, output] of [
      [xgb.treeStructure(), (x: Float64Array) => xgb.predictMargin(x)],
      [forest.treeStructure(), (x: Float64Array) => forest.predictOne(x)],
    ] as const) {
      for (const c of probe()) {
        const x = pipeline.transform(c);
        const fast = pathAttribution(ensemble, x);
        const ref = referencePath(ensemble, x);
        assert.ok(Math.abs(fast.expectedValue - ref.expectedValue) < 1e-9);
        for (let j = 0; j < x.length; j++)
          assert.ok(Math.abs((fast.values[j] as number) - (ref.values[j] as number)) < 1e-9, `column ${j}`);
        assert.ok(Math.abs(fast.expectedValue + sum(fast.values) - output(x)) < 1e-6);
        assert.ok(Math.abs(fast.output - output(x)) < 1e-6);
      }
    }
    // A missing value takes the node's default direction (the tree walk, not the padded layout).
    const x = pipeline.transform(probe()[0] as Customer);
    x[0] = Number.NaN;
    const withNaN = pathAttribution(xgb.treeStructure(), x);
    const ref = referencePath(xgb.treeStructure(), x);
    for (let j = 0; j < x.length; j++) assert.ok(Math.abs((withNaN.values[j] as number) - (ref.values[j] as number)) < 1e-9);
  });
});

describe("linear contributions", () => {
  test("sum to the logit minus the average customer's logit", () => {
    const pipeline = FeaturePipeline.fit(train(), { scale: "all" });
    const model = createModel("logistic_regression", {}) as LogisticRegressionModel;
    model.fit(pipeline.transformMany(train()), train().map(label));
    const { intercept, coefficients } = model.coefficients();
    for (const c of probe()) {
      const x = pipeline.transform(c);
      const a = linearContributions(coefficients, intercept, x);
      const p = model.predictOne(x);
      const logit = Math.log(p / (1 - p));
      assert.ok(Math.abs(a.output - logit) < 1e-9);
      assert.ok(Math.abs(a.expectedValue + sum(a.values) - logit) < 1e-9);
      assert.equal(a.expectedValue, intercept); // standardized columns: the training mean is 0
    }
    const means = Float64Array.from(coefficients, (_, j) => j / 10);
    const x = pipeline.transform(probe()[0] as Customer);
    const a = linearContributions(coefficients, intercept, x, means);
    assert.ok(Math.abs(a.expectedValue + sum(a.values) - a.output) < 1e-9);
  });
});

describe("reasons by raw field", () => {
  test("fieldOf maps one-hot, missing-indicator and derived columns back to their field", () => {
    assert.equal(fieldOf("Contract=Month-to-month"), "Contract");
    assert.equal(fieldOf("tenure"), "tenure");
    assert.equal(fieldOf("tenure_missing"), "tenure");
    assert.equal(fieldOf("tenure_band=0-6"), "tenure_band");
    assert.equal(fieldOf("Contract=__unknown__"), "Contract");
  });

  test("rawFieldShares: raw columns go whole to their field, derived ones equally to their distinct inputs", () => {
    assert.deepEqual(rawFieldShares("tenure"), [{ field: "tenure", share: 1 }]);
    assert.deepEqual(rawFieldShares("Contract=__unknown__"), [{ field: "Contract", share: 1 }]);
    assert.deepEqual(rawFieldShares("TotalCharges_missing"), [{ field: "TotalCharges", share: 1 }]);
    assert.deepEqual(rawFieldShares("tenure_band=0-6"), [{ field: "tenure", share: 1 }]);
    assert.deepEqual(rawFieldShares("tenure_band_missing"), [{ field: "tenure", share: 1 }]);
    assert.deepEqual(rawFieldShares("contract_payment=monthly/echeck"), [
      { field: "Contract", share: 0.5 },
      { field: "PaymentMethod", share: 0.5 },
    ]);
    assert.deepEqual(rawFieldShares("has_family"), rawFieldShares("has_family_missing"));
    for (const f of DERIVED_FEATURES) {
      const shares = rawFieldShares(f.name);
      assert.deepEqual(shares.map((s) => s.field).sort(), [...new Set(f.inputs)].sort(), f.name);
      for (const s of shares) assert.equal(s.share, 1 / shares.length, `${f.name}: equal shares`);
      assert.ok(Math.abs(sum(shares.map((s) => s.share)) - 1) < 1e-12, `${f.name}: shares sum to 1`);
    }
    assert.throws(() => rawFieldShares("loyalty_score=high"), /loyalty_score=high comes from loyalty_score, which is neither/);
    assert.throws(() => aggregateByField(["tenure", "mystery"], [1, 2]), /mystery/);
  });

  test("topReasons sums one-hot, indicator and derived columns into raw fields and words them", () => {
    const names = ["tenure", "tenure_missing", "Contract=Month-to-month", "Contract=Two year", "Contract=__unknown__", "tenure_band=0-6"];
    const values = [0.1, 0.05, 0.5, 0.12, 0, -0.3];
    const byField = aggregateByField(names, values);
    assert.deepEqual([...byField.keys()], ["tenure", "Contract"]);
    assert.ok(Math.abs((byField.get("Contract") as number) - 0.62) < 1e-12);
    assert.ok(Math.abs((byField.get("tenure") as number) - (0.1 + 0.05 - 0.3)) < 1e-12, "tenure_band's -0.30 goes to tenure");
    const c = { ...(customers().find((x) => x.Contract === "Month-to-month" && x.tenure !== null && x.tenure <= 6) as Customer) };
    const reasons = topReasons(names, values, c, 5);
    assert.equal(reasons.length, 2, "two raw fields, however many columns");
    assert.equal(reasons[0]?.field, "Contract");
    assert.equal(reasons[0]?.text, "Contract is Month-to-month: +0.62 to the churn log-odds");
    assert.equal(reasons[1]?.field, "tenure");
    assert.equal(reasons[1]?.value, String(c.tenure));
    assert.equal(reasons[1]?.text, `tenure is ${c.tenure}: -0.15 to the churn log-odds`);
    const missing = topReasons(names, values, { ...c, Contract: null }, 1);
    assert.equal(missing[0]?.text, "Contract is missing: +0.62 to the churn log-odds");
  });

  test("a derived feature made of several fields is split equally, sign kept, and each field is named once", () => {
    // contract_payment -0.40: -0.20 each to Contract and PaymentMethod; services_count +0.90: +0.10 to each of 9 inputs.
    const names = ["Contract=Month-to-month", "contract_payment=monthly/echeck", "services_count", "PhoneService=Yes"];
    const byField = aggregateByField(names, [0.1, -0.4, 0.9, 0.05]);
    const services = DERIVED_FEATURES.find((f) => f.name === "services_count")?.inputs ?? [];
    assert.equal(services.length, 9);
    const expected = new Map<string, number>([
      ["Contract", 0.1 - 0.2],
      ["PaymentMethod", -0.2],
    ]);
    for (const f of services) expected.set(f, (expected.get(f) ?? 0) + 0.1);
    expected.set("PhoneService", (expected.get("PhoneService") as number) + 0.05);
    assert.deepEqual([...byField.keys()].sort(), [...expected.keys()].sort());
    for (const [f, v] of expected) assert.ok(Math.abs((byField.get(f) as number) - v) < 1e-12, `${f}: ${byField.get(f)} vs ${v}`);
    assert.ok(Math.abs(sum([...byField.values()]) - (0.1 - 0.4 + 0.9 + 0.05)) < 1e-12, "the total is unchanged");
    const c = customers()[0] as Customer;
    const reasons = topReasons(names, [0.1, -0.4, 0.9, 0.05], c, FEATURE_COLUMNS.length);
    assert.deepEqual(reasonProblems(reasons), []);
    assert.deepEqual(
      reasons.slice(0, 2).map((r) => [r.field, r.contribution < 0]),
      [
        ["PaymentMethod", true],
        ["PhoneService", false],
      ],
    );
  });

  test("reasonsFromFields folds a map keyed by derived fields too, so no caller can list one", () => {
    const c = customers()[0] as Customer;
    const byField = new Map([
      ["tenure", 0.2],
      ["tenure_band", 0.3],
      ["contract_payment", -0.4],
      ["Contract", 0.1],
    ]);
    const reasons = reasonsFromFields(byField, c, 10, "log-odds");
    assert.deepEqual(reasonProblems(reasons), []);
    assert.deepEqual(
      reasons.map((r) => r.field),
      ["tenure", "PaymentMethod", "Contract"],
    );
    assert.ok(Math.abs((reasons[0]?.contribution as number) - 0.5) < 1e-12);
    assert.ok(Math.abs((reasons[2]?.contribution as number) + 0.1) < 1e-12);
    // The check itself catches each kind of mistake.
    assert.equal(reasonProblems([{ field: "tenure_band", contribution: 1 }]).length, 2);
    assert.equal(reasonProblems([{ field: "Contract=Two year", contribution: 1 }]).length, 2);
    assert.deepEqual(
      reasonProblems([
        { field: "tenure", contribution: 1 },
        { field: "tenure", contribution: 0.5 },
      ]),
      ["tenure appears twice"],
    );
  });

  test("explainCustomer adds up for pipeline scorers and a soft vote, and names raw fields", async () => {
    await modelsReady();
    const y = train().map(label);
    const lr = PipelineScorer.fit("lr", "logistic_regression", {}, { scale: "all" }, train(), y);
    const xgb = PipelineScorer.fit("xgb", "xgboost", { nRounds: 30, maxDepth: 3 }, {}, train(), y);
    const rf = PipelineScorer.fit("rf", "random_forest", { nEstimators: 20, bins: 32 }, {}, train(), y);
    const vote = new SoftVoteScorer("vote", [lr, xgb, rf], [1, 2, 1]);
    const all = FEATURE_COLUMNS.length;
    for (const c of probe().slice(0, 20)) {
      for (const s of [lr, xgb, rf]) {
        const e = explainCustomer(s, c, 3);
        assert.ok(Math.abs(e.expectedValue + sum(Object.values(e.fields)) - e.output) < 1e-6, `${s.name}`);
        const p = e.unit === "log-odds" ? 1 / (1 + Math.exp(-e.output)) : e.output;
        assert.ok(Math.abs(p - s.scoreOne(c)) < 1e-6, `${s.name}: explained output is the score`);
        assert.equal(e.reasons.length, 3);
        assert.deepEqual(reasonProblems(e.reasons), [], s.name);
        for (const f of Object.keys(e.fields)) assert.ok(RAW.has(f), `${s.name}: fields holds ${f}`);
        // Folded to raw fields, the contributions still add up to the per-column ones, for both tree methods.
        for (const trees of ["tree_shap", "path"] as const) {
          const columns = sum(attributeColumns(s, c, trees).attribution.values);
          const every = explainCustomer(s, c, all, { trees });
          assert.ok(Math.abs(sum(Object.values(every.fields)) - columns) < 1e-9, `${s.name} ${trees}: fields add up to the columns`);
          assert.ok(Math.abs(sum(every.reasons.map((r) => r.contribution)) - columns) < 1e-9, `${s.name} ${trees}: so do all reasons`);
          assert.deepEqual(reasonProblems(every.reasons), [], `${s.name} ${trees}`);
          assert.deepEqual(reasonsFor(s, c, all, { trees }), every.reasons);
        }
      }
      const v = explainCustomer(vote, c, all);
      assert.equal(v.unit, "probability");
      assert.deepEqual(reasonProblems(v.reasons), []);
      assert.ok(Math.abs(v.expectedValue + sum(Object.values(v.fields)) - v.output) < 1e-9);
      assert.ok(Math.abs(v.expectedValue + sum(v.reasons.map((r) => r.contribution)) - v.output) < 1e-9);
      assert.ok(Math.abs(v.output - vote.scoreOne(c)) < 1e-6);
    }
  });

  test("k-NN cannot be explained: refused alone, skipped (and named) inside a soft vote", () => {
    const y = train().map(label);
    const knn = PipelineScorer.fit("knn", "knn", {}, { scale: "all" }, train(), y);
    const lr = PipelineScorer.fit("lr", "logistic_regression", {}, { scale: "all" }, train(), y);
    const c = probe()[0] as Customer;
    assert.throws(() => explainCustomer(knn, c), /cannot explain a knn model/);
    const v = explainCustomer(new SoftVoteScorer("vote", [knn, lr], [1, 1]), c, 2);
    assert.deepEqual(v.skipped, ["knn"]);
    assert.equal(v.reasons.length, 2);
    assert.ok(Math.abs(v.output - lr.scoreOne(c)) < 1e-9);
    assert.ok(Math.abs(v.expectedValue + sum(Object.values(v.fields)) - v.output) < 1e-9);
  });
});
