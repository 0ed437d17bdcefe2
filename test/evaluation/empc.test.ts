// EMPC against an independent computation (every cut-off, a fine grid of γ with the Beta density written out) and
// against the definitions' limiting cases (a perfect and a random model, in closed form).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";
import { EMPC_PAPER_PARAMS, checkEmpcParams, empc, parseEmpcParams, rocConvexHull, valueModelEmpcParams } from "../../lib/evaluation/empc";
import { DEFAULT_ASSUMPTIONS } from "../../lib/evaluation/business";
import { bruteForceEmpc as bruteForce } from "./empc-brute";

function sample(n: number, seed: string, signal: number): { labels: number[]; scores: number[] } {
  const rng = seedrandom(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rng() < 0.27 ? 1 : 0;
    labels.push(y);
    scores.push(Math.round((rng() + signal * y) * 1000) / 1000);
  }
  return { labels, scores };
}

const within = (a: number, b: number, rel: number): boolean => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-9);

describe("EMPC (Verbraken et al. 2013)", () => {
  for (const [name, signal] of [
    ["weak", 0.3],
    ["good", 0.9],
  ] as const) {
    for (const [label, params] of [
      ["paper parameters", EMPC_PAPER_PARAMS],
      ["value-model parameters", valueModelEmpcParams(DEFAULT_ASSUMPTIONS, [64.76])],
    ] as const) {
      test(`${name} model, ${label}: the hull computation equals brute force over every cut-off and a 20,000-step γ grid to 0.1%`, () => {
        const { labels, scores } = sample(1500, `empc-${name}`, signal);
        const exact = empc(labels, scores, params);
        const brute = bruteForce(labels, scores, params);
        assert.ok(within(exact.empc, brute.empc, 1e-3), `EMPC ${exact.empc} vs brute force ${brute.empc}`);
        assert.ok(within(exact.empcFrac, brute.frac, 1e-3), `EMPfrac ${exact.empcFrac} vs brute force ${brute.frac}`);
      });
    }
  }

  test("a perfect model: contact exactly the churners whenever γ(1 − δ) > φ (closed form)", () => {
    const labels = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const scores = labels.map((y, i) => (y ? 0.9 : 0.1) + i * 1e-3);
    const p = EMPC_PAPER_PARAMS;
    const pi0 = 0.3;
    const gStar = p.contact / p.clv / (1 - p.incentive / p.clv);
    const brute = bruteForce(labels, scores, p);
    const r = empc(labels, scores, p);
    assert.ok(within(r.empc, brute.empc, 1e-3));
    // Above γ* every churner is contacted and nobody else: EMPfrac = π0 P(γ > γ*).
    assert.ok(gStar < 0.01);
    assert.ok(within(r.empcFrac, pi0 * (1 - 1e-9), 1e-3), `EMPfrac ${r.empcFrac}`);
    // EMPC = CLV π0 ((1 − δ) E[γ] − φ) when γ* is far in the left tail of Beta(6, 14).
    assert.ok(within(r.empc, p.clv * pi0 * ((1 - p.incentive / p.clv) * (6 / 20) - p.contact / p.clv), 1e-6), `EMPC ${r.empc}`);
  });

  test("a random model (one score for all): contact everybody or nobody, at the γ where it breaks even", () => {
    const labels = Array.from({ length: 100 }, (_, i) => (i < 27 ? 1 : 0));
    const scores = labels.map(() => 0.5);
    const r = empc(labels, scores);
    const brute = bruteForce(labels, scores, EMPC_PAPER_PARAMS);
    assert.ok(within(r.empc, brute.empc, 1e-3), `${r.empc} vs ${brute.empc}`);
    assert.ok(within(r.empcFrac, brute.frac, 1e-3), `${r.empcFrac} vs ${brute.frac}`);
    assert.ok(r.empcFrac > 0 && r.empcFrac < 1);
  });

  test("a better ranking never has a lower EMPC than the same scores shuffled", () => {
    const { labels, scores } = sample(2000, "empc-order", 0.8);
    const rng = seedrandom("shuffle");
    const shuffled = [...scores].sort(() => rng() - 0.5);
    assert.ok(empc(labels, scores).empc > empc(labels, shuffled).empc);
  });

  test("the ROC convex hull keeps the upper-left vertices only", () => {
    const hull = rocConvexHull([
      { fpr: 0, tpr: 0 },
      { fpr: 0.1, tpr: 0.5 },
      { fpr: 0.2, tpr: 0.55 },
      { fpr: 0.5, tpr: 0.9 },
      { fpr: 1, tpr: 1 },
    ]);
    assert.deepEqual(hull, [
      { fpr: 0, tpr: 0 },
      { fpr: 0.1, tpr: 0.5 },
      { fpr: 0.5, tpr: 0.9 },
      { fpr: 1, tpr: 1 },
    ]);
  });

  test("refuses one-class labels and impossible parameters, naming them", () => {
    assert.throws(() => empc([1, 1], [0.2, 0.3]), /both churners and non-churners/);
    assert.throws(() => empc([1, 0], [0.2, 0.3], { ...EMPC_PAPER_PARAMS, clv: 0 }), /clv must be a positive number/);
    assert.throws(() => empc([1, 0], [0.2, 0.3], { ...EMPC_PAPER_PARAMS, incentive: 300 }), /incentive \(300\) must be below the CLV/);
    assert.throws(() => empc([1, 0], [0.2], EMPC_PAPER_PARAMS), /2 labels for 1 scores/);
  });

  test("parameters from text: any subset by name, numbers only; the whole set checked after merging", () => {
    assert.deepEqual(parseEmpcParams(" clv=300 , alpha=2"), { clv: 300, alpha: 2 });
    assert.deepEqual(parseEmpcParams(""), {});
    assert.throws(() => parseEmpcParams("gamma=1"), /unknown EMPC parameter "gamma"; known: alpha, beta, clv, incentive, contact/);
    assert.throws(() => parseEmpcParams("clv=abc"), /EMPC parameter clv must be a number, got "abc"/);
    assert.throws(() => parseEmpcParams("clv"), /EMPC parameter clv must be a number, got ""/);
    assert.throws(
      () => checkEmpcParams({ ...EMPC_PAPER_PARAMS, ...parseEmpcParams("incentive=250") }),
      /incentive \(250\) must be below the CLV \(200\)/,
    );
  });

  test("value-model parameters: CLV from MonthlyCharges x months x margin, the offer charged to every contact", () => {
    const p = valueModelEmpcParams(DEFAULT_ASSUMPTIONS, [50, 70]);
    assert.equal(p.clv, 60 * DEFAULT_ASSUMPTIONS.lifetimeMonths * DEFAULT_ASSUMPTIONS.margin);
    assert.equal(p.contact, DEFAULT_ASSUMPTIONS.offerCost);
    assert.equal(p.incentive, 0);
    assert.ok(within(p.alpha / (p.alpha + p.beta), DEFAULT_ASSUMPTIONS.saveRate, 1e-12));
  });
});
