// The campaign's operating point: whom the retention team contacts each month, chosen by value under the team's
// contact capacity and the campaign budget, with the value's uncertainty (bootstrap over customers) and its range
// over the margin, which the data does not give.
//
// One story for every reader: the threshold is the value-maximizing one among those the capacity and the budget
// allow (evaluation/business.ts's value model); F1's threshold is a side note for comparison with other work. The
// risk bands split customers by that plan: "contact" (within the plan), "watch" (the next group of the same size),
// "low" (the rest).
import seedrandom from "seedrandom";
import { type ValueAssumptions, DEFAULT_ASSUMPTIONS, bestOperatingPoint, type OperatingPoint, valueByThreshold } from "./business";
import { descendingOrder } from "../core/ranking";
import { ss } from "../core/stats";

export interface CampaignLimits {
  /** Most customers the retention team can contact in a month, as a share of the base. */
  capacityShare: number;
  /** Most the campaign may spend on contacts and offers in a month, per 1,000 customers. */
  budgetPer1000: number;
  /** The margin range the value is stated over (share of MonthlyCharges), low and high. */
  marginRange: readonly [number, number];
}

/**
 * Stated defaults: a team that can call 15% of the base a month, a budget of 5,000 per 1,000 customers a month (100
 * contacts at 50 each: 10% of the base, so the budget is what binds), and a margin of 40-80% of the bill (telecom
 * contribution margins on service revenue; the value model's central margin is the range's middle, 60%).
 */
export const DEFAULT_LIMITS: Readonly<CampaignLimits> = Object.freeze({
  capacityShare: 0.15,
  budgetPer1000: 5000,
  marginRange: Object.freeze<[number, number]>([0.4, 0.8]),
});

export interface CampaignPlan {
  limits: CampaignLimits;
  assumptions: ValueAssumptions;
  /** Most contacts per 1,000 customers the capacity and the budget allow, and which of the two binds. */
  maxContactsPer1000: number;
  binding: "capacity" | "budget";
  /** The value-maximizing point among those within the limits, or the given threshold's point on these customers. */
  point: OperatingPoint;
  /** True when the threshold was chosen elsewhere (on validation) and only evaluated on these customers. */
  thresholdGiven: boolean;
  /** The unconstrained value-maximizing point, for comparison. */
  unconstrained: OperatingPoint;
  /** 95% bootstrap interval of the plan's net value per 1,000 customers (threshold fixed, customers resampled). */
  netPer1000Interval: [number, number];
  /** The plan's net value per 1,000 customers at the low and high ends of the margin range (threshold fixed). */
  netPer1000AtMargin: [number, number];
  bootstrapSamples: number;
}

function checkLimits(l: CampaignLimits): void {
  if (!(l.capacityShare > 0 && l.capacityShare <= 1)) throw new RangeError(`capacityShare must be in (0, 1], got ${l.capacityShare}`);
  if (!(l.budgetPer1000 >= 0) || !Number.isFinite(l.budgetPer1000)) {
    throw new RangeError(`budgetPer1000 must be a finite number >= 0, got ${l.budgetPer1000}`);
  }
  const [lo, hi] = l.marginRange;
  if (!(lo >= 0 && hi >= lo && hi <= 1))
    throw new RangeError(`marginRange must be [low, high] with 0 <= low <= high <= 1, got [${lo}, ${hi}]`);
}

/** Net value per 1,000 customers of contacting score >= threshold, for the customers at `rows`. */
function netPer1000At(
  rows: ArrayLike<number>,
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  mc: ArrayLike<number>,
  threshold: number | null,
  a: ValueAssumptions,
): number {
  if (threshold === null) return 0;
  let net = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k] as number;
    if (!((p[i] as number) >= threshold)) continue;
    net -= a.offerCost;
    if (y[i] === 1) net += a.saveRate * (mc[i] as number) * a.margin * a.lifetimeMonths;
  }
  return (net * 1000) / rows.length;
}

/**
 * The campaign plan on scored, labeled customers: the best threshold within the limits, its value's bootstrap
 * interval and its value at both ends of the margin range.
 */
export function campaignPlan(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  options: {
    assumptions?: Partial<ValueAssumptions>;
    limits?: Partial<CampaignLimits>;
    samples?: number;
    seed?: number;
    /**
     * A threshold chosen on other customers (model.json's `business.campaign.contactThreshold`, chosen on validation):
     * the plan is evaluated at it instead of searched, so held-out customers judge the choice without making it.
     */
    threshold?: number;
  } = {},
): CampaignPlan {
  const limits: CampaignLimits = { ...DEFAULT_LIMITS, ...options.limits };
  checkLimits(limits);
  const assumptions: ValueAssumptions = { ...DEFAULT_ASSUMPTIONS, ...options.assumptions };
  const n = y.length;
  const byCapacity = limits.capacityShare * 1000;
  const byBudget = assumptions.offerCost > 0 ? limits.budgetPer1000 / assumptions.offerCost : Number.POSITIVE_INFINITY;
  const maxContactsPer1000 = Math.min(byCapacity, byBudget);
  const maxContacted = Math.floor((maxContactsPer1000 * n) / 1000 + 1e-9);
  const given = options.threshold;
  if (given !== undefined && !Number.isFinite(given)) throw new RangeError(`threshold must be a finite number, got ${given}`);
  const point: OperatingPoint =
    given === undefined
      ? bestOperatingPoint(y, p, monthlyCharges, assumptions, { maxContacted })
      : (valueByThreshold(y, p, monthlyCharges, assumptions, [given])[0] as OperatingPoint);
  const unconstrained = bestOperatingPoint(y, p, monthlyCharges, assumptions);
  const samples = options.samples ?? 1000;
  const rng = seedrandom(`campaign:${options.seed ?? 42}`);
  const rows = new Uint32Array(n);
  const nets: number[] = [];
  for (let b = 0; b < samples; b++) {
    for (let k = 0; k < n; k++) rows[k] = Math.floor(rng() * n);
    nets.push(netPer1000At(rows, y, p, monthlyCharges, point.threshold, assumptions));
  }
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const atMargin = (margin: number): number => netPer1000At(all, y, p, monthlyCharges, point.threshold, { ...assumptions, margin });
  return {
    limits,
    assumptions,
    maxContactsPer1000,
    binding: byBudget < byCapacity ? "budget" : "capacity",
    point,
    thresholdGiven: given !== undefined,
    unconstrained,
    netPer1000Interval: samples > 1 ? [ss.quantile(nets, 0.025), ss.quantile(nets, 0.975)] : [Number.NaN, Number.NaN],
    netPer1000AtMargin: [atMargin(limits.marginRange[0]), atMargin(limits.marginRange[1])],
    bootstrapSamples: samples,
  };
}

export type PlanBand = "contact" | "watch" | "low";

export interface RiskBandRow {
  band: PlanBand;
  customers: number;
  share: number;
  churners: number;
  /** Churn rate within the band. */
  churnRate: number;
  /** Lowest score in the band (null when the band is empty). */
  minScore: number | null;
}

/**
 * Customers split by the plan: "contact" are those the plan contacts (score >= its threshold), "watch" the next
 * group of the same size by score (next month's candidates), "low" the rest. Ties at a boundary stay together.
 */
export function riskBands(y: ArrayLike<number>, p: ArrayLike<number>, plan: Pick<CampaignPlan, "point">): RiskBandRow[] {
  const n = p.length;
  const order = descendingOrder(p);
  const contact = plan.point.threshold === null ? 0 : order.filter((i) => (p[i] as number) >= (plan.point.threshold as number)).length;
  let watchEnd = Math.min(n, 2 * contact);
  while (watchEnd < n && watchEnd > 0 && (p[order[watchEnd] as number] as number) === (p[order[watchEnd - 1] as number] as number))
    watchEnd++;
  const bands: [PlanBand, number, number][] = [
    ["contact", 0, contact],
    ["watch", contact, watchEnd],
    ["low", watchEnd, n],
  ];
  return bands.map(([band, from, to]) => {
    const members = order.slice(from, to);
    const churners = members.filter((i) => y[i] === 1).length;
    return {
      band,
      customers: members.length,
      share: n ? members.length / n : 0,
      churners,
      churnRate: members.length ? churners / members.length : 0,
      minScore: members.length ? (p[members[members.length - 1] as number] as number) : null,
    };
  });
}

const money = (x: number): string => `${x < 0 ? "-" : ""}$${Math.abs(Math.round(x)).toLocaleString("en-US")}`;

/** The plan in sentences, every number from `plan`: the limits, whom to contact, the value, its interval and its range. */
export function campaignStatement(plan: CampaignPlan, f1Threshold?: number): string[] {
  const { limits, point, unconstrained } = plan;
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const out: string[] = [];
  out.push(
    `Limits: the team can contact ${pct(limits.capacityShare)} of customers a month and the campaign budget is ${money(limits.budgetPer1000)} ` +
      `per 1,000 customers (${Math.round(limits.budgetPer1000 / plan.assumptions.offerCost)} contacts at ${money(plan.assumptions.offerCost)}); ` +
      `the ${plan.binding} binds, at ${Math.round(plan.maxContactsPer1000)} contacts per 1,000 customers.`,
  );
  out.push(
    point.threshold === null
      ? "Within these limits no campaign pays for itself: contact nobody."
      : `Plan${plan.thresholdGiven ? " (threshold chosen on the validation customers, judged here)" : ""}: contact customers scoring at least ${point.threshold.toFixed(3)} — ${pct(point.contactedShare)} of customers, ` +
          `${pct(point.churnerShare)} of churners — worth ${money(point.netPer1000)} per 1,000 customers per monthly campaign ` +
          `(95% bootstrap interval ${money(plan.netPer1000Interval[0])} to ${money(plan.netPer1000Interval[1])}; ` +
          `${money(plan.netPer1000AtMargin[0])} to ${money(plan.netPer1000AtMargin[1])} for a margin of ` +
          `${pct(limits.marginRange[0])}–${pct(limits.marginRange[1])} of the bill, ${pct(plan.assumptions.margin)} assumed).`,
  );
  if (unconstrained.threshold !== null && unconstrained.contacted > point.contacted) {
    out.push(
      `Without limits the best threshold would be ${unconstrained.threshold.toFixed(3)}, contacting ${pct(unconstrained.contactedShare)} ` +
        `of customers for ${money(unconstrained.netPer1000)} per 1,000: ${money(unconstrained.netPer1000 - point.netPer1000)} more, ` +
        `with ${(unconstrained.contacted / Math.max(1, point.contacted)).toFixed(1)} times the contacts ${plan.binding === "budget" ? "the budget pays for" : "the team can make"}.`,
    );
  }
  if (f1Threshold !== undefined) {
    out.push(
      `For comparison, the F1-optimal threshold is ${f1Threshold.toFixed(3)}; F1 weighs a missed churner and a wasted call alike, which the money does not.`,
    );
  }
  return out;
}
