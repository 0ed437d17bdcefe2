// The statistics drift is measured with: PSI and its thresholds, the Jensen-Shannon distance, a Kolmogorov-Smirnov
// statistic against a quantile table with its p-value at the two-sample effective size, the two-proportion z test,
// the chi-square goodness-of-fit test, and the PSI buckets of a numeric feature against its training deciles.
import chi2gof from "@stdlib/stats-chi2gof";
import pKolmogorov from "@stdlib/stats-kstest/lib/marsaglia.js";
import { REFERENCE_QUANTILES } from "../artifact/reference";
import { normalCdf } from "../core/stats";

/** Population stability index thresholds (Siddiqi 2006, "Credit Risk Scorecards"; the industry convention). */
export const PSI_MODERATE = 0.1;
export const PSI_MAJOR = 0.25;
/** Share given to an empty bucket in PSI (and to a bucket the reference never saw, in the chi-square test). */
export const PSI_EPSILON = 1e-4;
/** The decile levels of REFERENCE_QUANTILES that bound the PSI bins of numeric features and scores. */
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export type Severity = "none" | "moderate" | "major";

/** PSI = sum (a - e) ln(a / e) over buckets of two share vectors; an empty bucket counts as PSI_EPSILON. */
export function psi(actual: readonly number[], expected: readonly number[], epsilon = PSI_EPSILON): number {
  if (actual.length !== expected.length) throw new RangeError(`psi: ${actual.length} actual vs ${expected.length} expected buckets`);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = Math.max(actual[i] as number, epsilon);
    const e = Math.max(expected[i] as number, epsilon);
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

/** Jensen-Shannon distance (square root of the divergence, base 2, in [0, 1]) between two share vectors. */
export function jsDistance(p: readonly number[], q: readonly number[]): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  if (!(sp > 0 && sq > 0)) return Number.NaN;
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const a = (p[i] as number) / sp;
    const b = (q[i] as number) / sq;
    const m = (a + b) / 2;
    if (a > 0) d += 0.5 * a * Math.log2(a / m);
    if (b > 0) d += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(Math.max(0, d));
}

export function severity(psiValue: number): Severity {
  return psiValue >= PSI_MAJOR ? "major" : psiValue >= PSI_MODERATE ? "moderate" : "none";
}

/** Count of sorted values <= x (strict: < x). */
function countBelow(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid] as number;
    if (strict ? v < x : v <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Distinct values of a quantile table with the lowest and highest level at which each appears. */
function knots(values: readonly number[], levels: readonly number[]): { value: number; lo: number; hi: number }[] {
  const out: { value: number; lo: number; hi: number }[] = [];
  for (let i = 0; i < Math.min(values.length, levels.length); i++) {
    const v = values[i] as number;
    const last = out[out.length - 1];
    if (last && last.value === v) last.hi = levels[i] as number;
    else out.push({ value: v, lo: levels[i] as number, hi: levels[i] as number });
  }
  return out;
}

/**
 * Kolmogorov-Smirnov statistic of a sample against a distribution known only through a quantile table. A table value
 * v at level p says F(v-) <= p <= F(v) (ss.quantile's convention; a value repeated over levels lo..hi is an atom with
 * F(v-) <= lo and F(v) >= hi), and F is monotone, so between two distinct table values u_j < u_{j+1} the reference CDF
 * lies in [hi_j, lo_{j+1}]. The statistic is the largest distance from the sample's ECDF to that band, i.e. the
 * smallest sup-gap any CDF consistent with the table could have: max_j max(hi_j - Fn(u_j), Fn(u_j-) - lo_j).
 * It is a lower bound of the KS statistic against the training sample itself, so p-values from the Kolmogorov
 * distribution are conservative; a piecewise-linear interpolation instead invents CDF values between the stored
 * quantiles and, on integer features like tenure, reports gaps that are only interpolation error.
 */
export function ksAgainstQuantiles(sample: ArrayLike<number>, values: readonly number[], levels: readonly number[]): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  if (n === 0 || values.length === 0) return Number.NaN;
  let d = 0;
  for (const k of knots(values, levels)) {
    d = Math.max(d, k.hi - countBelow(sorted, k.value, false) / n, countBelow(sorted, k.value, true) / n - k.lo);
  }
  return d;
}

/**
 * Two-sided p-value of a KS statistic for a sample of n against a reference sample of m: the Kolmogorov distribution
 * (@stdlib/stats-kstest's Marsaglia-Tsang-Wang implementation) at the effective size n m / (n + m), the usual
 * two-sample approximation. With m infinite this is the one-sample test.
 */
export function ksPValue(d: number, n: number, m = Number.POSITIVE_INFINITY): number {
  if (!(d > 0) || n < 1) return 1;
  const effective = Number.isFinite(m) ? (n * m) / (n + m) : n;
  const size = Math.max(1, Math.floor(effective));
  return Math.min(1, Math.max(0, 1 - pKolmogorov(Math.min(d, 1), size)));
}

/** Two-sided two-proportion z test (pooled) of x1/n1 against x0/n0. */
export function twoProportionTest(x1: number, n1: number, x0: number, n0: number): { z: number; p_value: number } {
  if (n1 < 1 || n0 < 1) return { z: 0, p_value: 1 };
  const pooled = (x1 + x0) / (n1 + n0);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0));
  if (!(se > 0)) return { z: 0, p_value: 1 };
  const z = (x1 / n1 - x0 / n0) / se;
  return { z, p_value: Math.min(1, Math.max(0, 2 * (1 - normalCdf(Math.abs(z))))) };
}

/** Chi-square goodness of fit of observed counts against reference shares (smoothed by PSI_EPSILON, renormalized). */
export function chiSquare(observed: readonly number[], shares: readonly number[]): { statistic: number; p_value: number; df: number } {
  const keep = observed.map((o, i) => o > 0 || (shares[i] as number) > 0);
  const obs = observed.filter((_, i) => keep[i]);
  const exp = shares.filter((_, i) => keep[i]).map((s) => Math.max(s, PSI_EPSILON));
  const total = exp.reduce((a, b) => a + b, 0);
  if (obs.length < 2 || obs.reduce((a, b) => a + b, 0) === 0) return { statistic: 0, p_value: 1, df: Math.max(0, obs.length - 1) };
  const r = chi2gof(
    obs,
    exp.map((e) => e / total),
  );
  return { statistic: r.statistic, p_value: r.pValue, df: r.df ?? obs.length - 1 };
}

export function quantileAt(reference: readonly number[], level: number): number {
  const i = REFERENCE_QUANTILES.findIndex((q) => Math.abs(q - level) < 1e-12);
  return reference[i] as number;
}

/**
 * PSI buckets of a numeric distribution: bins closed on the right at the distinct training deciles, the first and last
 * open-ended (values outside the training range fall there). Reference share of (e_{k-1}, e_k] is F(e_k) - F(e_{k-1})
 * with F(e) the highest level at which e appears in the table (exact for continuous values; for a value tied over
 * several levels, such as tenure 1, it is the table's lower bound of the atom's mass).
 */
export function numericBuckets(present: Float64Array, quantiles: readonly number[]): { actual: number[]; expected: number[] } {
  const table = knots(quantiles, REFERENCE_QUANTILES);
  const hiOf = (v: number): number => table.find((k) => k.value === v)?.hi ?? 0;
  const edges = [...new Set(DECILES.map((q) => quantileAt(quantiles, q)))].sort((a, b) => a - b);
  const sorted = Float64Array.from(present).sort();
  const actual: number[] = [];
  const expected: number[] = [];
  let prevCount = 0;
  let prevF = 0;
  for (const e of edges) {
    const c = countBelow(sorted, e, false);
    const f = hiOf(e);
    actual.push(c - prevCount);
    expected.push(f - prevF);
    prevCount = c;
    prevF = f;
  }
  actual.push(sorted.length - prevCount);
  expected.push(1 - prevF);
  const n = Math.max(1, sorted.length);
  return { actual: actual.map((c) => c / n), expected };
}

/** PSI of all buckets but the last (the missing bucket), each side renormalized to its present share. */
export function presentPsi(actual: readonly number[], expected: readonly number[]): number | null {
  const a = actual.slice(0, -1);
  const e = expected.slice(0, -1);
  const sa = a.reduce((x, y) => x + y, 0);
  const se = e.reduce((x, y) => x + y, 0);
  if (!(sa > 0 && se > 0)) return null;
  return psi(
    a.map((x) => x / sa),
    e.map((x) => x / se),
  );
}
