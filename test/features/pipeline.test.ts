// Holds the feature pipeline to fit-on-train, transform-anywhere: statistics from training rows only, unseen levels,
// missing indicators, scaling, column selection, and a JSON round trip that transforms identically.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { cleanFile } from "../../lib/cleaning";
import { DERIVED_FEATURES, deriveFeatures } from "../../lib/features/derived";
import {
  ALL_DERIVED,
  FeaturePipeline,
  PIPELINE_VERSION,
  type PipelineOptions,
  type SerializedPipeline,
  UNKNOWN_LEVEL,
} from "../../lib/features/pipeline";
import type { Customer } from "../../lib/core/schema";
import { shuffled } from "../../lib/core/split";

import { memo, rawFile } from "../support";

/** Telco customers in a seeded order, so that slices are random samples. */
const customers = memo(() => shuffled(cleanFile(rawFile("telco-customer-churn.csv")).customers, seedrandom("pipeline-test")));
const sampleA = memo(() => customers().slice(0, 800));
const sampleB = memo(() => customers().slice(800, 1400));

/** Median computed here, independently of the library: middle of the sorted values, mean of the two middles. */
function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function column(X: readonly Float64Array[], j: number): number[] {
  return X.map((row) => row[j] as number);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Population standard deviation (scikit-learn's StandardScaler convention). */
function sd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
}

function index(p: FeaturePipeline, name: string): number {
  const j = p.featureNames.indexOf(name);
  assert.ok(j >= 0, `no feature ${name} in ${p.featureNames.join(", ")}`);
  return j;
}

function withNull(c: Customer, ...cols: (keyof Customer)[]): Customer {
  const copy: Record<string, unknown> = { ...c };
  for (const col of cols) copy[col] = null;
  return copy as unknown as Customer;
}

const RAW_NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"];

describe("FeaturePipeline.fit and transform", () => {
  test("every transformed row has featureNames.length columns; names are unique", () => {
    const p = FeaturePipeline.fit(sampleA());
    const X = p.transformMany(sampleB());
    assert.equal(X.length, sampleB().length);
    for (const row of X) assert.equal(row.length, p.featureNames.length);
    assert.equal(new Set(p.featureNames).size, p.featureNames.length);
    for (const row of X) assert.ok(row.every(Number.isFinite), "all finite");
  });

  test("unscaled output carries the raw numbers and a one-hot per category", () => {
    const p = FeaturePipeline.fit(sampleA(), { missingIndicators: "none" });
    for (const c of sampleB().slice(0, 50)) {
      const x = p.transform(c);
      for (const col of RAW_NUMERIC) {
        const v = c[col as keyof Customer];
        if (v !== null) assert.equal(x[index(p, col)], v, col);
      }
      if (c.Contract !== null) {
        assert.equal(x[index(p, `Contract=${c.Contract}`)], 1);
        const contractCols = p.featureNames.map((n, j) => (n.startsWith("Contract=") ? (x[j] as number) : 0));
        assert.equal(
          contractCols.reduce((s, v) => s + v, 0),
          1,
          "exactly one Contract column set",
        );
      }
      const band = deriveFeatures(c)["tenure_band"];
      if (band !== null) assert.equal(x[index(p, `tenure_band=${band}`)], 1);
    }
  });

  test("a missing number is imputed with the median of the training rows where it is known", () => {
    // Plant missing tenure/MonthlyCharges in 10% of the training rows: the median must be over the known ones only.
    const train = sampleA().map((c, i) => (i % 10 === 3 ? withNull(c, "tenure", "MonthlyCharges") : c));
    const p = FeaturePipeline.fit(train, { missingIndicators: "none" });
    const known = (col: "tenure" | "MonthlyCharges"): number[] => train.map((c) => c[col]).filter((v): v is number => v !== null);
    const target = withNull(sampleB()[0] as Customer, "tenure", "MonthlyCharges");
    const x = p.transform(target);
    assert.equal(x[index(p, "tenure")], median(known("tenure")));
    assert.equal(x[index(p, "MonthlyCharges")], median(known("MonthlyCharges")));
    // A derived number too: avg_monthly_bill's median over training rows where it can be computed.
    const bills = train.map((c) => deriveFeatures(c)["avg_monthly_bill"]).filter((v): v is number => typeof v === "number");
    assert.equal(x[index(p, "avg_monthly_bill")], median(bills), "avg_monthly_bill imputed with its training median");
  });

  test("a missing category is imputed with the most frequent training level", () => {
    const train = sampleA();
    const counts = new Map<string, number>();
    for (const c of train) if (c.PaymentMethod !== null) counts.set(c.PaymentMethod, (counts.get(c.PaymentMethod) ?? 0) + 1);
    const mode = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
    assert.ok([...counts.values()].filter((n) => n === counts.get(mode)).length === 1, "mode is unique in this sample");
    const p = FeaturePipeline.fit(train, { missingIndicators: "none" });
    const x = p.transform(withNull(sampleB()[1] as Customer, "PaymentMethod"));
    assert.equal(x[index(p, `PaymentMethod=${mode}`)], 1);
    assert.equal(x[index(p, `PaymentMethod=${UNKNOWN_LEVEL}`)], 0);
  });

  test("levels come from the training rows only; an unseen level sets the __unknown__ column", () => {
    const train = sampleA().filter((c) => c.Contract !== "Two year");
    const p = FeaturePipeline.fit(train, { missingIndicators: "none" });
    const contractNames = p.featureNames.filter((n) => n.startsWith("Contract="));
    assert.deepEqual(new Set(contractNames), new Set(["Contract=Month-to-month", "Contract=One year", `Contract=${UNKNOWN_LEVEL}`]));
    const twoYear = sampleB().find((c) => c.Contract === "Two year") as Customer;
    const x = p.transform(twoYear);
    assert.equal(x[index(p, `Contract=${UNKNOWN_LEVEL}`)], 1);
    assert.equal(x[index(p, "Contract=Month-to-month")], 0);
    assert.equal(x[index(p, "Contract=One year")], 0);
    // A spelling the training rows never had (as a loaded model may meet in serving).
    const odd = { ...(sampleB()[2] as Customer), gender: "Other" } as unknown as Customer;
    const y = p.transform(odd);
    assert.equal(y[index(p, `gender=${UNKNOWN_LEVEL}`)], 1);
    assert.equal((y[index(p, "gender=Female")] as number) + (y[index(p, "gender=Male")] as number), 0);
  });

  test("missingIndicators 'all': an indicator per input, 1 exactly when the value is missing", () => {
    const p = FeaturePipeline.fit(sampleA(), { missingIndicators: "all" });
    for (const col of [...RAW_NUMERIC, "Contract", ...ALL_DERIVED]) assert.ok(p.featureNames.includes(`${col}_missing`), `${col}_missing`);
    const c = sampleB()[3] as Customer;
    const missing = withNull(c, "tenure", "Contract");
    const x = p.transform(missing);
    const full = p.transform(c);
    assert.equal(x[index(p, "tenure_missing")], 1);
    assert.equal(x[index(p, "Contract_missing")], 1);
    assert.equal(x[index(p, "tenure_band_missing")], 1, "a derived feature of a missing input is missing too");
    assert.equal(x[index(p, "gender_missing")], 0);
    assert.equal(full[index(p, "tenure_missing")], 0);
    assert.equal(full[index(p, "Contract_missing")], 0);
  });

  test("missingIndicators 'none' adds no indicator; 'auto' adds one only where training rows were missing enough", () => {
    assert.ok(!FeaturePipeline.fit(sampleA(), { missingIndicators: "none" }).featureNames.some((n) => n.endsWith("_missing")));
    // tenure missing in 2% of training rows (>= 0.5%), gender never missing.
    const train = sampleA().map((c, i) => (i % 50 === 7 ? withNull(c, "tenure") : c));
    const p = FeaturePipeline.fit(train, { missingIndicators: "auto" });
    assert.ok(p.featureNames.includes("tenure_missing"));
    assert.ok(!p.featureNames.includes("gender_missing"));
    // Below the share: no indicator.
    const q = FeaturePipeline.fit(train, { missingIndicators: "auto", minMissingShare: 0.05 });
    assert.ok(!q.featureNames.includes("tenure_missing"));
  });

  test("scale 'all': every non-constant training column has mean 0 and sd 1", () => {
    const p = FeaturePipeline.fit(sampleA(), { scale: "all", missingIndicators: "all" });
    const X = p.transformMany(sampleA());
    const raw = FeaturePipeline.fit(sampleA(), { scale: "none", missingIndicators: "all" }).transformMany(sampleA());
    let scaled = 0;
    p.featureNames.forEach((name, j) => {
      const col = column(X, j);
      const rawCol = column(raw, j);
      if (sd(rawCol) < 1e-12) {
        assert.ok(
          col.every((v) => Math.abs(v) < 1e-12),
          `${name}: a constant column is centered to 0`,
        );
        return;
      }
      scaled++;
      assert.ok(Math.abs(mean(col)) < 1e-9, `${name}: mean ${mean(col)}`);
      assert.ok(Math.abs(sd(col) - 1) < 1e-9, `${name}: sd ${sd(col)}`);
    });
    assert.ok(scaled > 30, `${scaled} columns scaled`);
  });

  test("scale 'numeric': numbers standardized, one-hot and indicator columns left 0/1", () => {
    const train = sampleA().map((c, i) => (i % 20 === 1 ? withNull(c, "tenure") : c));
    const p = FeaturePipeline.fit(train, { scale: "numeric" });
    assert.ok(p.featureNames.includes("tenure_missing"));
    const X = p.transformMany(train);
    const Xb = p.transformMany(sampleB());
    const numeric = new Set([...RAW_NUMERIC, ...DERIVED_FEATURES.filter((f) => f.kind !== "category").map((f) => f.name)]);
    p.featureNames.forEach((name, j) => {
      if (numeric.has(name)) {
        assert.ok(Math.abs(mean(column(X, j))) < 1e-9, `${name} centered`);
        assert.ok(Math.abs(sd(column(X, j)) - 1) < 1e-9, `${name} scaled`);
      } else {
        for (const v of [...column(X, j), ...column(Xb, j)]) assert.ok(v === 0 || v === 1, `${name} = ${v}`);
      }
    });
  });

  test("scale 'none' leaves values as they are", () => {
    const p = FeaturePipeline.fit(sampleA());
    const c = sampleB()[4] as Customer;
    assert.equal(p.transform(c)[index(p, "MonthlyCharges")], c.MonthlyCharges);
  });

  test("exclude removes the raw columns and leaves every other column unchanged", () => {
    const full = FeaturePipeline.fit(sampleA(), { missingIndicators: "all" });
    const less = FeaturePipeline.fit(sampleA(), { missingIndicators: "all", exclude: ["gender", "tenure"] });
    assert.ok(
      !less.featureNames.some((n) => n.startsWith("gender=") || n === "tenure" || n === "tenure_missing" || n === "gender_missing"),
    );
    assert.deepEqual(
      less.featureNames,
      full.featureNames.filter((n) => !n.startsWith("gender") && n !== "tenure" && n !== "tenure_missing"),
    );
    const c = sampleB()[5] as Customer;
    const a = full.transform(c);
    const b = less.transform(c);
    less.featureNames.forEach((n, j) => assert.equal(b[j], a[index(full, n)], n));
  });

  test("derived [] removes every derived feature; a subset keeps only those; unknown names are refused", () => {
    const none = FeaturePipeline.fit(sampleA(), { derived: [], missingIndicators: "all" });
    const isDerived = (n: string): boolean => ALL_DERIVED.some((d) => n === d || n.startsWith(`${d}=`) || n === `${d}_missing`);
    assert.ok(!none.featureNames.some(isDerived));
    assert.ok(none.featureNames.includes("tenure"));
    const one = FeaturePipeline.fit(sampleA(), { derived: ["tenure_band"] });
    assert.deepEqual(
      one.featureNames.filter(isDerived).map((n) => n.split("=")[0]),
      one.featureNames.filter(isDerived).map(() => "tenure_band"),
    );
    const all = FeaturePipeline.fit(sampleA());
    for (const d of ALL_DERIVED)
      assert.ok(
        all.featureNames.some((n) => n === d || n.startsWith(`${d}=`)),
        `default includes ${d}`,
      );
    assert.throws(() => FeaturePipeline.fit(sampleA(), { derived: ["no_such_feature"] }), RangeError);
  });

  test("refuses to fit on zero rows", () => {
    assert.throws(() => FeaturePipeline.fit([]), RangeError);
  });
});

describe("FeaturePipeline serialization", () => {
  const cases: { name: string; options: PipelineOptions }[] = [
    { name: "defaults", options: {} },
    { name: "scale all, indicators all", options: { scale: "all", missingIndicators: "all" } },
    { name: "scale numeric, exclude, no derived", options: { scale: "numeric", exclude: ["PaymentMethod"], derived: [] } },
  ];
  for (const { name, options } of cases) {
    test(`toJSON -> JSON text -> load transforms identically (${name})`, () => {
      const p = FeaturePipeline.fit(sampleA(), options);
      const loaded = FeaturePipeline.load(JSON.parse(JSON.stringify(p)) as SerializedPipeline);
      assert.deepEqual(loaded.featureNames, p.featureNames);
      assert.deepEqual(loaded.options, p.options);
      const rows = [...sampleB().slice(0, 100), withNull(sampleB()[0] as Customer, "tenure", "Contract", "TotalCharges")];
      rows.push({ ...(sampleB()[1] as Customer), gender: "Other" } as unknown as Customer);
      for (const c of rows) assert.deepEqual(loaded.transform(c), p.transform(c));
    });
  }

  test("load refuses another version", () => {
    const s = JSON.parse(JSON.stringify(FeaturePipeline.fit(sampleA()))) as SerializedPipeline;
    assert.throws(() => FeaturePipeline.load({ ...s, version: PIPELINE_VERSION + 1 }), /version/);
  });

  test("load refuses scaling that does not match the feature names", () => {
    const s = JSON.parse(JSON.stringify(FeaturePipeline.fit(sampleA(), { scale: "all" }))) as SerializedPipeline;
    assert.throws(() => FeaturePipeline.load({ ...s, center: s.center.slice(1) }), /corrupt/);
    assert.throws(() => FeaturePipeline.load({ ...s, scale: [...s.scale, 1] }), /corrupt/);
  });

  test("load refuses feature names that do not match the steps", () => {
    // A file whose names (and scaling) lost a column would otherwise load, and transform() would silently write
    // past the end of its output: every column after the gap shifts by one.
    const s = JSON.parse(JSON.stringify(FeaturePipeline.fit(sampleA()))) as SerializedPipeline;
    const broken = { ...s, featureNames: s.featureNames.slice(0, -1), center: s.center.slice(0, -1), scale: s.scale.slice(0, -1) };
    assert.throws(() => FeaturePipeline.load(broken));
  });
});

describe("fit on train only", () => {
  // Two samples with very different tenure distributions: A the newer customers, B the longer-standing ones.
  const split = memo(() => {
    const byTenure = customers()
      .filter((c) => c.tenure !== null)
      .slice(0, 1500)
      .sort((a, b) => (a.tenure as number) - (b.tenure as number));
    return { A: byTenure.slice(0, 700), B: byTenure.slice(700) };
  });

  test("transforming other rows uses the training statistics, not theirs, and does not change the pipeline", () => {
    const { A, B } = split();
    const pA = FeaturePipeline.fit(A, { scale: "numeric" });
    const before = JSON.stringify(pA);
    const missingB = B.map((c) => withNull(c, "tenure"));
    const x1 = pA.transformMany(missingB);
    const pAB = FeaturePipeline.fit([...A, ...B], { scale: "numeric" });
    const x2 = pAB.transformMany(missingB);
    const x3 = pA.transformMany(missingB);
    assert.deepEqual(x3, x1, "transforming B again with the A pipeline is unchanged by fitting another pipeline on A+B");
    assert.equal(JSON.stringify(pA), before, "transforming does not update the fitted statistics");
    assert.notDeepEqual(x2, x1, "a pipeline fitted on A+B transforms B differently");

    // The imputed tenure, unscaled, is A's median, not B's nor A+B's.
    const medA = median(A.map((c) => c.tenure as number));
    const medAB = median([...A, ...B].map((c) => c.tenure as number));
    assert.notEqual(medA, medAB);
    const j = index(pA, "tenure");
    const s = pA.toJSON();
    const unscaled = (x: Float64Array): number => (x[j] as number) * (s.scale[j] as number) + (s.center[j] as number);
    for (const x of x1) assert.ok(Math.abs(unscaled(x) - medA) < 1e-9, `imputed ${unscaled(x)} vs training median ${medA}`);
    // And the centering is A's mean tenure.
    assert.ok(Math.abs((s.center[j] as number) - mean(A.map((c) => c.tenure as number))) < 1e-9);
  });

  test("the A pipeline's statistics are those of A whatever rows it is later asked to transform", () => {
    const { A, B } = split();
    const p1 = FeaturePipeline.fit(A, { scale: "all" });
    p1.transformMany(B);
    const p2 = FeaturePipeline.fit(A, { scale: "all" });
    assert.deepEqual(p1.toJSON(), p2.toJSON());
  });
});
