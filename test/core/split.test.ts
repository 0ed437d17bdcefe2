// Holds the seeded splits to their contract on the Telco customers: partitions, 60/20/20 sizes, stratification,
// order independence and seed determinism; k folds that partition rows with the positive rate of the whole.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { cleanFile } from "../../lib/cleaning";
import { type Split, shuffled, stratifiedKFold, stratifiedSplit } from "../../lib/core/split";

import { memo, rawFile } from "../support";

/** Labeled Telco customers: IDs and a label lookup. */
const telco = memo(() => {
  const labeled = cleanFile(rawFile("telco-customer-churn.csv")).customers.filter((c) => c.Churn !== null);
  const label = new Map(labeled.map((c) => [c.customerID, c.Churn === "Yes" ? (1 as const) : (0 as const)]));
  return { ids: labeled.map((c) => c.customerID), label: (id: string): 0 | 1 => label.get(id) ?? assert.fail(`unknown id ${id}`) };
});

function rate(ids: readonly string[], label: (id: string) => 0 | 1): number {
  return ids.reduce((s, id) => s + label(id), 0) / ids.length;
}

const PARTS = ["train", "validation", "test"] as const;

describe("shuffled", () => {
  test("returns a permutation without touching its input, the same one for the same seed", () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    const copy = [...items];
    const a = shuffled(items, seedrandom("s"));
    assert.deepEqual(items, copy, "input untouched");
    assert.deepEqual(
      [...a].sort((x, y) => x - y),
      items,
      "a permutation",
    );
    assert.notDeepEqual(a, items, "actually shuffled");
    assert.deepEqual(shuffled(items, seedrandom("s")), a, "same seed, same order");
    assert.notDeepEqual(shuffled(items, seedrandom("t")), a, "other seed, other order");
  });

  test("puts every item in every position about equally often (unbiased Fisher-Yates)", () => {
    // 3 items, 6 permutations: each should come up ~1/6 of the time; a biased shuffle (e.g. j in [0, n)) would not.
    const rng = seedrandom("uniform");
    const seen = new Map<string, number>();
    const trials = 60000;
    for (let t = 0; t < trials; t++) {
      const key = shuffled(["a", "b", "c"], rng).join("");
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.equal(seen.size, 6);
    for (const [perm, n] of seen) assert.ok(Math.abs(n / trials - 1 / 6) < 0.01, `${perm}: ${n / trials}`);
  });
});

describe("stratifiedSplit on the Telco customers", () => {
  const split42 = memo(() => stratifiedSplit(telco().ids, telco().label, 42));

  test("partitions the IDs: disjoint parts whose union is every customer", () => {
    const s = split42();
    const all = [...s.train, ...s.validation, ...s.test];
    assert.equal(new Set(all).size, all.length, "no ID in two parts (or twice in one)");
    assert.deepEqual([...all].sort(), [...telco().ids].sort(), "union = all IDs");
    assert.equal(s.seed, 42);
  });

  test("sizes are about 60/20/20", () => {
    const s = split42();
    const n = telco().ids.length;
    // Per-class rounding moves each part by at most one customer per class.
    assert.ok(Math.abs(s.test.length - 0.2 * n) <= 2, `test ${s.test.length} of ${n}`);
    assert.ok(Math.abs(s.validation.length - 0.2 * n) <= 2, `validation ${s.validation.length} of ${n}`);
    assert.ok(Math.abs(s.train.length - 0.6 * n) <= 4, `train ${s.train.length} of ${n}`);
  });

  test("each part's churn rate is within 1 percentage point of the whole", () => {
    const { ids, label } = telco();
    const overall = rate(ids, label);
    assert.ok(overall > 0.2 && overall < 0.3, `Telco churn rate ${overall}`);
    for (const part of PARTS) {
      const r = rate(split42()[part], label);
      assert.ok(Math.abs(r - overall) < 0.01, `${part}: ${r} vs ${overall}`);
    }
  });

  test("same seed gives the same split whatever the input order", () => {
    const { ids, label } = telco();
    const reversed = stratifiedSplit([...ids].reverse(), label, 42);
    const shuffledInput = stratifiedSplit(shuffled(ids, seedrandom("input order")), label, 42);
    assert.deepEqual(reversed, split42());
    assert.deepEqual(shuffledInput, split42());
  });

  test("a different seed gives a different split", () => {
    const { ids, label } = telco();
    const other = stratifiedSplit(ids, label, 43);
    const inTest42 = new Set(split42().test);
    const overlap = other.test.filter((id) => inTest42.has(id)).length;
    // Independent 20% samples share about 20% of their members; the same split would share all of them.
    assert.ok(overlap < 0.5 * other.test.length, `test sets of seeds 42 and 43 share ${overlap} of ${other.test.length}`);
  });

  test("respects custom fractions", () => {
    const { ids, label } = telco();
    const s: Split = stratifiedSplit(ids, label, 7, { validation: 0.1, test: 0.3 });
    const n = ids.length;
    assert.ok(Math.abs(s.validation.length - 0.1 * n) <= 2);
    assert.ok(Math.abs(s.test.length - 0.3 * n) <= 2);
    assert.equal(s.train.length + s.validation.length + s.test.length, n);
  });

  test("parts are not sorted by class (positives and negatives are interleaved)", () => {
    const { label } = telco();
    const s = split42();
    // If a part listed all negatives then all positives, its first 20% would hold no churners.
    for (const part of PARTS) {
      const head = s[part].slice(0, Math.floor(s[part].length / 5));
      const r = rate(head, label);
      assert.ok(r > 0.15 && r < 0.4, `${part}: churn rate ${r} in its first fifth`);
    }
  });
});

describe("stratifiedKFold", () => {
  const labels = memo(() => {
    const { ids, label } = telco();
    return ids.map(label);
  });

  for (const k of [3, 5]) {
    test(`${k} folds partition the rows, train and validation disjoint and complete per fold`, () => {
      const y = labels();
      const folds = stratifiedKFold(y, k, 42);
      assert.equal(folds.length, k);
      const seen = new Uint8Array(y.length);
      for (const f of folds) {
        for (const r of f.validation) seen[r] = (seen[r] as number) + 1;
        const inVal = new Set(f.validation);
        assert.ok(!f.train.some((r) => inVal.has(r)), "train and validation overlap");
        assert.equal(f.train.length + f.validation.length, y.length, "train + validation = all rows");
        assert.equal(new Set(f.train).size, f.train.length, "no repeated training row");
        assert.ok(Math.abs(f.validation.length - y.length / k) <= 2, `fold size ${f.validation.length}`);
      }
      assert.ok(
        seen.every((c) => c === 1),
        "every row is validation in exactly one fold",
      );
    });

    test(`${k} folds: each validation fold's positive rate is close to the overall rate`, () => {
      const y = labels();
      const overall = y.reduce<number>((s, v) => s + v, 0) / y.length;
      const positives = y.reduce<number>((s, v) => s + v, 0);
      for (const f of stratifiedKFold(y, k, 42)) {
        const pos = f.validation.reduce((s, r) => s + (y[r] as number), 0);
        assert.ok(Math.abs(pos - positives / k) <= 1, `fold has ${pos} positives, expected ${positives / k}`);
        const r = pos / f.validation.length;
        assert.ok(Math.abs(r - overall) < 0.005, `fold rate ${r} vs ${overall}`);
      }
    });
  }

  test("is deterministic for a seed and changes with it", () => {
    const y = labels();
    assert.deepEqual(stratifiedKFold(y, 5, 1), stratifiedKFold(y, 5, 1));
    assert.notDeepEqual(stratifiedKFold(y, 5, 1)[0]?.validation, stratifiedKFold(y, 5, 2)[0]?.validation);
  });

  test("folds are random, not contiguous blocks of rows", () => {
    const y = labels();
    for (const f of stratifiedKFold(y, 5, 3)) {
      const v = f.validation;
      const span = (v[v.length - 1] as number) - (v[0] as number);
      assert.ok(span > 0.9 * y.length, `validation rows span ${span} of ${y.length}`);
    }
  });

  test("accepts typed labels", () => {
    const y = labels();
    assert.deepEqual(stratifiedKFold(Float64Array.from(y), 3, 9), stratifiedKFold(y, 3, 9));
  });

  test("refuses k < 2", () => {
    assert.throws(() => stratifiedKFold([0, 1, 0, 1], 1, 0), RangeError);
  });
});
