// The retention value model: hand-checked arithmetic on a small example, sweeps consistent with single evaluations,
// an exact best operating point (checked by brute force), computed statements, and one-at-a-time sensitivity.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import {
  DEFAULT_ASSUMPTIONS,
  bestOperatingPoint,
  expectedValue,
  sensitivity,
  valueByThreshold,
  valueByTopShare,
  valueStatement,
} from "../../lib/evaluation/business";

// Ten customers: scores, labels, monthly charges.
const p = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
const y = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0];
const mc = [100, 80, 50, 60, 70, 20, 90, 30, 40, 25];

function close(a: number, b: number, tol = 1e-9): void {
  assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
}

/** A random population where risk tracks churn. */
function population(n: number, seed: string): { y: number[]; p: number[]; mc: number[] } {
  const rng = seedrandom(seed);
  const out = { y: [] as number[], p: [] as number[], mc: [] as number[] };
  for (let i = 0; i < n; i++) {
    const churn = rng() < 0.27 ? 1 : 0;
    out.y.push(churn);
    out.p.push(Math.min(1, Math.max(0, 0.25 + 0.35 * churn + 0.3 * (rng() - 0.5))));
    out.mc.push(20 + 100 * rng());
  }
  return out;
}

describe("expectedValue", () => {
  test("counts contacts, reached churners, cost and lifetime value by hand", () => {
    const v = expectedValue(y, p, mc, 0.7, {});
    // contacted: 0.95, 0.9, 0.8, 0.7 -> 4; churners among them: 100, 80, 60 -> 3.
    assert.equal(v.contacted, 4);
    assert.equal(v.churnersReached, 3);
    close(v.expectedSaved, 0.9);
    close(v.cost, 200);
    close(v.value, 0.3 * (100 + 80 + 60) * DEFAULT_ASSUMPTIONS.margin * 12);
    close(v.net, 0.3 * 240 * DEFAULT_ASSUMPTIONS.margin * 12 - 200);
    const w = expectedValue(y, p, mc, 0.7, { margin: 0.5, lifetimeMonths: 6, saveRate: 1, offerCost: 10 });
    close(w.value, 240 * 0.5 * 6);
    close(w.net, 720 - 40);
  });

  test("defaults are the documented assumptions and bad ones are refused", () => {
    assert.deepEqual({ ...DEFAULT_ASSUMPTIONS }, { offerCost: 50, saveRate: 0.3, lifetimeMonths: 12, margin: 0.6 });
    assert.throws(() => expectedValue(y, p, mc, 0.5, { saveRate: 1.5 }), /saveRate/);
    assert.throws(() => expectedValue(y, p, mc, 0.5, { offerCost: -1 }), /offerCost/);
    assert.throws(() => expectedValue(y, p.slice(1), mc, 0.5), /align/);
  });
});

describe("sweeps and the best operating point", () => {
  test("valueByThreshold matches expectedValue and shares are right", () => {
    const rows = valueByThreshold(y, p, mc);
    assert.equal(rows.length, 101);
    for (const r of rows) {
      const v = expectedValue(y, p, mc, r.threshold);
      close(r.net, v.net);
      close(r.contactedShare, v.contacted / 10);
      close(r.churnerShare, v.churnersReached / 4);
      close(r.netPer1000, (v.net * 1000) / 10);
    }
    assert.equal(rows[0]?.contacted, 10);
  });

  test("valueByTopShare contacts ceil(k% x n) riskiest customers", () => {
    const rows = valueByTopShare(y, p, mc);
    assert.equal(rows.length, 100);
    const top30 = rows[29]!;
    assert.equal(top30.topPercent, 30);
    assert.equal(top30.contacted, 3);
    assert.equal(top30.churnersReached, 2);
    close(top30.net, 0.3 * 180 * DEFAULT_ASSUMPTIONS.margin * 12 - 150);
    assert.equal(rows[0]?.contacted, 1); // 1% of 10 rounds up to one customer
    assert.equal(rows[99]?.contacted, 10);
    close(rows[99].net, expectedValue(y, p, mc, 0).net);
  });

  test("bestOperatingPoint is the maximum over every possible threshold (brute force), ties included", () => {
    for (const seed of ["a", "b", "c"]) {
      const pop = population(500, seed);
      const rounded = pop.p.map((s) => Math.round(s * 20) / 20); // many ties
      for (const scores of [pop.p, rounded]) {
        for (const a of [{}, { offerCost: 150 }, { saveRate: 0.1 }]) {
          const best = bestOperatingPoint(pop.y, scores, pop.mc, a);
          let bruteNet = 0;
          for (const t of new Set(scores)) bruteNet = Math.max(bruteNet, expectedValue(pop.y, scores, pop.mc, t, a).net);
          close(best.net, bruteNet, 1e-6);
          if (best.threshold !== null) close(expectedValue(pop.y, scores, pop.mc, best.threshold, a).net, best.net, 1e-6);
        }
      }
    }
    const hopeless = bestOperatingPoint(y, p, mc, { offerCost: 1e6 });
    assert.equal(hopeless.threshold, null);
    assert.equal(hopeless.contacted, 0);
    assert.equal(hopeless.net, 0);
  });
});

describe("statements and sensitivity", () => {
  test("valueStatement's numbers are the computed ones", () => {
    const pop = population(2000, "statement");
    const lines = valueStatement(pop.y, pop.p, pop.mc, {}, { percents: [10] });
    assert.equal(lines.length, 3);
    const row = valueByTopShare(pop.y, pop.p, pop.mc, {}, [10])[0]!;
    const fmt = (x: number): string => `${x < 0 ? "-" : ""}$${Math.abs(Math.round(x)).toLocaleString("en-US")}`;
    assert.ok(
      lines[0]!.startsWith(`Contacting the riskiest 10% of customers reaches ${(row.churnerShare * 100).toFixed(0)}% of churners`),
      lines[0],
    );
    assert.ok(lines[0]!.includes(`worth ${fmt(row.netPer1000)} per month per 1,000 customers`), lines[0]);
    const best = bestOperatingPoint(pop.y, pop.p, pop.mc);
    assert.ok(lines[1]!.includes(best.threshold!.toFixed(3)) && lines[1]!.includes(fmt(best.netPer1000)), lines[1]);
    assert.match(lines[2]!, /costs \$50, the offer saves 30% of contacted churners, a saved customer stays 12 more months/);
    assert.match(lines[2]!, /one monthly campaign, scaled to a base of 1,000 customers/);
  });

  test("sensitivity varies one assumption at a time and moves in the expected directions", () => {
    const pop = population(1500, "sensitivity");
    const rows = sensitivity(pop.y, pop.p, pop.mc);
    assert.equal(rows.length, 4 * 5);
    const base = bestOperatingPoint(pop.y, pop.p, pop.mc);
    for (const r of rows.filter((r) => r.factor === 1)) {
      close(r.net, base.net);
      close(r.deltaPer1000, 0);
    }
    const series = (k: string): number[] => rows.filter((r) => r.assumption === k).map((r) => r.net);
    const inc = (s: number[]): boolean => s.every((v, i) => i === 0 || v >= (s[i - 1] as number) - 1e-9);
    assert.ok(inc(series("saveRate")) && inc(series("lifetimeMonths")) && inc(series("margin")));
    assert.ok(inc(series("offerCost").reverse()));
    const cheap = rows.find((r) => r.assumption === "offerCost" && r.factor === 0.5)!;
    const dear = rows.find((r) => r.assumption === "offerCost" && r.factor === 1.5)!;
    assert.ok(cheap.contactedShare >= dear.contactedShare, "cheaper offers justify contacting more customers");
    close(cheap.assumptionValue, 25);
    // saveRate, lifetimeMonths and margin act only through their product: identical rows.
    const sr = rows.filter((r) => r.assumption === "saveRate").map((r) => r.net);
    series("margin").forEach((v, i) => close(v, sr[i] as number, 1e-6));
  });
});
