// The expected maximum profit measure for customer churn, EMPC (Verbraken, Verbeke & Baesens, "A novel profit
// maximizing metric for measuring classification performance of customer churn prediction models", IEEE TKDE 25(5),
// 2013), and EMPfrac, the expected share of customers contacted at the profit-maximizing cut-off.
//
// A campaign contacts the customers scoring at or above a cut-off t. A contacted churner accepts the offer with
// probability γ (then stays: CLV minus the incentive d) and every contact costs f; a contacted non-churner takes the
// incentive and stays anyway. With δ = d / CLV, φ = f / CLV, π0 the share of churners, F0(t) and F1(t) the shares of
// churners and non-churners contacted (the ROC curve's TPR and FPR), the profit per customer is
//   P(t; γ) = CLV (γ (1 − δ) − φ) π0 F0(t) − CLV (δ + φ) π1 F1(t).
// EMPC = ∫ max_t P(t; γ) h(γ) dγ with γ ~ Beta(α, β). The maximum over t sits on a vertex of the ROC convex hull:
// between hull vertices k and k+1 the later one pays when γ exceeds
//   γ_k = (π1 (δ + φ) / π0 · ΔF1/ΔF0 + φ) / (1 − δ),
// increasing along the hull, so the integral splits into intervals of γ with one optimal vertex each, and every piece
// is a regularized incomplete beta function: the computation is exact, no grid.
import betainc from "@stdlib/math-base-special-betainc";

export interface EmpcParams {
  /** Beta distribution of the offer's acceptance rate among contacted churners. Paper: α = 6, β = 14 (mean 0.3). */
  alpha: number;
  beta: number;
  /** Customer lifetime value. Paper: 200. */
  clv: number;
  /** Cost of the incentive offered (d). Paper: 10. */
  incentive: number;
  /** Cost of a contact (f). Paper: 1. */
  contact: number;
}

/** The paper's defaults. */
export const EMPC_PAPER_PARAMS: Readonly<EmpcParams> = Object.freeze({ alpha: 6, beta: 14, clv: 200, incentive: 10, contact: 1 });

export interface EmpcResult {
  /** Expected maximum profit per customer (currency of CLV). */
  empc: number;
  /** Expected share of all customers contacted at the optimum. */
  empcFrac: number;
  params: EmpcParams;
}

/** A point of the ROC curve: share of non-churners (F1, FPR) and of churners (F0, TPR) contacted. */
interface RocPoint {
  fpr: number;
  tpr: number;
}

/** ROC points at every distinct score (ties together), from contacting nobody to contacting everybody. */
function rocPoints(labels: ArrayLike<number>, scores: ArrayLike<number>): { points: RocPoint[]; positives: number; negatives: number } {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] === 1 ? 1 : 0;
  const negatives = n - positives;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n;) {
    const s = scores[order[k] as number] as number;
    while (k < n && scores[order[k] as number] === s) {
      if (labels[order[k] as number] === 1) tp++;
      else fp++;
      k++;
    }
    points.push({ fpr: negatives ? fp / negatives : 0, tpr: positives ? tp / positives : 0 });
  }
  return { points, positives, negatives };
}

/** The upper convex hull of ROC points (both ends included), left to right. */
export function rocConvexHull(points: readonly RocPoint[]): RocPoint[] {
  const sorted = [...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr);
  const hull: RocPoint[] = [];
  for (const p of sorted) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2] as RocPoint;
      const b = hull[hull.length - 1] as RocPoint;
      // Drop b when it lies on or below the segment a -> p.
      if ((b.fpr - a.fpr) * (p.tpr - a.tpr) - (b.tpr - a.tpr) * (p.fpr - a.fpr) >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** P(γ ≤ x) for γ ~ Beta(a, b); 0 below 0, 1 above 1. */
function betaCdf(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return betainc(x, a, b, true, false);
}

/** Refuses parameters the measure is undefined for, naming the first wrong one. */
export function checkEmpcParams(p: EmpcParams): void {
  for (const [k, v] of Object.entries(p)) {
    const ok = Number.isFinite(v) && (k === "incentive" ? v >= 0 : v > 0);
    if (!ok) throw new RangeError(`EMPC parameter ${k} must be a ${k === "incentive" ? "non-negative" : "positive"} number, got ${v}`);
  }
  if (p.incentive >= p.clv) throw new RangeError(`EMPC: the incentive (${p.incentive}) must be below the CLV (${p.clv})`);
}

/**
 * EMPC and EMPfrac of scores against labels (1 = churned), exactly, over the ROC convex hull. Throws when the labels
 * hold only one class (no ROC curve).
 */
export function empc(labels: ArrayLike<number>, scores: ArrayLike<number>, params: EmpcParams = EMPC_PAPER_PARAMS): EmpcResult {
  checkEmpcParams(params);
  if (labels.length !== scores.length) throw new RangeError(`EMPC: ${labels.length} labels for ${scores.length} scores`);
  const { points, positives, negatives } = rocPoints(labels, scores);
  if (positives === 0 || negatives === 0) throw new RangeError("EMPC needs both churners and non-churners among the labels");
  const n = positives + negatives;
  const pi0 = positives / n;
  const pi1 = negatives / n;
  const { alpha: a, beta: b, clv } = params;
  const delta = params.incentive / clv;
  const phi = params.contact / clv;
  const hull = rocConvexHull(points);
  // γ thresholds where the optimum moves from vertex k to k+1 (non-decreasing along the hull).
  const bounds: number[] = [];
  for (let k = 0; k + 1 < hull.length; k++) {
    const h0 = hull[k] as RocPoint;
    const h1 = hull[k + 1] as RocPoint;
    const dTpr = h1.tpr - h0.tpr;
    const dFpr = h1.fpr - h0.fpr;
    bounds.push(dTpr > 0 ? ((pi1 * (delta + phi) * dFpr) / (pi0 * dTpr) + phi) / (1 - delta) : Number.POSITIVE_INFINITY);
  }
  // Vertex k is optimal for γ in [bounds[k-1], bounds[k]) (bounds[-1] = 0, bounds[last] = ∞).
  const meanGamma = a / (a + b);
  let profit = 0;
  let frac = 0;
  for (let k = 0; k < hull.length; k++) {
    const lo = k === 0 ? 0 : Math.max(0, bounds[k - 1] as number);
    const hi = k === hull.length - 1 ? 1 : Math.min(1, bounds[k] as number);
    if (!(hi > lo)) continue;
    const mass = betaCdf(hi, a, b) - betaCdf(lo, a, b);
    // ∫ γ h(γ) dγ over [lo, hi] = E[γ] (I_hi(a+1, b) − I_lo(a+1, b)).
    const firstMoment = meanGamma * (betaCdf(hi, a + 1, b) - betaCdf(lo, a + 1, b));
    const v = hull[k] as RocPoint;
    profit += clv * ((1 - delta) * firstMoment - phi * mass) * pi0 * v.tpr - clv * (delta + phi) * pi1 * v.fpr * mass;
    frac += (pi0 * v.tpr + pi1 * v.fpr) * mass;
  }
  return { empc: profit, empcFrac: frac, params: { ...params } };
}

/**
 * EMPC parameters from the project's own value model (evaluation/business.ts), so the profit view agrees with the
 * campaign plan: CLV = mean MonthlyCharges × months a saved customer stays × margin; every contacted customer costs
 * the offer (f = offerCost, d = 0: the value model charges the offer to every contact, churner or not); the acceptance
 * rate keeps the paper's Beta(6, 14) shape scaled to the value model's save rate as its mean (α + β = 20).
 */
export function valueModelEmpcParams(
  assumptions: { offerCost: number; saveRate: number; lifetimeMonths: number; margin: number },
  monthlyCharges: readonly number[],
): EmpcParams {
  if (monthlyCharges.length === 0) throw new RangeError("EMPC value-model parameters need the customers' MonthlyCharges");
  const meanCharge = monthlyCharges.reduce((a, b) => a + b, 0) / monthlyCharges.length;
  const concentration = EMPC_PAPER_PARAMS.alpha + EMPC_PAPER_PARAMS.beta;
  return {
    alpha: assumptions.saveRate * concentration,
    beta: (1 - assumptions.saveRate) * concentration,
    clv: meanCharge * assumptions.lifetimeMonths * assumptions.margin,
    incentive: 0,
    contact: assumptions.offerCost,
  };
}

/**
 * Parameters from text such as "alpha=6,clv=300" (any subset of EMPC_PAPER_PARAMS' names), each a finite number; the
 * caller merges them over a base and checks the whole with checkEmpcParams. Throws a RangeError naming the bad part.
 */
export function parseEmpcParams(text: string): Partial<EmpcParams> {
  const out: Partial<EmpcParams> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const [key = "", raw = ""] = part.split("=", 2).map((x) => x.trim());
    if (!Object.hasOwn(EMPC_PAPER_PARAMS, key)) {
      throw new RangeError(`unknown EMPC parameter ${JSON.stringify(key)}; known: ${Object.keys(EMPC_PAPER_PARAMS).join(", ")}`);
    }
    const n = Number(raw);
    if (raw === "" || !Number.isFinite(n)) throw new RangeError(`EMPC parameter ${key} must be a number, got ${JSON.stringify(raw)}`);
    out[key as keyof EmpcParams] = n;
  }
  return out;
}
