// Ranking and tie groups: the walk every curve, threshold search and isotonic fit is built on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ascendingOrder, descendingOrder, tieGroupEnd } from "../../lib/core/ranking";

test("descendingOrder ranks by score, ties in row order, non-finite scores last", () => {
  assert.deepEqual(Array.from(descendingOrder([0.2, 0.9, Number.NaN, 0.2, 0.5, -Infinity, 0.9])), [1, 6, 4, 0, 3, 2, 5]);
});

test("ascendingOrder is the ascending ranking, ties in row order", () => {
  assert.deepEqual(Array.from(ascendingOrder([0.3, 0.1, 0.3, 0.2])), [1, 3, 0, 2]);
});

test("tieGroupEnd walks a ranking one group of equal scores at a time", () => {
  const p = [0.5, 0.7, 0.5, 0.7, 0.1];
  const order = descendingOrder(p);
  const groups: number[][] = [];
  for (let k = 0; k < order.length;) {
    const end = tieGroupEnd(order, p, k);
    groups.push(Array.from(order.subarray(k, end)));
    k = end;
  }
  assert.deepEqual(groups, [[1, 3], [0, 2], [4]]);
});
