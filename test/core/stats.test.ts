// The normal distribution helpers (simple-statistics underneath, refined to ~1e-7) and the Wilson interval against
// published values.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import { normalCdf, normalQuantile, wilsonInterval } from "../../lib/core/stats";

function close(a: number, b: number, tol: number): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tolerance ${tol})`);
}

describe("normal quantiles and CDF (simple-statistics underneath)", () => {
  test("match the usual table values", () => {
    close(normalQuantile(0.975), 1.959964, 1e-5);
    close(normalQuantile(0.95), 1.644854, 1e-5);
    close(normalQuantile(0.8), 0.841621, 1e-5);
    close(normalQuantile(0.025), -1.959964, 1e-5);
    close(normalCdf(1.959964), 0.975, 1e-6);
    close(normalCdf(0), 0.5, 1e-7);
    assert.throws(() => normalQuantile(0), RangeError);
  });
});

describe("wilsonInterval", () => {
  test("5 of 10 at 95%: R's prop.test(5, 10, correct = FALSE) interval 0.2365931-0.7634069", () => {
    const [lo, hi] = wilsonInterval(5, 10);
    close(lo, 0.2365931, 1e-6);
    close(hi, 0.7634069, 1e-6);
  });

  test("0 of 10 stays inside [0, 1] and a wider level gives a wider interval", () => {
    const [lo, hi] = wilsonInterval(0, 10);
    assert.equal(lo, 0);
    close(hi, 0.2775328, 1e-6);
    const [lo99, hi99] = wilsonInterval(30, 100, 0.99);
    const [lo95, hi95] = wilsonInterval(30, 100, 0.95);
    assert.ok(lo99 < lo95 && hi99 > hi95);
  });

  test("no trials: the whole unit interval", () => {
    assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
  });
});
