// Ranking by score, and the groups of tied scores along a ranking: every ROC/PR curve, threshold search, bootstrap
// replicate, value curve and isotonic fit walks customers this way, and a tie group is one step of each (customers
// with the same score are all above a threshold or none is).

const rankValue = (p: ArrayLike<number>, i: number): number => {
  const v = p[i] as number;
  return Number.isFinite(v) ? v : -Infinity;
};

/** Row indices by descending score, ties in row order; a non-finite score ranks last. */
export function descendingOrder(p: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(p.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => rankValue(p, b) - rankValue(p, a) || a - b);
}

/** Row indices by ascending score, ties in row order; a non-finite score ranks first. */
export function ascendingOrder(p: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(p.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => rankValue(p, a) - rankValue(p, b) || a - b);
}

/**
 * The end (exclusive) of the tie group that starts at position `start` of `order`: the first position after it whose
 * score differs. Walk a ranking with `for (let k = 0; k < order.length; ) { const end = tieGroupEnd(order, p, k); … k = end; }`.
 */
export function tieGroupEnd(order: ArrayLike<number>, p: ArrayLike<number>, start: number): number {
  const s = p[order[start] as number];
  let k = start + 1;
  while (k < order.length && p[order[k] as number] === s) k++;
  return k;
}
