// The A/B test of a model update, planned end to end: sample size (power.ts), duration (duration.ts), guardrails
// (guardrails.ts) and the rollout stages (rollout.ts), every number derived from the inputs and traced in words.
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
//
// All functions are pure. A month is 30 days throughout (the billing cycle).
import { percentTrimmed } from "../core/format";
import { checkProportion, checkShare } from "./checks";
import { DAYS_PER_MONTH, type Duration, experimentDuration } from "./duration";
import { DEFAULT_GUARDRAILS, type Guardrail } from "./guardrails";
import { type Mde, type SampleSize, minimumDetectableEffect, powerRaw, sampleSizeTwoProportions } from "./power";
import { type RolloutStage, rolloutPlan } from "./rollout";

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

/** The inputs with every default filled in; refuses, naming it, an input out of range. */
function resolveExperimentInputs(inputs: ExperimentInputs): Required<ExperimentInputs> {
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
  return full;
}

/** How each number of the plan follows from the inputs, in words. */
function planTrace(full: Required<ExperimentInputs>, p2: number, sampleSize: SampleSize, duration: Duration, mde: Mde): string[] {
  const { alpha, power, sided, ratio } = full;
  return [
    `p1 = baseChurnRate = ${full.baseChurnRate}; p2 = p1 x (1 - ${full.relativeImprovement}) = ${+p2.toFixed(6)}`,
    `n1 = ceil(${+sampleSize.n1Exact.toFixed(2)}) = ${sampleSize.n1} control customers (pooled two-proportion z-test, ` +
      `alpha ${alpha} ${sided}-sided, power ${power}); n2 = ${sampleSize.n2} treatment (ratio ${ratio}); total ${sampleSize.total}`,
    `enrollment: ${full.eligiblePerMonth} eligible/month / ${DAYS_PER_MONTH} x allocation ${full.allocation} = ` +
      `${+duration.enrolledPerDay.toFixed(2)}/day; ${sampleSize.total} customers take ${+duration.enrollmentDaysExact.toFixed(2)} days, ` +
      `rounded to ${duration.enrollmentDays} (whole weeks)`,
    `observation: ${full.observationCycles} billing cycle(s) x ${DAYS_PER_MONTH} days = ${duration.observationDays} days; ` +
      `readout on day ${duration.totalDays} (${duration.totalWeeks} weeks)`,
    `at n1 = ${sampleSize.n1} the minimum detectable relative reduction is ${percentTrimmed(-mde.relative)}`,
  ];
}

/** Sample size, power curve, duration, guardrails and rollout stages, every number derived from the inputs. */
export function planExperiment(inputs: ExperimentInputs): ExperimentPlan {
  const full = resolveExperimentInputs(inputs);
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
  const trace = planTrace(full, p2, sampleSize, duration, mde);
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
