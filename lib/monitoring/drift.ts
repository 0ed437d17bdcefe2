// `churn drift`: has the data a model scores moved away from the data it was trained on? Compares a new export with the
// training reference statistics stored in model.json, feature by feature, on the model's scores and on the labels.
// The decision record is in docs/decisions.md ("Drift monitoring"); the short version:
// - PSI measures how large a shift is (the practical effect); a test says whether it is more than sampling noise.
//   A feature drifts only when both hold: big samples then do not flag trivial shifts, small ones do not flag noise.
// - The reference keeps quantiles, not training rows, so the numeric test is a Kolmogorov-Smirnov statistic against
//   the CDF that the quantile table pins down (the smallest gap consistent with it), with the Kolmogorov distribution
//   at the two-sample effective size, since the reference is itself a sample.
import { type PerformanceEstimate, type PerformanceReference, performanceEstimate } from "./cbpe";
import { ChurnTableError, cleanFile } from "../cleaning";
import { loadModelFile } from "../artifact/model-file";
import { type CategoryReference, type NumericReference, REFERENCE_QUANTILES, type ReferenceStatistics } from "../artifact/reference";
import { COLUMNS, type ColumnName, type Customer } from "../core/schema";
import { normalQuantile, ss, wilsonInterval } from "../core/stats";
import { churnerCount } from "../core/labels";
import { percent } from "../core/format";
import {
  quantileAt,
  PSI_EPSILON,
  PSI_MAJOR,
  PSI_MODERATE,
  type Severity,
  chiSquare,
  jsDistance,
  ksAgainstQuantiles,
  ksPValue,
  numericBuckets,
  presentPsi,
  psi,
  severity,
  twoProportionTest,
} from "./drift-stats";

export const DEFAULT_ALPHA = 0.05;
/** Label drift also needs the churn rate to move by at least this much (absolute), on top of significance. */
export const LABEL_MIN_DIFFERENCE = 0.05;
/** Two tests per feature share the Bonferroni budget: its distribution and its missing rate. */
const TESTS_PER_FEATURE = 2;
const UNSEEN = "(unseen level)";
const MISSING = "(missing)";

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
  /**
   * The model's performance estimated without labels (monitoring/cbpe.ts): estimates, bands, alert, realized figures
   * when the export is labeled. Null when the model file carries no held-out reference (older files).
   */
  performance: PerformanceEstimate | null;
  summary: string[];
}

export interface DriftOptions {
  alpha?: number;
  model?: DriftReport["model"];
  dataFile?: string;
  /** For the label-free performance estimate: the model's held-out reference and threshold, optional row chunks. */
  performance?: { reference: PerformanceReference; threshold: number; chunkSize?: number; seed?: number };
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
/** The label-free performance estimate of the export (null without a held-out reference), with its summary lines. */
function performanceSection(
  customers: readonly Customer[],
  scores: ArrayLike<number>,
  options: DriftOptions["performance"],
  summary: string[],
): PerformanceEstimate | null {
  if (!options) {
    summary.push("performance not estimated: the model file has no held-out reference (retrain with this version)");
    return null;
  }
  const performance = performanceEstimate(
    scores,
    customers.map((c) => (c.Churn === null ? null : c.Churn === "Yes" ? 1 : 0)),
    options.threshold,
    options.reference,
    {
      ...(options.chunkSize === undefined ? {} : { chunkSize: options.chunkSize }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    },
  );
  const e = performance.estimated;
  const [low, high] = performance.band.roc_auc;
  summary.push(
    `estimated performance without labels (CBPE): ROC-AUC ${e.roc_auc.toFixed(3)} (band ${low.toFixed(3)}-${high.toFixed(3)}), ` +
      `precision ${e.precision.toFixed(3)}, recall ${e.recall.toFixed(3)}, churn rate ${pct(e.churn_rate)}` +
      (performance.alert ? ": ALERT, outside the sampling band of the held-out customers" : ": within the band") +
      (performance.realized ? `; realized ROC-AUC ${performance.realized.roc_auc.toFixed(3)}` : ""),
  );
  for (const w of performance.warnings) summary.push(`warning: ${w}`);
  return performance;
}

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
  const performance = performanceSection(customers, scores, options.performance, summary);

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
    performance,
    summary,
  };
}

/** Loads the model and cleans the export (same cleaning as training), scores it and compares. Bad files throw exit-code-2 errors. */
export function driftFromFiles(modelPath: string, dataPath: string, options: { alpha?: number; chunkSize?: number } = {}): DriftReport {
  const { file, scorer } = loadModelFile(modelPath);
  const { customers } = cleanFile(dataPath);
  if (customers.length === 0) throw new ChurnTableError(`${dataPath} has no customers to compare`);
  const { chunkSize, ...rest } = options;
  return driftReport(file.reference, customers, scorer.score(customers), {
    ...rest,
    model: { name: file.name, version: file.version, createdAt: file.createdAt, checksum: file.checksum },
    dataFile: dataPath,
    ...(file.performanceReference
      ? {
          performance: {
            reference: file.performanceReference,
            threshold: file.threshold,
            seed: file.seed,
            ...(chunkSize === undefined ? {} : { chunkSize }),
          },
        }
      : {}),
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
