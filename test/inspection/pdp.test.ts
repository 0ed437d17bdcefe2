// Partial dependence with fake scorers whose score is a known function of one column: the curve equals that function
// on the grid, the inputs are left untouched, and the default grids are the deciles or the levels present.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { DECILE_LEVELS, defaultGrid, partialDependence } from "../../lib/inspection/pdp";
import { pdpFigure } from "../../lib/reporting/pdp-chart";
import type { Classifier } from "../../lib/models/classifier";
import { FeaturePipeline } from "../../lib/features/pipeline";
import type { Customer } from "../../lib/core/schema";
import { PipelineScorer, type Scorer } from "../../lib/artifact/scorer";
import { ss } from "../../lib/core/stats";

function customer(i: number, over: Partial<Customer> = {}): Customer {
  return {
    customerID: `C${i}`,
    gender: i % 2 ? "Female" : "Male",
    SeniorCitizen: i % 3 === 0 ? 1 : 0,
    Partner: "Yes",
    Dependents: "No",
    tenure: (i * 7) % 73,
    PhoneService: "Yes",
    MultipleLines: "No",
    InternetService: i % 4 === 0 ? "DSL" : "Fiber optic",
    OnlineSecurity: "No",
    OnlineBackup: "Yes",
    DeviceProtection: "No",
    TechSupport: "No",
    StreamingTV: "Yes",
    StreamingMovies: "No",
    Contract: (["Month-to-month", "One year", "Two year"] as const)[i % 3] ?? "Month-to-month",
    PaperlessBilling: "Yes",
    PaymentMethod: "Electronic check",
    MonthlyCharges: 20 + ((i * 13) % 90) + 0.25,
    TotalCharges: 100 + i * 11.5,
    Churn: i % 5 === 0 ? "Yes" : "No",
    ...over,
  };
}

/** A scorer that is a known function of the customer; counts the rows it scored. */
function fakeScorer(f: (c: Customer) => number): Scorer & { scored: number } {
  const s = {
    name: "fake",
    scored: 0,
    scoreOne: (c: Customer): number => f(c),
    score(customers: readonly Customer[]): Float64Array {
      s.scored += customers.length;
      return Float64Array.from(customers, f);
    },
    toJSON(): never {
      throw new Error("not serializable");
    },
  };
  return s;
}

const customers = Array.from({ length: 50 }, (_, i) => customer(i));

function close(a: number, b: number, tol = 1e-12): void {
  assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
}

describe("partialDependence", () => {
  test("equals the scorer's function of the column on an explicit grid", () => {
    const scorer = fakeScorer((c) => (c.tenure ?? 0) / 100);
    const grid = [0, 12, 24, 60, 72];
    const pd = partialDependence(scorer, customers, "tenure", grid);
    assert.deepEqual(pd.grid, grid);
    assert.equal(pd.kind, "number");
    assert.equal(pd.n, customers.length);
    assert.equal(pd.scorer, "fake");
    pd.average.forEach((v, i) => close(v, (grid[i] as number) / 100));
    assert.equal(scorer.scored, grid.length * customers.length);
  });

  test("averages over the other columns when the score mixes columns", () => {
    const bump = (c: Customer): number => (c.Contract === "Month-to-month" ? 0.2 : 0);
    const scorer = fakeScorer((c) => (c.tenure ?? 0) / 100 + bump(c));
    const meanBump = customers.reduce((s, c) => s + bump(c), 0) / customers.length;
    const pd = partialDependence(scorer, customers, "tenure", [5, 50]);
    close(pd.average[0] as number, 0.05 + meanBump);
    close(pd.average[1] as number, 0.5 + meanBump);
  });

  test("default numeric grid: deciles of the column (ss.quantile), integers for tenure, unique and ascending", () => {
    const tenures = customers.map((c) => c.tenure as number);
    const expected = [...new Set(ss.quantile(tenures, [...DECILE_LEVELS]).map(Math.round))].sort((a, b) => a - b);
    const grid = defaultGrid(customers, "tenure");
    assert.deepEqual(grid, expected);
    assert.equal(grid[0], Math.min(...tenures));
    assert.equal(grid[grid.length - 1], Math.max(...tenures));
    const pd = partialDependence(
      fakeScorer((c) => (c.tenure ?? 0) / 100),
      customers,
      "tenure",
    );
    assert.deepEqual(pd.grid, expected);
    pd.average.forEach((v, i) => close(v, (expected[i] as number) / 100));
  });

  test("default grid of a non-integer column keeps the quantiles; missing values are skipped; duplicates merged", () => {
    const withNull = [...customers, customer(99, { MonthlyCharges: null })];
    const mc = customers.map((c) => c.MonthlyCharges as number);
    assert.deepEqual(defaultGrid(withNull, "MonthlyCharges"), [...new Set(ss.quantile(mc, [...DECILE_LEVELS]))]);
    const constant = customers.map((c) => ({ ...c, tenure: 7 }));
    assert.deepEqual(defaultGrid(constant, "tenure"), [7]);
  });

  test("the input customers are not mutated", () => {
    const before = JSON.parse(JSON.stringify(customers)) as Customer[];
    const frozen = customers.map((c) => Object.freeze({ ...c }));
    partialDependence(
      fakeScorer((c) => (c.tenure ?? 0) / 100),
      frozen,
      "tenure",
      [1, 2, 3],
    );
    partialDependence(
      fakeScorer((c) => (c.Contract === "Two year" ? 1 : 0)),
      customers,
      "Contract",
    );
    assert.deepEqual(customers, before);
  });

  test("categorical grid lists the levels present, in schema order, and PD is the function per level", () => {
    const rate: Record<string, number> = { "Month-to-month": 0.4, "One year": 0.1, "Two year": 0.03 };
    const scorer = fakeScorer((c) => rate[c.Contract ?? ""] ?? Number.NaN);
    const pd = partialDependence(scorer, customers, "Contract");
    assert.equal(pd.kind, "category");
    assert.deepEqual(pd.grid, ["Month-to-month", "One year", "Two year"]);
    pd.average.forEach((v, i) => close(v, rate[pd.grid[i] as string] as number));
    // only the levels present (no "No" internet here), nulls left out
    const some = [...customers.slice(0, 8), customer(100, { InternetService: null })];
    assert.deepEqual(defaultGrid(some, "InternetService"), ["DSL", "Fiber optic"]);
    // SeniorCitizen keeps its numeric values
    assert.deepEqual(defaultGrid(customers, "SeniorCitizen"), [0, 1]);
  });

  test("through a real feature pipeline, derived features follow the changed raw column", () => {
    const pipeline = FeaturePipeline.fit(customers, {});
    const col = pipeline.featureNames.indexOf("tenure_band=0-6");
    assert.ok(col >= 0, "tenure_band=0-6 is a feature");
    // a classifier that answers the derived one-hot "tenure in 0-6 months"
    const stub = {
      kind: "stub",
      params: {},
      capabilities: {},
      fit: (): void => undefined,
      predictOne: (x: Float64Array): number => x[col] as number,
      predictProba: (X: readonly Float64Array[]): Float64Array => Float64Array.from(X, (x) => x[col] as number),
      toJSON: (): never => {
        throw new Error("not serializable");
      },
    } as unknown as Classifier;
    const pd = partialDependence(new PipelineScorer("stub", pipeline, stub), customers, "tenure", [0, 3, 6, 7, 30]);
    assert.deepEqual(pd.average, [1, 1, 1, 0, 0]);
  });

  test("rejects the identifier column and an empty population", () => {
    const scorer = fakeScorer(() => 0.5);
    assert.throws(() => partialDependence(scorer, customers, "customerID"), RangeError);
    assert.throws(() => partialDependence(scorer, [], "tenure", [1]), RangeError);
  });
});

describe("pdpFigure", () => {
  test("one panel per result with consistent lengths and axis titles", () => {
    const a = partialDependence(
      fakeScorer((c) => (c.tenure ?? 0) / 100),
      customers,
      "tenure",
    );
    const b = partialDependence(
      fakeScorer((c) => (c.Contract === "Two year" ? 0.05 : 0.3)),
      customers,
      "Contract",
    );
    const fig = pdpFigure([a, b]);
    assert.equal(fig.data.length, 2);
    fig.data.forEach((t) => assert.equal((t["x"] as unknown[]).length, (t["y"] as unknown[]).length));
    assert.equal(fig.data[0]?.["type"], "scatter");
    assert.equal(fig.data[1]?.["type"], "bar");
    assert.equal(fig.data[1]?.["xaxis"], "x2");
    assert.deepEqual((fig.layout["xaxis"] as { title: { text: string } }).title.text, "tenure");
    assert.deepEqual((fig.layout["xaxis2"] as { title: { text: string } }).title.text, "Contract");
    assert.equal((fig.layout["yaxis"] as { title: { text: string } }).title.text, "mean churn score");
    assert.deepEqual(fig.layout["grid"], { rows: 1, columns: 2, pattern: "independent" });
    const single = pdpFigure(a);
    assert.equal(single.data.length, 1);
    assert.equal(single.layout["grid"], undefined);
    assert.doesNotThrow(() => JSON.stringify(fig));
  });
});
