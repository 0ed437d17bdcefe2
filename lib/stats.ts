// simple-statistics for the CommonJS build: its types are published as ESM, its runtime ships a CommonJS entry.
type SimpleStatistics = typeof import("simple-statistics", { assert: { "resolution-mode": "import" } });

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ss: SimpleStatistics = require("simple-statistics");

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
