// A/B testing a model update: sample size, power, minimum detectable effect, duration, guardrails and a rollout plan.
//
// The experiment. Each month the retention campaign scores the eligible customers and contacts the riskiest ones,
// within a fixed contact budget. Control customers are targeted by the current model, treatment customers by the new
// one. The unit of randomization is the CUSTOMER (by a hash of the customer ID, fixed for the whole experiment), never
// the scoring request: a customer is scored many times, requests of one customer are correlated, and churn is a
// customer-level outcome. The primary metric is the churn rate over the observation window among ALL customers of
// each arm (intention to treat), not among the contacted ones: the two models contact different people, so churn among
// "the targeted" compares two differently selected populations (the new model may simply pick customers who were
// going to stay anyway) and is biased. Only the whole arm is a randomized, comparable population. Lower is better.
//
// Statistics come from simple-statistics (`ss.probit`, `ss.errorFunction`, `ss.bisect`); only the closed-form
// sample-size and power formulas are written here. Two precision notes, both measured:
// - `ss.cumulativeStdNormalProbability` is a lookup in a 4-decimal table with a z step of 0.01, a step function that
//   makes bisection on power stall; Phi(z) is computed as (1 + erf(z / sqrt 2)) / 2 with `ss.errorFunction`
//   (Numerical Recipes' erfc, |error| < 1.2e-7).
// - `ss.probit` uses a closed-form approximation of erf^-1 (probit(0.975) = 1.95716 against 1.959964), enough to move
//   a sample size by one or two customers; one Newton step on that erf-based Phi brings it to ~1e-7.
//
// All functions are pure. A month is 30 days throughout (the billing cycle).

import { percentTrimmed } from "../core/format";
import { normalCdf, normalQuantile, ss } from "../core/stats";

/** Days in a month and in a billing cycle, throughout this module. */
export const DAYS_PER_MONTH = 30;

// ---------------------------------------------------------------------------------------------------------------
// Normal distribution helpers (simple-statistics underneath).

// Re-exported from lib/stats.ts, where drift.ts uses them too.
export { normalCdf, normalQuantile };

// ---------------------------------------------------------------------------------------------------------------
// Input validation.

function checkProportion(name: string, p: number): void {
  if (!(Number.isFinite(p) && p > 0 && p < 1)) throw new RangeError(`${name} must be a proportion in (0, 1), got ${p}`);
}

function checkAlpha(alpha: number): void {
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}

function checkSided(sided: number): void {
  if (sided !== 1 && sided !== 2) throw new RangeError(`sided must be 1 or 2, got ${sided}`);
}

function checkPower(power: number, alpha: number, sided: number): void {
  if (!(Number.isFinite(power) && power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  if (power <= alpha / sided) {
    throw new RangeError(`power must exceed alpha/sided = ${alpha / sided} (a test at that level already has it), got ${power}`);
  }
}

function checkPositive(name: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${x}`);
}

function checkShare(name: string, x: number, allowZero = false): void {
  const ok = Number.isFinite(x) && (allowZero ? x >= 0 : x > 0) && x <= 1;
  if (!ok) throw new RangeError(`${name} must be a share in ${allowZero ? "[0" : "(0"}, 1], got ${x}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Sample size and power for two proportions.

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
function powerRaw(p1: number, p2: number, n1: number, n2: number, alpha: number, sided: number): number {
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

// ---------------------------------------------------------------------------------------------------------------
// Duration.

export interface DurationInput {
  /** Control customers needed (n1). */
  perArm: number;
  /** n2 / n1 (default 1): the treatment arm holds ratio x perArm customers. */
  ratio?: number;
  /** Customers becoming eligible per day; give this or eligiblePerMonth. */
  eligiblePerDay?: number;
  /** Customers becoming eligible per month (30 days); give this or eligiblePerDay. */
  eligiblePerMonth?: number;
  /** Share of eligible customers enrolled into the two arms together (default 1). */
  allocation?: number;
  /** Billing cycles each customer is followed after enrollment (default 1, at least 1). */
  observationCycles?: number;
}

export interface Duration {
  /** perArm x (1 + ratio), rounded up. */
  customersNeeded: number;
  /** eligible per day x allocation. */
  enrolledPerDay: number;
  /** customersNeeded / enrolledPerDay. */
  enrollmentDaysExact: number;
  /** Enrollment rounded up to whole weeks (at least one), so every weekday is equally represented. */
  enrollmentDays: number;
  /** observationCycles x 30: the last customer enrolled must be followed for a full billing cycle. */
  observationDays: number;
  /** enrollmentDays + observationDays: the day the primary metric can be read. */
  totalDays: number;
  /** totalDays / 7, rounded up. */
  totalWeeks: number;
}

/**
 * Experiment length = enrollment time + observation window. Churn is observed monthly (a customer leaves at a billing
 * date), so each customer is followed for at least one billing cycle after enrollment; the readout waits for the last
 * enrolled customer's window to close.
 */
export function experimentDuration(input: DurationInput): Duration {
  const { perArm, ratio = 1, eligiblePerDay, eligiblePerMonth, allocation = 1, observationCycles = 1 } = input;
  checkPositive("perArm", perArm);
  checkPositive("ratio", ratio);
  checkShare("allocation", allocation);
  if ((eligiblePerDay === undefined) === (eligiblePerMonth === undefined)) {
    throw new RangeError("give exactly one of eligiblePerDay and eligiblePerMonth");
  }
  if (eligiblePerDay !== undefined) checkPositive("eligiblePerDay", eligiblePerDay);
  if (eligiblePerMonth !== undefined) checkPositive("eligiblePerMonth", eligiblePerMonth);
  if (!(Number.isInteger(observationCycles) && observationCycles >= 1)) {
    throw new RangeError(`observationCycles must be an integer >= 1 (churn needs a full billing cycle), got ${observationCycles}`);
  }
  const perDay = eligiblePerDay ?? (eligiblePerMonth as number) / DAYS_PER_MONTH;
  const customersNeeded = Math.ceil(perArm * (1 + ratio) - 1e-9);
  const enrolledPerDay = perDay * allocation;
  const enrollmentDaysExact = customersNeeded / enrolledPerDay;
  const enrollmentDays = Math.max(1, Math.ceil(enrollmentDaysExact / 7 - 1e-9)) * 7;
  const observationDays = observationCycles * DAYS_PER_MONTH;
  const totalDays = enrollmentDays + observationDays;
  return {
    customersNeeded,
    enrolledPerDay,
    enrollmentDaysExact,
    enrollmentDays,
    observationDays,
    totalDays,
    totalWeeks: Math.ceil(totalDays / 7),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Guardrails.

export interface Guardrail {
  name: string;
  /** How the treatment value is compared: relative or absolute change against control, or an absolute ceiling. */
  kind: "relative-increase" | "absolute-increase" | "max";
  /** The limit: e.g. 0.05 = +5% relative, 0.002 = +0.2 points, or the ceiling itself. */
  threshold: number;
  unit: string;
  why: string;
}

/** Guardrail metrics watched in canary and A/B; a breach stops the rollout (values are team defaults, configurable). */
export const DEFAULT_GUARDRAILS: readonly Guardrail[] = Object.freeze<Guardrail[]>([
  {
    name: "contacts per 1,000 customers",
    kind: "relative-increase",
    threshold: 0.05,
    unit: "share of control",
    why: "both arms get the same contact budget; a model that 'wins' by contacting more is buying retention, not targeting better",
  },
  {
    name: "retention-offer cost per 1,000 customers",
    kind: "relative-increase",
    threshold: 0.05,
    unit: "share of control",
    why: "the value model pays offerCost per contact; richer offers or more contacts must show up as cost, not as model skill",
  },
  {
    name: "complaint or marketing opt-out rate",
    kind: "relative-increase",
    threshold: 0.1,
    unit: "share of control",
    why: "contacting the wrong customers annoys them; an opt-out removes a customer from every future campaign",
  },
  {
    name: "scoring service p99 latency",
    kind: "relative-increase",
    threshold: 0.2,
    unit: "share of control",
    why: "a heavier model must not break the service's latency objective for the online path",
  },
  {
    name: "scoring error rate",
    kind: "max",
    threshold: 0.001,
    unit: "share of requests",
    why: "failed scores silently drop customers from the campaign and bias the arm",
  },
  {
    name: "out-of-distribution flags",
    kind: "absolute-increase",
    threshold: 0.01,
    unit: "share of scored customers",
    why: "the new model must not be deployed on a population it was not trained on; more flags than control means its inputs differ",
  },
  {
    name: "prediction-distribution PSI against the training reference",
    kind: "max",
    threshold: 0.2,
    unit: "PSI",
    why: "PSI above 0.2 (the usual 'significant shift' rule of thumb; 0.1 warns) means the scores no longer mean what validation measured",
  },
]);

export interface GuardrailObservation {
  name: string;
  /** Control value (needed for relative and absolute increases). */
  control?: number;
  treatment: number;
}

export interface GuardrailBreach {
  name: string;
  /** The compared quantity: relative change, absolute change or the treatment value itself. */
  value: number;
  threshold: number;
  message: string;
}

/** The breached guardrails among the observed ones (unknown names are a RangeError, so a typo cannot pass silently). */
export function checkGuardrails(
  observed: readonly GuardrailObservation[],
  guardrails: readonly Guardrail[] = DEFAULT_GUARDRAILS,
): GuardrailBreach[] {
  const out: GuardrailBreach[] = [];
  for (const o of observed) {
    const g = guardrails.find((x) => x.name === o.name);
    if (!g) throw new RangeError(`unknown guardrail: ${o.name}`);
    if (!Number.isFinite(o.treatment)) throw new RangeError(`guardrail ${o.name}: treatment must be finite, got ${o.treatment}`);
    let value: number;
    if (g.kind === "max") value = o.treatment;
    else {
      if (o.control === undefined || !Number.isFinite(o.control)) {
        throw new RangeError(`guardrail ${o.name}: a finite control value is needed, got ${o.control}`);
      }
      if (g.kind === "absolute-increase") value = o.treatment - o.control;
      else {
        if (!(o.control > 0)) throw new RangeError(`guardrail ${o.name}: a relative change needs control > 0, got ${o.control}`);
        value = o.treatment / o.control - 1;
      }
    }
    if (value > g.threshold) {
      out.push({ name: g.name, value, threshold: g.threshold, message: `${g.name}: ${g.kind} ${value.toFixed(4)} > ${g.threshold}` });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rollout plan.

export interface RolloutStage {
  name: "shadow" | "canary" | "a/b test" | "ramp to 100%" | "long-term holdout";
  /** Share of eligible customers whose contact decision the new model makes in this stage. */
  newModelShare: number;
  /** Minimum length in days (null: runs until stopped). */
  minDays: number | null;
  what: string;
  entry: string[];
  exit: string[];
  rollback: string[];
}

export interface RolloutInput {
  /** Length of the A/B stage in days (enrollment + observation, from `experimentDuration`). */
  abDays: number;
  /** Share of eligible customers in the two A/B arms together (default 0.95). */
  allocation?: number;
  /** Treatment share of the A/B customers (default 0.5). */
  treatmentShare?: number;
  shadowDays?: number;
  canaryDays?: number;
  canaryShare?: number;
  /** Customers never contacted, kept to measure the campaign's absolute uplift (default 0.05). */
  holdoutShare?: number;
}

/** Fills the rollout defaults and checks every length and share. */
function resolveRolloutInput(input: RolloutInput): Required<RolloutInput> {
  const {
    abDays,
    allocation = 0.95,
    treatmentShare = 0.5,
    shadowDays = 7,
    canaryDays = 7,
    canaryShare = 0.05,
    holdoutShare = 0.05,
  } = input;
  checkPositive("abDays", abDays);
  checkShare("allocation", allocation);
  checkShare("treatmentShare", treatmentShare);
  checkPositive("shadowDays", shadowDays);
  checkPositive("canaryDays", canaryDays);
  checkShare("canaryShare", canaryShare);
  checkShare("holdoutShare", holdoutShare, true);
  if (allocation + holdoutShare > 1 + 1e-12) {
    throw new RangeError(`allocation + holdoutShare must be <= 1, got ${allocation} + ${holdoutShare}`);
  }
  return { abDays, allocation, treatmentShare, shadowDays, canaryDays, canaryShare, holdoutShare };
}

/** The automatic rollback rule of every stage in which the new model makes decisions. */
const ROLLBACK_AUTO =
  "any guardrail breached on two consecutive daily checks, or the error-rate ceiling breached once: route every customer back to the current model automatically";

/** Stage 1: the new model scores in parallel and decides nothing. */
function shadowStage(shadowDays: number): RolloutStage {
  return {
    name: "shadow",
    newModelShare: 0,
    minDays: shadowDays,
    what: "the new model scores every eligible customer in parallel with the current one; no decision uses its scores",
    entry: ["offline evaluation passed on the held-out test set", "model file loads and scores in the serving image"],
    exit: [
      "score distributions compared: PSI of the new scores against the training reference < 0.2",
      "agreement with the current model reported (overlap of the two contact lists at the same budget, rank correlation)",
      "p99 latency and error rate within the guardrails under production traffic",
      `at least ${shadowDays} days, covering every weekday`,
    ],
    rollback: ["nothing to roll back: stop scoring with the new model"],
  };
}

/** Stage 2: a small randomized share is targeted by the new model while the guardrails are watched. */
function canaryStage(canaryShare: number, canaryDays: number): RolloutStage {
  return {
    name: "canary",
    newModelShare: canaryShare,
    minDays: canaryDays,
    what: `${percentTrimmed(canaryShare)} of eligible customers (randomized by customer ID) are targeted by the new model; guardrails watched daily`,
    entry: ["shadow exit criteria met"],
    exit: [
      "no guardrail breached over the whole canary",
      `at least ${canaryDays} days and one complete campaign run`,
      "canary customers are excluded from the A/B analysis (they were exposed before randomization)",
    ],
    rollback: [ROLLBACK_AUTO],
  };
}

/** Stage 3: the pre-registered A/B test that decides whether the new model ships. */
function abTestStage(abDays: number, allocation: number, treatmentShare: number): RolloutStage {
  return {
    name: "a/b test",
    newModelShare: allocation * treatmentShare,
    minDays: abDays,
    what:
      `${percentTrimmed(allocation)} of eligible customers randomized by customer ID, ${percentTrimmed(treatmentShare)} of them to the new model; ` +
      "primary metric: churn over the observation window among ALL customers of each arm, at equal contact budget",
    entry: ["canary exit criteria met", "hypothesis, metric, sample size, alpha and the analysis fixed in advance"],
    exit: [
      `the planned sample enrolled and every enrolled customer followed for the observation window (${abDays} days in all)`,
      "one pre-registered two-proportion test at the planned alpha (no early stopping on the primary metric)",
      "ship only if churn is significantly lower in treatment and no guardrail is breached",
    ],
    rollback: [ROLLBACK_AUTO, "a significant increase of churn in treatment at the readout: keep the current model"],
  };
}

/** Stage 4: the new model takes every customer outside the holdout. */
function rampStage(holdoutShare: number): RolloutStage {
  return {
    name: "ramp to 100%",
    newModelShare: 1 - holdoutShare,
    minDays: 7,
    what: "the new model targets every customer outside the holdout; the old model stays deployable for one release",
    entry: ["A/B exit criteria met and the decision recorded"],
    exit: ["guardrails stay green for a week at full traffic"],
    rollback: [ROLLBACK_AUTO],
  };
}

/** Stage 5: the never-contacted holdout that measures the campaign's absolute uplift. */
function holdoutStage(holdoutShare: number): RolloutStage {
  return {
    name: "long-term holdout",
    newModelShare: 0,
    minDays: null,
    what:
      `${percentTrimmed(holdoutShare)} of eligible customers, randomized by customer ID from the start of the A/B, are never contacted; ` +
      "their churn against the targeted population measures the campaign's absolute uplift (the A/B only compares two models)",
    entry: ["set aside when the A/B starts, never re-randomized"],
    exit: ["runs as long as the campaign; reviewed quarterly (uplift with its interval, cost of the holdout in lost saves)"],
    rollback: ["release holdout customers to the campaign if the measured uplift makes keeping them too costly"],
  };
}

/** The ordered stages from shadow to a permanent holdout, each with entry and exit criteria and a rollback rule. */
export function rolloutPlan(input: RolloutInput): RolloutStage[] {
  const r = resolveRolloutInput(input);
  return [
    shadowStage(r.shadowDays),
    canaryStage(r.canaryShare, r.canaryDays),
    abTestStage(r.abDays, r.allocation, r.treatmentShare),
    rampStage(r.holdoutShare),
    holdoutStage(r.holdoutShare),
  ];
}

/** The rollout plan as markdown: a summary table, then each stage's criteria. */
export function formatRolloutPlan(stages: readonly RolloutStage[]): string {
  const pct = (x: number): string => percentTrimmed(x);
  const lines = [
    "| # | stage | new model decides for | min length |",
    "|---|---|---|---|",
    ...stages.map((s, i) => `| ${i + 1} | ${s.name} | ${pct(s.newModelShare)} | ${s.minDays === null ? "ongoing" : `${s.minDays} days`} |`),
    "",
  ];
  stages.forEach((s, i) => {
    lines.push(`### ${i + 1}. ${s.name}`, "", s.what, "");
    lines.push("- **Entry:** " + s.entry.join("; "));
    lines.push("- **Exit:** " + s.exit.join("; "));
    lines.push("- **Rollback:** " + s.rollback.join("; "), "");
  });
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------------------
// The plan.

export interface ExperimentInputs {
  /** Churn rate over the observation window of the eligible customers under the current model's targeting (control). */
  baseChurnRate: number;
  /** Expected relative reduction of that rate under the new model, over the whole arm (e.g. 0.1 = 10% fewer churners). */
  relativeImprovement: number;
  /** Customers becoming eligible per month. */
  eligiblePerMonth: number;
  /** Share of eligible customers in the two A/B arms together (default 0.95, the rest is the long-term holdout). */
  allocation?: number;
  /** Long-term holdout share (default 0.05). */
  holdoutShare?: number;
  alpha?: number;
  power?: number;
  sided?: number;
  /** Treatment per control customer (default 1: a 50/50 split). */
  ratio?: number;
  observationCycles?: number;
  /** Multiples of the expected effect at which the power curve is evaluated (default 0.5, 0.75, 1, 1.25, 1.5, 2). */
  effectMultiples?: readonly number[];
}

export interface PowerPoint {
  relativeImprovement: number;
  p2: number;
  power: number;
}

export interface ExperimentPlan {
  /** The inputs with every default filled in. */
  inputs: Required<ExperimentInputs>;
  p1: number;
  /** p1 x (1 - relativeImprovement). */
  p2: number;
  sampleSize: SampleSize;
  /** Control customers (n1); the treatment arm holds sampleSize.n2. */
  perArm: number;
  total: number;
  /** Power at the planned arm sizes for multiples of the expected effect. */
  powerCurve: PowerPoint[];
  /** The smallest relative reduction detectable at the planned sizes (equals the input up to rounding n up). */
  mde: Mde;
  duration: Duration;
  guardrails: readonly Guardrail[];
  stages: RolloutStage[];
  /** How each number follows from the inputs, in words. */
  trace: string[];
}

/** Sample size, power curve, duration, guardrails and rollout stages, every number derived from the inputs. */
export function planExperiment(inputs: ExperimentInputs): ExperimentPlan {
  const full: Required<ExperimentInputs> = {
    allocation: 0.95,
    holdoutShare: 0.05,
    alpha: 0.05,
    power: 0.8,
    sided: 2,
    ratio: 1,
    observationCycles: 1,
    effectMultiples: [0.5, 0.75, 1, 1.25, 1.5, 2],
    ...inputs,
  };
  checkProportion("baseChurnRate", full.baseChurnRate);
  if (!(Number.isFinite(full.relativeImprovement) && full.relativeImprovement > 0 && full.relativeImprovement < 1)) {
    throw new RangeError(`relativeImprovement must be in (0, 1) (a reduction of churn), got ${full.relativeImprovement}`);
  }
  checkShare("holdoutShare", full.holdoutShare, true);
  checkShare("allocation", full.allocation);
  if (full.allocation + full.holdoutShare > 1 + 1e-12) {
    throw new RangeError(`allocation + holdoutShare must be <= 1, got ${full.allocation} + ${full.holdoutShare}`);
  }
  const p1 = full.baseChurnRate;
  const p2 = p1 * (1 - full.relativeImprovement);
  const { alpha, power, sided, ratio } = full;
  const sampleSize = sampleSizeTwoProportions({ p1, p2, alpha, power, sided, ratio });
  const powerCurve = full.effectMultiples.map((m) => {
    const r = m * full.relativeImprovement;
    if (!(r > 0 && r < 1)) throw new RangeError(`effectMultiples: ${m} x relativeImprovement must be in (0, 1), got ${r}`);
    const q = p1 * (1 - r);
    return { relativeImprovement: r, p2: q, power: powerRaw(p1, q, sampleSize.n1, sampleSize.n2, alpha, sided) };
  });
  const mde = minimumDetectableEffect({ p1, n: sampleSize.n1, alpha, power, sided, ratio });
  const duration = experimentDuration({
    perArm: sampleSize.n1,
    ratio,
    eligiblePerMonth: full.eligiblePerMonth,
    allocation: full.allocation,
    observationCycles: full.observationCycles,
  });
  const stages = rolloutPlan({
    abDays: duration.totalDays,
    allocation: full.allocation,
    treatmentShare: ratio / (1 + ratio),
    holdoutShare: full.holdoutShare,
  });
  const trace = [
    `p1 = baseChurnRate = ${p1}; p2 = p1 x (1 - ${full.relativeImprovement}) = ${+p2.toFixed(6)}`,
    `n1 = ceil(${+sampleSize.n1Exact.toFixed(2)}) = ${sampleSize.n1} control customers (pooled two-proportion z-test, ` +
      `alpha ${alpha} ${sided}-sided, power ${power}); n2 = ${sampleSize.n2} treatment (ratio ${ratio}); total ${sampleSize.total}`,
    `enrollment: ${full.eligiblePerMonth} eligible/month / ${DAYS_PER_MONTH} x allocation ${full.allocation} = ` +
      `${+duration.enrolledPerDay.toFixed(2)}/day; ${sampleSize.total} customers take ${+duration.enrollmentDaysExact.toFixed(2)} days, ` +
      `rounded to ${duration.enrollmentDays} (whole weeks)`,
    `observation: ${full.observationCycles} billing cycle(s) x ${DAYS_PER_MONTH} days = ${duration.observationDays} days; ` +
      `readout on day ${duration.totalDays} (${duration.totalWeeks} weeks)`,
    `at n1 = ${sampleSize.n1} the minimum detectable relative reduction is ${percentTrimmed(-mde.relative)}`,
  ];
  return {
    inputs: full,
    p1,
    p2,
    sampleSize,
    perArm: sampleSize.n1,
    total: sampleSize.total,
    powerCurve,
    mde,
    duration,
    guardrails: DEFAULT_GUARDRAILS,
    stages,
    trace,
  };
}
