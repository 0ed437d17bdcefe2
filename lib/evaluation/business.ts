// Retention cost/value model: what contacting the riskiest customers is worth under explicit, configurable assumptions.
//
// The model (one retention campaign over a scored population):
// - every contacted customer costs `offerCost` (the contact plus the offer, whether or not they would have churned);
// - of the contacted customers who really churn (y = 1), a share `saveRate` is saved (expected value, not a draw);
// - a saved churner is worth their own MonthlyCharges x `margin` x `lifetimeMonths` (the margin they keep paying over
//   their expected remaining lifetime);
// - contacted non-churners bring no value (they would have stayed anyway) but still cost `offerCost`.
// net = value - cost. All functions are pure functions of arrays (labels, scores, monthly charges).
//
// "Per month per 1,000 customers" means: the net value of ONE monthly campaign run on this scored population,
// scaled to a base of 1,000 customers (net x 1000 / n). The value counted is the lifetime margin of the customers that
// campaign saves, so it is the value a month's campaign creates, not a monthly revenue stream.
import { percent } from "../core/format";
import { descendingOrder } from "../core/ranking";

/** The explicit assumptions of the value model; every one is configurable and reported with the results. */
export interface ValueAssumptions {
  /** Cost of one retention contact plus offer, per contacted customer (currency of MonthlyCharges). Assumed 50. */
  offerCost: number;
  /** Share of contacted true churners the offer saves. Assumed 0.3. */
  saveRate: number;
  /** Expected remaining lifetime of a saved customer, in months. Assumed 12. */
  lifetimeMonths: number;
  /**
   * Share of MonthlyCharges that is margin. Default 0.6, the middle of the 40-80% range the campaign plan states
   * (evaluation/campaign.ts): the data carries no cost information; set the real contribution margin where known.
   */
  margin: number;
}

export const DEFAULT_ASSUMPTIONS: Readonly<ValueAssumptions> = Object.freeze({
  offerCost: 50,
  saveRate: 0.3,
  lifetimeMonths: 12,
  margin: 0.6,
});

/** Plain descriptions of each assumption, for reports. */
export const ASSUMPTION_NOTES: Readonly<Record<keyof ValueAssumptions, string>> = Object.freeze({
  offerCost: "cost of one retention contact plus offer, paid for every contacted customer",
  saveRate: "share of contacted customers who would have churned that the offer keeps",
  lifetimeMonths: "expected remaining lifetime, in months, of a saved customer",
  margin: "share of MonthlyCharges that is margin (assumed 60%, stated over 40-80%: no cost data in the source)",
});

export interface CampaignValue {
  /** Customers contacted. */
  contacted: number;
  /** Contacted customers who churn (y = 1). */
  churnersReached: number;
  /** saveRate x churnersReached. */
  expectedSaved: number;
  /** offerCost x contacted. */
  cost: number;
  /** Expected lifetime margin kept: saveRate x sum over reached churners of MonthlyCharges x margin x lifetimeMonths. */
  value: number;
  /** value - cost. */
  net: number;
}

export interface ThresholdValue extends CampaignValue {
  threshold: number;
  /** contacted / n. */
  contactedShare: number;
  /** churnersReached / all churners (recall). */
  churnerShare: number;
  /** net x 1000 / n: one campaign's net value per 1,000 customers. */
  netPer1000: number;
}

export interface TopShareValue extends CampaignValue {
  /** Percent of customers contacted (riskiest first), 1..100. */
  topPercent: number;
  contactedShare: number;
  churnerShare: number;
  netPer1000: number;
}

export interface OperatingPoint extends CampaignValue {
  /** Contact customers with score >= threshold; null when contacting nobody is best (every option loses money). */
  threshold: number | null;
  contactedShare: number;
  churnerShare: number;
  netPer1000: number;
}

function resolve(a: Partial<ValueAssumptions> = {}): ValueAssumptions {
  const out = { ...DEFAULT_ASSUMPTIONS, ...a };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`value assumption ${k} must be a finite number >= 0, got ${v}`);
  }
  if (out.saveRate > 1) throw new RangeError(`saveRate is a share in [0, 1], got ${out.saveRate}`);
  return out;
}

function check(y: ArrayLike<number>, p: ArrayLike<number>, monthlyCharges: ArrayLike<number>): void {
  if (y.length !== p.length || y.length !== monthlyCharges.length) {
    throw new RangeError(`labels (${y.length}), scores (${p.length}) and monthly charges (${monthlyCharges.length}) must align`);
  }
  if (y.length === 0) throw new RangeError("the value model needs at least one customer");
}

/** Lifetime margin of saving customer i if they churn. */
function saveValue(mc: number, a: ValueAssumptions): number {
  return (Number.isFinite(mc) ? mc : 0) * a.margin * a.lifetimeMonths;
}

function campaign(contacted: number, churnersReached: number, churnerValue: number, a: ValueAssumptions): CampaignValue {
  const cost = a.offerCost * contacted;
  const value = a.saveRate * churnerValue;
  return { contacted, churnersReached, expectedSaved: a.saveRate * churnersReached, cost, value, net: value - cost };
}

function countPositives(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) s++;
  return s;
}

/** Expected value of contacting every customer with score >= threshold. */
export function expectedValue(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  threshold: number,
  assumptions: Partial<ValueAssumptions> = {},
): CampaignValue {
  check(y, p, monthlyCharges);
  const a = resolve(assumptions);
  let contacted = 0;
  let reached = 0;
  let churnerValue = 0;
  for (let i = 0; i < y.length; i++) {
    if (!((p[i] as number) >= threshold)) continue;
    contacted++;
    if (y[i] === 1) {
      reached++;
      churnerValue += saveValue(monthlyCharges[i] as number, a);
    }
  }
  return campaign(contacted, reached, churnerValue, a);
}

/** Thresholds 0, 0.01, ..., 1. */
export const DEFAULT_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, i) => i / 100);

/** The value model swept over thresholds (default 0..1 by 0.01). */
export function valueByThreshold(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  assumptions: Partial<ValueAssumptions> = {},
  thresholds: readonly number[] = DEFAULT_THRESHOLDS,
): ThresholdValue[] {
  check(y, p, monthlyCharges);
  const n = y.length;
  const positives = countPositives(y);
  return thresholds.map((threshold) => {
    const v = expectedValue(y, p, monthlyCharges, threshold, assumptions);
    return {
      threshold,
      ...v,
      contactedShare: v.contacted / n,
      churnerShare: positives ? v.churnersReached / positives : 0,
      netPer1000: (v.net * 1000) / n,
    };
  });
}

/** Contacting the riskiest k% (k = 1..100 by default; ceil(k% x n) customers, ties broken by input order). */
export function valueByTopShare(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  assumptions: Partial<ValueAssumptions> = {},
  percents: readonly number[] = Array.from({ length: 100 }, (_, i) => i + 1),
): TopShareValue[] {
  check(y, p, monthlyCharges);
  const a = resolve(assumptions);
  const n = y.length;
  const positives = countPositives(y);
  const order = descendingOrder(p);
  // Prefix sums along the risk order.
  const reached = new Float64Array(n + 1);
  const churnerValue = new Float64Array(n + 1);
  order.forEach((i, r) => {
    const churn = y[i] === 1;
    reached[r + 1] = (reached[r] as number) + (churn ? 1 : 0);
    churnerValue[r + 1] = (churnerValue[r] as number) + (churn ? saveValue(monthlyCharges[i] as number, a) : 0);
  });
  return percents.map((topPercent) => {
    const k = Math.min(n, Math.max(0, Math.ceil((topPercent / 100) * n - 1e-9)));
    const v = campaign(k, reached[k] as number, churnerValue[k] as number, a);
    return {
      topPercent,
      ...v,
      contactedShare: k / n,
      churnerShare: positives ? v.churnersReached / positives : 0,
      netPer1000: (v.net * 1000) / n,
    };
  });
}

/**
 * The value-maximizing threshold, searched exactly over every distinct score (contacting score >= t), and over
 * contacting nobody (threshold null, net 0). Ties go to the higher threshold (fewer contacts for the same value).
 * `maxContacted` limits the search to thresholds that contact at most that many customers (a capacity or budget).
 */
export function bestOperatingPoint(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  assumptions: Partial<ValueAssumptions> = {},
  limit: { maxContacted?: number } = {},
): OperatingPoint {
  check(y, p, monthlyCharges);
  const a = resolve(assumptions);
  const n = y.length;
  const positives = countPositives(y);
  const order = descendingOrder(p);
  let best: OperatingPoint = {
    threshold: null,
    ...campaign(0, 0, 0, a),
    contactedShare: 0,
    churnerShare: 0,
    netPer1000: 0,
  };
  let reached = 0;
  let churnerValue = 0;
  const maxContacted = limit.maxContacted ?? n;
  for (let r = 0; r < n; r++) {
    if (r + 1 > maxContacted) break;
    const i = order[r] as number;
    if (y[i] === 1) {
      reached++;
      churnerValue += saveValue(monthlyCharges[i] as number, a);
    }
    const score = p[i] as number;
    if (!Number.isFinite(score)) break;
    const next = order[r + 1];
    if (next !== undefined && (p[next] as number) === score) continue; // a threshold takes every tie at once
    const v = campaign(r + 1, reached, churnerValue, a);
    if (v.net > best.net + 1e-9) {
      best = {
        threshold: score,
        ...v,
        contactedShare: (r + 1) / n,
        churnerShare: positives ? reached / positives : 0,
        netPer1000: (v.net * 1000) / n,
      };
    }
  }
  return best;
}

const intFmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const pctFmt = (x: number): string => percent(x, x > 0 && x < 0.1 ? 1 : 0);

function money(x: number, currency: string): string {
  const s = `${currency}${intFmt.format(Math.abs(Math.round(x)))}`;
  return Math.round(x) < 0 ? `-${s}` : s;
}

export interface StatementOptions {
  /** Top shares to describe, in percent (default 5, 10, 20). */
  percents?: readonly number[];
  /** Currency symbol put before amounts (default "$", the Telco data's MonthlyCharges are US dollars). */
  currency?: string;
}

/**
 * Plain sentences on what targeting is worth, every number computed: one per top share, one for the best threshold,
 * and one stating the assumptions and what "per month per 1,000 customers" means.
 */
export function valueStatement(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  assumptions: Partial<ValueAssumptions> = {},
  options: StatementOptions = {},
): string[] {
  const a = resolve(assumptions);
  const currency = options.currency ?? "$";
  const rows = valueByTopShare(y, p, monthlyCharges, a, options.percents ?? [5, 10, 20]);
  const out = rows.map(
    (r) =>
      `Contacting the riskiest ${r.topPercent}% of customers reaches ${pctFmt(r.churnerShare)} of churners and is worth ` +
      `${money(r.netPer1000, currency)} per month per 1,000 customers ` +
      `(${money(r.value, currency)} kept minus ${money(r.cost, currency)} of offers on these ${intFmt.format(y.length)} customers).`,
  );
  const best = bestOperatingPoint(y, p, monthlyCharges, a);
  out.push(
    best.threshold === null
      ? "Under these assumptions no campaign pays for itself: contacting nobody is best."
      : `The best operating point contacts customers with a churn score of at least ${best.threshold.toFixed(3)} ` +
          `(${pctFmt(best.contactedShare)} of customers, ${pctFmt(best.churnerShare)} of churners), worth ` +
          `${money(best.netPer1000, currency)} per month per 1,000 customers.`,
  );
  out.push(
    `Assumptions: each contact and offer costs ${money(a.offerCost, currency)}, the offer saves ${pctFmt(a.saveRate)} of ` +
      `contacted churners, a saved customer stays ${intFmt.format(a.lifetimeMonths)} more months, and ${pctFmt(a.margin)} ` +
      `of monthly charges is margin. "Per month per 1,000 customers" is the net value (lifetime margin kept minus offer ` +
      `costs) of one monthly campaign, scaled to a base of 1,000 customers.`,
  );
  return out;
}

export interface SensitivityRow {
  assumption: keyof ValueAssumptions;
  factor: number;
  /** The assumption's value in this scenario. */
  assumptionValue: number;
  bestThreshold: number | null;
  contactedShare: number;
  net: number;
  netPer1000: number;
  /** Change in netPer1000 against the base assumptions. */
  deltaPer1000: number;
}

/**
 * One-at-a-time sensitivity: each assumption multiplied by each factor (others at base), with the best operating
 * point recomputed. saveRate is capped at 1. Factor 1 rows are included so each block shows the base case.
 * saveRate, margin and lifetimeMonths enter only through their product (the expected value of reaching a churner), so
 * their rows coincide; the best threshold depends only on that product's ratio to offerCost.
 */
export function sensitivity(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  monthlyCharges: ArrayLike<number>,
  assumptions: Partial<ValueAssumptions> = {},
  factors: readonly number[] = [0.5, 0.75, 1, 1.25, 1.5],
): SensitivityRow[] {
  const base = resolve(assumptions);
  const baseBest = bestOperatingPoint(y, p, monthlyCharges, base);
  const keys = Object.keys(DEFAULT_ASSUMPTIONS) as (keyof ValueAssumptions)[];
  const rows: SensitivityRow[] = [];
  for (const assumption of keys) {
    for (const factor of factors) {
      let assumptionValue = base[assumption] * factor;
      if (assumption === "saveRate") assumptionValue = Math.min(1, assumptionValue);
      const best = bestOperatingPoint(y, p, monthlyCharges, { ...base, [assumption]: assumptionValue });
      rows.push({
        assumption,
        factor,
        assumptionValue,
        bestThreshold: best.threshold,
        contactedShare: best.contactedShare,
        net: best.net,
        netPer1000: best.netPer1000,
        deltaPer1000: best.netPer1000 - baseBest.netPer1000,
      });
    }
  }
  return rows;
}
