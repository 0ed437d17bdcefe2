// Sample size, power and minimum detectable effect for comparing two proportions (the churn rates of two arms).
//
// Statistics come from simple-statistics (`ss.probit`, `ss.errorFunction`, `ss.bisect`); only the closed-form
// sample-size and power formulas are written here. Two precision notes, both measured:
// - `ss.cumulativeStdNormalProbability` is a lookup in a 4-decimal table with a z step of 0.01, a step function that
//   makes bisection on power stall; Phi(z) is computed as (1 + erf(z / sqrt 2)) / 2 with `ss.errorFunction`
//   (Numerical Recipes' erfc, |error| < 1.2e-7).
// - `ss.probit` uses a closed-form approximation of erf^-1 (probit(0.975) = 1.95716 against 1.959964), enough to move
//   a sample size by one or two customers; one Newton step on that erf-based Phi brings it to ~1e-7.
import { normalCdf, normalQuantile, ss } from "../core/stats";
import { checkAlpha, checkPositive, checkPower, checkProportion, checkShare, checkSided } from "./checks";

export interface SampleSizeInput {
  /** Churn rate in the control arm (current model). */
  p1: number;
  /** Churn rate in the treatment arm (new model) the test must detect. */
  p2: number;
  /** Type I error rate (default 0.05). */
  alpha?: number;
  /** Power, 1 - type II error rate (default 0.8). */
  power?: number;
  /** n2 / n1, treatment per control customer (default 1). */
  ratio?: number;
  /** 1 or 2 (default 2): one- or two-sided test. */
  sided?: number;
  /** Fleiss' continuity correction (default false; the uncorrected z-test is what R's power.prop.test inverts). */
  continuityCorrection?: boolean;
}

export interface SampleSize {
  /** Control customers, rounded up. */
  n1: number;
  /** Treatment customers, ceil(ratio x n1Exact) (equal to n1 for ratio 1). */
  n2: number;
  total: number;
  /** The formula's value before rounding. */
  n1Exact: number;
}

/**
 * Customers per arm for a z-test of two proportions with pooled variance under H0 (Fleiss, Levin & Paik, "Statistical
 * Methods for Rates and Proportions", 3rd ed. 2003, eq. 4.14 (uncorrected) and 4.15 (continuity corrected, Fleiss,
 * Tytun & Ury 1980); also Chow, Shao & Wang, "Sample Size Calculations in Clinical Research", 2008, sect. 4.2):
 *
 *   n1 = [ z_{1-a/s} sqrt(pbar qbar (1 + 1/k)) + z_{1-b} sqrt(p1 q1 + p2 q2 / k) ]^2 / (p1 - p2)^2,
 *   pbar = (p1 + k p2) / (1 + k),  n2 = k n1,
 *
 * and with the continuity correction n1' = n1/4 [1 + sqrt(1 + 2 (k + 1) / (k n1 |p1 - p2|))]^2.
 */
export function sampleSizeTwoProportions(input: SampleSizeInput): SampleSize {
  const { p1, p2, alpha = 0.05, power = 0.8, ratio = 1, sided = 2, continuityCorrection = false } = input;
  checkProportion("p1", p1);
  checkProportion("p2", p2);
  if (p1 === p2) throw new RangeError(`p2 must differ from p1 (no effect to detect), got p1 = p2 = ${p1}`);
  checkAlpha(alpha);
  checkSided(sided);
  checkPower(power, alpha, sided);
  checkPositive("ratio", ratio);
  const k = ratio;
  const d = Math.abs(p1 - p2);
  const pbar = (p1 + k * p2) / (1 + k);
  const za = normalQuantile(1 - alpha / sided);
  const zb = normalQuantile(power);
  const root = za * Math.sqrt(pbar * (1 - pbar) * (1 + 1 / k)) + zb * Math.sqrt(p1 * (1 - p1) + (p2 * (1 - p2)) / k);
  let n1Exact = (root * root) / (d * d);
  if (continuityCorrection) n1Exact = (n1Exact / 4) * (1 + Math.sqrt(1 + (2 * (k + 1)) / (k * n1Exact * d))) ** 2;
  // Guard the ceiling against floating-point noise (387.0000000001 is 387).
  const up = (x: number): number => Math.ceil(x - 1e-9);
  const n1 = up(n1Exact);
  const n2 = up(k * n1Exact);
  return { n1, n2, total: n1 + n2, n1Exact };
}

export interface PowerInput {
  p1: number;
  p2: number;
  /** Control customers. */
  n1: number;
  /** Treatment customers. */
  n2: number;
  alpha?: number;
  sided?: number;
}

/** Power without validation (also used by the bisection, where p2 may reach p1). */
export function powerRaw(p1: number, p2: number, n1: number, n2: number, alpha: number, sided: number): number {
  const pbar = (n1 * p1 + n2 * p2) / (n1 + n2);
  const se0 = Math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2));
  const se1 = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return normalCdf((Math.abs(p1 - p2) - normalQuantile(1 - alpha / sided) * se0) / se1);
}

/**
 * Power of the pooled two-proportion z-test (the inverse of `sampleSizeTwoProportions` without continuity correction):
 * Phi((|p1 - p2| - z_{1-a/s} sqrt(pbar qbar (1/n1 + 1/n2))) / sqrt(p1 q1 / n1 + p2 q2 / n2)), pbar = (n1 p1 + n2 p2) / (n1 + n2).
 * The far tail (significance in the wrong direction) is not counted, as in R's power.prop.test (strict = FALSE).
 */
export function powerTwoProportions(input: PowerInput): number {
  const { p1, p2, n1, n2, alpha = 0.05, sided = 2 } = input;
  checkProportion("p1", p1);
  checkProportion("p2", p2);
  checkPositive("n1", n1);
  checkPositive("n2", n2);
  checkAlpha(alpha);
  checkSided(sided);
  return powerRaw(p1, p2, n1, n2, alpha, sided);
}

export interface MdeInput {
  /** Control churn rate. */
  p1: number;
  /** Control customers. */
  n: number;
  alpha?: number;
  power?: number;
  sided?: number;
  /** n2 / n1 (default 1). */
  ratio?: number;
  /** Which side to solve on (default "decrease": the new model should lower churn). */
  direction?: "decrease" | "increase";
}

export interface Mde {
  /** The treatment churn rate detected with the requested power. */
  p2: number;
  /** p2 - p1. */
  absolute: number;
  /** (p2 - p1) / p1. */
  relative: number;
}

/** The smallest change of p1 the test detects with the requested power: p2 solved by bisection (`ss.bisect`) on power. */
export function minimumDetectableEffect(input: MdeInput): Mde {
  const { p1, n, alpha = 0.05, power = 0.8, sided = 2, ratio = 1, direction = "decrease" } = input;
  checkProportion("p1", p1);
  checkPositive("n", n);
  checkAlpha(alpha);
  checkSided(sided);
  checkPower(power, alpha, sided);
  checkPositive("ratio", ratio);
  if (direction !== "decrease" && direction !== "increase") {
    throw new RangeError(`direction must be "decrease" or "increase", got ${String(direction)}`);
  }
  const n2 = ratio * n;
  const f = (p2: number): number => powerRaw(p1, p2, n, n2, alpha, sided) - power;
  const eps = 1e-9;
  const far = direction === "decrease" ? eps : 1 - eps;
  if (f(far) < 0) {
    throw new RangeError(`n = ${n} is too small: even a churn rate of ${direction === "decrease" ? 0 : 1} would not reach power ${power}`);
  }
  // f(p1) = alpha/sided - power < 0 and f(far) >= 0: power is monotone in |p2 - p1| on each side.
  const p2 = ss.bisect(f, far, p1, 200, 1e-12);
  return { p2, absolute: p2 - p1, relative: (p2 - p1) / p1 };
}

/**
 * Relative churn reduction of a whole arm implied by offline recall at a fixed contact budget. With p0 the churn rate
 * the arm would have without any campaign, s the save rate of the offer and r the share of churners the model's
 * contact list reaches: churn = p0 (1 - s r), so the relative reduction from the old to the new model is
 * s (r_new - r_old) / (1 - s r_old). This is the effect size to plan for: the improvement is diluted over every
 * customer of the arm, contacted or not.
 */
export function armEffectFromRecall(input: { saveRate: number; recallOld: number; recallNew: number }): number {
  const { saveRate, recallOld, recallNew } = input;
  checkShare("saveRate", saveRate, true);
  checkShare("recallOld", recallOld, true);
  checkShare("recallNew", recallNew, true);
  if (saveRate * recallOld >= 1) throw new RangeError("saveRate x recallOld must be < 1 (the control arm would not churn)");
  return (saveRate * (recallNew - recallOld)) / (1 - saveRate * recallOld);
}
