// How long an experiment runs: enrollment until both arms are full, then one or more billing cycles of observation.
import { checkPositive, checkShare } from "./checks";

/** Days in a month and in a billing cycle, throughout this module. */
export const DAYS_PER_MONTH = 30;

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
