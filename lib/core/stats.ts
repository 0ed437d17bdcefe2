// simple-statistics for the CommonJS build: its types are published as ESM, its runtime ships a CommonJS entry.
import type * as SimpleStatisticsModule from "simple-statistics" assert { "resolution-mode": "import" };
type SimpleStatistics = typeof SimpleStatisticsModule;

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ss: SimpleStatistics = require("simple-statistics") as SimpleStatistics;

/**
 * Standard normal CDF from simple-statistics' error function. Not `ss.cumulativeStdNormalProbability`: that reads a
 * 4-digit table in steps of 0.01, never goes below 0.002 in the tail, and makes bisection on power stall.
 */
export function normalCdf(z: number): number {
  return 0.5 * (1 + ss.errorFunction(z / Math.SQRT2));
}

/** Standard normal quantile: `ss.probit` (1.95716 at 0.975; the true value is 1.959964) polished by Newton steps on normalCdf. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  let z = ss.probit(p);
  for (let i = 0; i < 3; i++) {
    const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    if (density < 1e-300) break;
    z -= (normalCdf(z) - p) / density;
  }
  return z;
}

/**
 * Wilson score interval for `successes` of `trials` at `level` (default 95%, on the accurate normal quantile): unlike
 * the normal approximation it stays inside [0, 1] for small or extreme groups. [0, 1] for no trials.
 */
export function wilsonInterval(successes: number, trials: number, level = 0.95): [number, number] {
  if (trials === 0) return [0, 1];
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Piecewise-linear interpolation through the knots (xs[i], ys[i]) (xs ascending), constant beyond the first and last
 * knot; where knots share an x, the last one's y. Isotonic calibration and quantile-table lookups both use it.
 */
export function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const n = Math.min(xs.length, ys.length);
  if (n === 0 || Number.isNaN(x)) return Number.NaN;
  if (x <= (xs[0] as number)) return ys[0] as number;
  if (x >= (xs[n - 1] as number)) return ys[n - 1] as number;
  let lo = 0;
  let hi = n - 1; // xs[lo] <= x < xs[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  return x1 === x0 ? (ys[hi] as number) : y0 + ((x - x0) / (x1 - x0)) * ((ys[hi] as number) - y0);
}
