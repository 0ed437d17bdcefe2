// `churn drift`: has the data a model scores moved away from the data it was trained on? Compares a new export with the
// training reference statistics stored in model.json, feature by feature, on the model's scores and on the labels.
// The decision record is in docs/decisions.md ("Drift monitoring"); the short version:
// - PSI measures how large a shift is (the practical effect); a test says whether it is more than sampling noise.
//   A feature drifts only when both hold: big samples then do not flag trivial shifts, small ones do not flag noise.
// - The reference keeps quantiles, not training rows, so the numeric test is a Kolmogorov-Smirnov statistic against
//   the CDF that the quantile table pins down (the smallest gap consistent with it), with the Kolmogorov distribution
//   at the two-sample effective size, since the reference is itself a sample.
import seedrandom from "seedrandom";
import chi2gof from "@stdlib/stats-chi2gof";
import pKolmogorov from "@stdlib/stats-kstest/lib/marsaglia.js";
import { ChurnTableError, cleanFile } from "../cleaning";
import { loadModelFile } from "../artifact/model-file";
import { type CategoryReference, type NumericReference, REFERENCE_QUANTILES, type ReferenceStatistics } from "../artifact/reference";
import { COLUMNS, type ColumnName, type Customer } from "../core/schema";
import { normalCdf, normalQuantile, ss, wilsonInterval } from "../core/stats";
import { churnerCount } from "../core/labels";
import { percent } from "../core/format";

/** Population stability index thresholds (Siddiqi 2006, "Credit Risk Scorecards"; the industry convention). */
export const PSI_MODERATE = 0.1;
export const PSI_MAJOR = 0.25;
/** Share given to an empty bucket in PSI (and to a bucket the reference never saw, in the chi-square test). */
export const PSI_EPSILON = 1e-4;
export const DEFAULT_ALPHA = 0.05;
/** Label drift also needs the churn rate to move by at least this much (absolute), on top of significance. */
export const LABEL_MIN_DIFFERENCE = 0.05;
/** Two tests per feature share the Bonferroni budget: its distribution and its missing rate. */
const TESTS_PER_FEATURE = 2;
const UNSEEN = "(unseen level)";
const MISSING = "(missing)";
/** The decile levels of REFERENCE_QUANTILES that bound the PSI bins of numeric features and scores. */
const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export type Severity = "none" | "moderate" | "major";

export interface FeatureDrift {
  kind: "numeric" | "binary" | "category";
  /** Needs both: severity at least moderate (PSI >= thresholds.psi_moderate) and significant. */
  drift: boolean;
  severity: Severity;
  psi: number;
  test: "ks" | "chi_square";
  /**
   * Test of the present values' distribution. KS: largest CDF gap consistent with the reference quantiles; chi-square:
   * the statistic over the levels and the unseen bucket. Null when no value is present (the missing test still runs).
   */
  statistic: number | null;
  p_value: number | null;
  /** Degrees of freedom of the chi-square test. */
  df?: number;
  /** Jensen-Shannon distance (base 2, 0..1) between the PSI buckets' shares, an effect size bounded unlike PSI. */
  js_distance: number;
  missing_share: number;
  reference_missing_share: number;
  /** Two-proportion z test of the missing share against the reference's. */
  missing_p_value: number;
  /** min(p_value, missing_p_value) below thresholds.alpha_per_test. */
  significant: boolean;
  /** PSI of the present values alone (missing bucket left out, shares renormalized); null when nothing is present. */
  psi_present: number | null;
  /**
   * What a drift is made of: "distribution" when the present values drift by themselves (psi_present and the test),
   * "missing_rate" when only the missing share moved (a data-quality change upstream), "both"; null without drift.
   */
  cause: "distribution" | "missing_rate" | "both" | null;
  /** Numeric features: means of present values. */
  mean?: number | null;
  reference_mean?: number;
  /** Category features: shares of all rows (missing and unseen levels included) per bucket. */
  shares?: Record<string, number>;
  reference_shares?: Record<string, number>;
  /** The bucket whose share moved most (categories), as a plain statement input. */
  largest_change?: { level: string; share: number; reference_share: number };
}

export interface PredictionDrift {
  drift: boolean;
  severity: Severity;
  psi: number;
  ks: number;
  p_value: number;
  mean: number;
  reference_mean: number;
  /** Share of new scores above the training median score (0.5 when nothing moved). */
  above_reference_median: number;
}

export interface LabelDrift {
  drift: boolean;
  labeled: number;
  churn_rate: number;
  /** Wilson 95% interval of the new churn rate. */
  churn_rate_ci95: [number, number];
  reference_churn_rate: number;
  reference_rows: number;
  difference: number;
  /** Wald 95% interval of the difference (new minus reference), unpooled. */
  difference_ci95: [number, number];
  z: number;
  p_value: number;
}

export interface DriftReport {
  drift_detected: boolean;
  model: { name: string; version: string; createdAt: string; checksum: string } | null;
  data: { file: string | null; rows: number; labeled: number };
  thresholds: {
    psi_moderate: number;
    psi_major: number;
    psi_epsilon: number;
    alpha: number;
    features: number;
    tests_per_feature: number;
    /** alpha / (features x tests_per_feature): Bonferroni over every feature test. */
    alpha_per_test: number;
    /** Label drift: the churn rate's test at alpha (a single test, as is the scores') and at least this absolute move. */
    label_min_difference: number;
  };
  features: Partial<Record<ColumnName, FeatureDrift>>;
  prediction: PredictionDrift;
  label: LabelDrift | null;
  summary: string[];
}

export interface DriftOptions {
  alpha?: number;
  model?: DriftReport["model"];
  dataFile?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Building blocks

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
function chiSquare(observed: readonly number[], shares: readonly number[]): { statistic: number; p_value: number; df: number } {
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

function quantileAt(reference: readonly number[], level: number): number {
  const i = REFERENCE_QUANTILES.findIndex((q) => Math.abs(q - level) < 1e-12);
  return reference[i] as number;
}

/**
 * PSI buckets of a numeric distribution: bins closed on the right at the distinct training deciles, the first and last
 * open-ended (values outside the training range fall there). Reference share of (e_{k-1}, e_k] is F(e_k) - F(e_{k-1})
 * with F(e) the highest level at which e appears in the table (exact for continuous values; for a value tied over
 * several levels, such as tenure 1, it is the table's lower bound of the atom's mass).
 */
function numericBuckets(present: Float64Array, quantiles: readonly number[]): { actual: number[]; expected: number[] } {
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
function presentPsi(actual: readonly number[], expected: readonly number[]): number | null {
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

function cause(
  drift: boolean,
  psiPresent: number | null,
  pValue: number | null,
  missingP: number,
  alphaPerTest: number,
): FeatureDrift["cause"] {
  if (!drift) return null;
  const distribution = psiPresent !== null && psiPresent >= PSI_MODERATE && pValue !== null && pValue < alphaPerTest;
  const missingRate = missingP < alphaPerTest;
  if (distribution && missingRate) return "both";
  if (missingRate) return "missing_rate";
  // The values' test is significant and the whole PSI large, though the present values' PSI alone is below 0.1.
  return "distribution";
}

const round = (x: number, digits = 6): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

// ---------------------------------------------------------------------------------------------------------------------
// Per-feature drift

/**
 * The fields every feature verdict shares, from its buckets (ending with the missing one) and its two tests: PSI and
 * severity, significance (either test below alphaPerTest), drift (both), and what the drift is made of.
 */
function verdict(
  actual: readonly number[],
  expected: readonly number[],
  test: { name: "ks" | "chi_square"; statistic: number | null; p_value: number | null },
  missing: { share: number; referenceShare: number; p_value: number },
  alphaPerTest: number,
  psiPresent: number | null,
): Omit<FeatureDrift, "kind"> {
  const value = psi(actual, expected);
  const significant = Math.min(test.p_value ?? 1, missing.p_value) < alphaPerTest;
  const sev = severity(value);
  const drift = sev !== "none" && significant;
  return {
    drift,
    severity: sev,
    psi: round(value),
    test: test.name,
    statistic: test.statistic === null ? null : round(test.statistic),
    p_value: test.p_value,
    js_distance: round(jsDistance(actual, expected)),
    missing_share: round(missing.share),
    reference_missing_share: round(missing.referenceShare),
    missing_p_value: missing.p_value,
    significant,
    psi_present: psiPresent === null ? null : round(psiPresent),
    cause: cause(drift, psiPresent, test.p_value, missing.p_value, alphaPerTest),
  };
}

function featureDrift(
  name: ColumnName,
  ref: NumericReference | CategoryReference,
  customers: readonly Customer[],
  alphaPerTest: number,
): FeatureDrift {
  const raw = customers.map((c) => c[name]);
  const rows = raw.length;
  const missing = raw.filter((v) => v === null).length;
  const refRows = ref.count + ref.missing;
  const refMissingShare = refRows > 0 ? ref.missing / refRows : 0;
  const missingShare = rows > 0 ? missing / rows : 0;
  const missingTest = twoProportionTest(missing, rows, ref.missing, refRows);
  const missingFacts = { share: missingShare, referenceShare: refMissingShare, p_value: missingTest.p_value };
  // Every bucket is a share of all rows: present values scaled by the present share, plus a missing bucket.
  const presentShare = 1 - missingShare;
  const refPresentShare = 1 - refMissingShare;

  const binary =
    ref.kind === "numeric" &&
    ref.quantiles.length > 0 &&
    ref.quantiles.every((v) => v === 0 || v === 1) &&
    raw.every((v) => v === null || v === 0 || v === 1);

  if (ref.kind === "category" || binary) {
    // Levels with reference shares; a 0/1 numeric (SeniorCitizen) is exactly known from its mean.
    const refLevels: Record<string, number> = ref.kind === "category" ? { ...ref.levels } : { "0": 1 - ref.mean, "1": ref.mean };
    const levels = Object.keys(refLevels).sort();
    const counts = new Map<string, number>();
    for (const v of raw) if (v !== null) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    const unseen = [...counts].filter(([k]) => !(k in refLevels)).reduce((a, [, c]) => a + c, 0);
    const buckets = [...levels, UNSEEN, MISSING];
    const observed = [...levels.map((l) => counts.get(l) ?? 0), unseen, missing];
    const expected = [...levels.map((l) => (refLevels[l] as number) * refPresentShare), 0, refMissingShare];
    const actual = observed.map((c) => c / Math.max(1, rows));
    // The test is on present values (levels and unseen), like KS on numbers; the missing share has its own test.
    const presentCount = rows - missing;
    const chi = presentCount > 0 ? chiSquare(observed.slice(0, -1), [...levels.map((l) => refLevels[l] as number), 0]) : null;
    // The buckets end with the missing one, as presentPsi expects.
    const psiPresent = presentPsi(actual, expected);
    let largest = { level: buckets[0] as string, share: actual[0] as number, reference_share: expected[0] as number };
    buckets.forEach((b, i) => {
      if (Math.abs((actual[i] as number) - (expected[i] as number)) > Math.abs(largest.share - largest.reference_share)) {
        largest = { level: b, share: actual[i] as number, reference_share: expected[i] as number };
      }
    });
    return {
      kind: binary ? "binary" : "category",
      ...verdict(
        actual,
        expected,
        { name: "chi_square", statistic: chi?.statistic ?? null, p_value: chi?.p_value ?? null },
        missingFacts,
        alphaPerTest,
        psiPresent,
      ),
      ...(chi === null ? {} : { df: chi.df }),
      shares: Object.fromEntries(buckets.map((b, i) => [b, round(actual[i] as number)])),
      reference_shares: Object.fromEntries(buckets.map((b, i) => [b, round(expected[i] as number)])),
      largest_change: { level: largest.level, share: round(largest.share), reference_share: round(largest.reference_share) },
    };
  }

  const present = Float64Array.from(raw.filter((v): v is number => v !== null).map(Number));
  let actual: number[];
  let expected: number[];
  let statistic: number | null = null;
  let pValue: number | null = null;
  if (ref.quantiles.length === 0) {
    // The training column was entirely missing: only the missing bucket can be compared.
    actual = [presentShare];
    expected = [0];
  } else {
    const b = numericBuckets(present, ref.quantiles);
    actual = b.actual.map((s) => s * presentShare);
    expected = b.expected.map((s) => s * refPresentShare);
    if (present.length > 0) {
      statistic = ksAgainstQuantiles(present, ref.quantiles, REFERENCE_QUANTILES);
      pValue = ksPValue(statistic, present.length, ref.count);
    }
  }
  actual.push(missingShare);
  expected.push(refMissingShare);
  const psiPresent = ref.quantiles.length === 0 ? null : presentPsi(actual, expected);
  return {
    kind: "numeric",
    ...verdict(actual, expected, { name: "ks", statistic, p_value: pValue }, missingFacts, alphaPerTest, psiPresent),
    mean: present.length > 0 ? round(ss.mean(Array.from(present))) : null,
    reference_mean: round(ref.mean),
  };
}

function predictionDrift(reference: ReferenceStatistics, scores: ArrayLike<number>, alpha: number): PredictionDrift {
  const s = Float64Array.from(scores);
  const q = reference.prediction.quantiles;
  const b = numericBuckets(s, q);
  const value = psi(b.actual, b.expected);
  const ks = ksAgainstQuantiles(s, q, REFERENCE_QUANTILES);
  const p = ksPValue(ks, s.length, reference.rows);
  const sev = severity(value);
  const median = quantileAt(q, 0.5);
  return {
    drift: sev !== "none" && p < alpha,
    severity: sev,
    psi: round(value),
    ks: round(ks),
    p_value: p,
    mean: round(s.length ? ss.mean(Array.from(s)) : Number.NaN),
    reference_mean: round(reference.prediction.mean),
    above_reference_median: round(s.length ? s.filter((x) => x > median).length / s.length : Number.NaN),
  };
}

function labelDrift(reference: ReferenceStatistics, customers: readonly Customer[], alpha: number): LabelDrift | null {
  const labeled = customers.filter((c) => c.Churn !== null);
  const n = labeled.length;
  if (n === 0) return null;
  const x = churnerCount(labeled);
  const rate = x / n;
  const n0 = reference.rows;
  const r0 = reference.churnRate;
  const { z, p_value } = twoProportionTest(x, n, Math.round(r0 * n0), n0);
  const [low, high] = wilsonInterval(x, n);
  const Z95 = normalQuantile(0.975);
  const diff = rate - r0;
  const seDiff = Math.sqrt((rate * (1 - rate)) / n + (r0 * (1 - r0)) / n0);
  return {
    drift: p_value < alpha && Math.abs(diff) >= LABEL_MIN_DIFFERENCE,
    labeled: n,
    churn_rate: round(rate),
    churn_rate_ci95: [round(low), round(high)],
    reference_churn_rate: round(r0),
    reference_rows: n0,
    difference: round(diff),
    difference_ci95: [round(diff - Z95 * seDiff), round(diff + Z95 * seDiff)],
    z: round(z),
    p_value,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The report

const pct = (x: number): string => percent(x);
const pText = (p: number | null): string => (p === null ? "n/a" : p < 1e-4 ? "p < 1e-4" : `p = ${p.toPrecision(2)}`);

function featureStatement(name: string, f: FeatureDrift): string {
  if (f.cause === "missing_rate") {
    return (
      `${name}: missing rate ${pct(f.reference_missing_share)} -> ${pct(f.missing_share)} (${pText(f.missing_p_value)}; PSI ${f.psi.toFixed(3)} from missingness), ` +
      `present values stable (PSI ${f.psi_present === null ? "n/a" : f.psi_present.toFixed(3)}, ${f.test === "ks" ? "KS" : "chi-square"} ${pText(f.p_value)}): a data-quality change upstream`
    );
  }
  const effect = `PSI ${f.psi.toFixed(3)}, ${f.test === "ks" ? "KS" : "chi-square"} ${pText(f.p_value)}`;
  let what = "";
  if (f.largest_change) what = `${f.largest_change.level} ${pct(f.largest_change.reference_share)} -> ${pct(f.largest_change.share)}`;
  else if (f.mean !== undefined && f.reference_mean !== undefined)
    what = `mean ${f.reference_mean.toFixed(2)} -> ${f.mean === null ? "n/a" : f.mean.toFixed(2)}`;
  const missing =
    Math.abs(f.missing_share - f.reference_missing_share) >= 0.01
      ? `; missing ${pct(f.reference_missing_share)} -> ${pct(f.missing_share)}`
      : "";
  return `${name}: ${f.severity} shift (${effect}): ${what}${missing}`;
}

/**
 * Drift of new customers (and the model's scores on them) against the training reference. Pure: no files. `scores`
 * are the model's probabilities for `customers`, in the same order.
 */
export function driftReport(
  reference: ReferenceStatistics,
  customers: readonly Customer[],
  scores: ArrayLike<number>,
  options: DriftOptions = {},
): DriftReport {
  if (customers.length === 0) throw new RangeError("drift needs at least one customer");
  if (scores.length !== customers.length) throw new RangeError(`${scores.length} scores for ${customers.length} customers`);
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const names = COLUMNS.map((c) => c.name).filter((n) => reference.columns[n] !== undefined);
  const alphaPerTest = alpha / (names.length * TESTS_PER_FEATURE);
  const features: DriftReport["features"] = {};
  for (const name of names)
    features[name] = featureDrift(name, reference.columns[name] as NumericReference | CategoryReference, customers, alphaPerTest);
  const prediction = predictionDrift(reference, scores, alpha);
  const label = labelDrift(reference, customers, alpha);
  const drifted = names.filter((n) => features[n]?.drift);
  const drift_detected = drifted.length > 0 || prediction.drift;

  const summary: string[] = [];
  summary.push(
    drift_detected
      ? `drift detected: ${drifted.length} of ${names.length} features${prediction.drift ? " and the model's scores" : ""}`
      : `no drift: no feature and not the model's scores moved by both PSI >= ${PSI_MODERATE} and a significant test`,
  );
  for (const n of drifted) summary.push(featureStatement(n, features[n] as FeatureDrift));
  for (const n of names) {
    const f = features[n] as FeatureDrift;
    if (!f.drift && f.severity !== "none")
      summary.push(`${featureStatement(n, f)} (not significant at alpha ${alphaPerTest.toPrecision(2)}: watch)`);
  }
  for (const n of names) {
    const f = features[n] as FeatureDrift;
    if (f.missing_p_value < alphaPerTest && Math.abs(f.missing_share - f.reference_missing_share) >= 0.01 && !f.drift) {
      summary.push(`${n}: missing rate ${pct(f.reference_missing_share)} -> ${pct(f.missing_share)} (${pText(f.missing_p_value)})`);
    }
  }
  summary.push(
    `model scores: ${prediction.severity === "none" ? "stable" : `${prediction.severity} shift`} (PSI ${prediction.psi.toFixed(3)}, KS ${prediction.ks.toFixed(3)}, ${pText(prediction.p_value)}); ` +
      `mean score ${prediction.reference_mean.toFixed(3)} -> ${prediction.mean.toFixed(3)}, ${pct(prediction.above_reference_median)} above the training median`,
  );
  if (label) {
    summary.push(
      `churn rate ${pct(label.reference_churn_rate)} -> ${pct(label.churn_rate)} [${pct(label.churn_rate_ci95[0])}, ${pct(label.churn_rate_ci95[1])}] ` +
        `on ${label.labeled} labeled customers (${pText(label.p_value)})${label.drift ? ": label drift, the model's calibration and threshold need a check" : ""}`,
    );
  } else summary.push("no labels: label drift not assessed");

  return {
    drift_detected,
    model: options.model ?? null,
    data: { file: options.dataFile ?? null, rows: customers.length, labeled: label?.labeled ?? 0 },
    thresholds: {
      psi_moderate: PSI_MODERATE,
      psi_major: PSI_MAJOR,
      psi_epsilon: PSI_EPSILON,
      alpha,
      features: names.length,
      tests_per_feature: TESTS_PER_FEATURE,
      alpha_per_test: alphaPerTest,
      label_min_difference: LABEL_MIN_DIFFERENCE,
    },
    features,
    prediction,
    label,
    summary,
  };
}

/** Loads the model and cleans the export (same cleaning as training), scores it and compares. Bad files throw exit-code-2 errors. */
export function driftFromFiles(modelPath: string, dataPath: string, options: { alpha?: number } = {}): DriftReport {
  const { file, scorer } = loadModelFile(modelPath);
  const { customers } = cleanFile(dataPath);
  if (customers.length === 0) throw new ChurnTableError(`${dataPath} has no customers to compare`);
  return driftReport(file.reference, customers, scorer.score(customers), {
    ...options,
    model: { name: file.name, version: file.version, createdAt: file.createdAt, checksum: file.checksum },
    dataFile: dataPath,
  });
}

/** A terminal table: one line per feature, the scores, the labels, then the plain statements. */
export function formatDrift(report: DriftReport): string {
  const lines: string[] = [];
  const m = report.model;
  lines.push(
    `${report.drift_detected ? "DRIFT" : "no drift"}: ${report.data.rows} customers${report.data.file ? ` from ${report.data.file}` : ""}` +
      `${m ? ` against the training reference of ${m.name} (${m.createdAt})` : ""}`,
  );
  lines.push(
    `  ${"feature".padEnd(18)}${"psi".padStart(8)}  ${"test".padEnd(10)}${"stat".padStart(9)}  ${"p".padStart(9)}  ${"missing".padStart(15)}  verdict`,
  );
  for (const [name, f] of Object.entries(report.features)) {
    lines.push(
      `  ${name.padEnd(18)}${f.psi.toFixed(3).padStart(8)}  ${f.test.padEnd(10)}${(f.statistic === null ? "n/a" : f.statistic.toFixed(3)).padStart(9)}  ` +
        `${(f.p_value === null ? "n/a" : f.p_value.toExponential(1)).padStart(9)}  ${`${pct(f.reference_missing_share)}->${pct(f.missing_share)}`.padStart(15)}  ` +
        `${f.drift ? `DRIFT (${f.severity}${f.cause === "missing_rate" ? ", missing rate only" : ""})` : f.severity === "none" ? "stable" : `${f.severity}, not significant`}`,
    );
  }
  const p = report.prediction;
  lines.push(
    `  ${"model score".padEnd(18)}${p.psi.toFixed(3).padStart(8)}  ${"ks".padEnd(10)}${p.ks.toFixed(3).padStart(9)}  ${p.p_value.toExponential(1).padStart(9)}  ${"".padStart(15)}  ${p.drift ? `DRIFT (${p.severity})` : "stable"}`,
  );
  lines.push(
    `  thresholds: PSI ${report.thresholds.psi_moderate} moderate, ${report.thresholds.psi_major} major; alpha ${report.thresholds.alpha} (Bonferroni: ${report.thresholds.alpha_per_test.toPrecision(2)} per feature test)`,
  );
  for (const s of report.summary) lines.push(`  ${s}`);
  return lines.join("\n");
}

/** Adds `churn drift --model MODEL --data CSV [--out FILE] [--json] [--alpha A]` to a commander program. */

// ---------------------------------------------------------------------------------------------------------------------
// A shifted sample for demos and tests

export interface ShiftOptions {
  seed: number;
  /** Rows to draw (with replacement); default: as many as given. */
  size?: number;
  /** Share of month-to-month contracts in the sample (IBM: about 55%); default 0.8. */
  monthToMonthShare?: number;
  /** Relative price rise applied to MonthlyCharges and, proportionally, TotalCharges; default 0.15. */
  chargeIncrease?: number;
}

/**
 * A realistic shift: customers resampled (seeded, with replacement) so that month-to-month contracts make up
 * `monthToMonthShare` of the sample, and every bill raised by `chargeIncrease` — TotalCharges by the same factor, so
 * TotalCharges / (tenure x MonthlyCharges) keeps its training distribution. IDs get a "-S<n>" suffix so the copies of a
 * resampled customer stay distinct customers when written out and cleaned again. Other fields move only as far as
 * they are associated with the contract (e.g. tenure and payment method), as they would in real data.
 */
export function shiftSample(customers: readonly Customer[], options: ShiftOptions): Customer[] {
  const rng = seedrandom(`drift-shift:${options.seed}`);
  const size = options.size ?? customers.length;
  const share = options.monthToMonthShare ?? 0.8;
  const factor = 1 + (options.chargeIncrease ?? 0.15);
  const monthly = customers.filter((c) => c.Contract === "Month-to-month");
  const other = customers.filter((c) => c.Contract !== "Month-to-month");
  if (customers.length === 0) return [];
  const out: Customer[] = [];
  for (let i = 0; i < size; i++) {
    const pool = (rng() < share && monthly.length > 0) || other.length === 0 ? monthly : other;
    const c = pool[Math.floor(rng() * pool.length)] as Customer;
    const scale = (v: number | null): number | null => (v === null ? null : Math.round(v * factor * 100) / 100);
    out.push({ ...c, customerID: `${c.customerID}-S${i}`, MonthlyCharges: scale(c.MonthlyCharges), TotalCharges: scale(c.TotalCharges) });
  }
  return out;
}
