// Derived customer features: pure functions of a cleaned row, each with the business reason it should predict churn.
import { type ColumnName, type Customer, INTERNET_ADD_ONS, PROTECTION_ADD_ONS } from "../core/schema";

export type DerivedValue = number | string | null;

export interface DerivedFeature {
  name: string;
  kind: "numeric" | "binary" | "category";
  /** Levels of a category feature, in a meaningful order. */
  levels?: readonly string[];
  /** One line: why a retention team would expect this to move churn. */
  rationale: string;
  /**
   * What the rationale claims, in a form the data can check (reporting/eda.ts derivedFeatureClaims): churn rising or
   * falling along the feature's ordered levels, or one level with the highest churn. Absent when it claims no direction.
   */
  claim?: { direction: "increasing" | "decreasing" } | { highest: string };
  /**
   * Cleaned columns it reads: the ablation and the API's missing-field warnings use this, and per-customer reasons
   * split the feature's contribution equally among them (inspection/reasons.ts rawFieldShares).
   */
  inputs: readonly ColumnName[];
  /** A plain function, not a method: the pipeline keeps it apart from its feature. */
  compute: (c: Customer) => DerivedValue;
}

/** Tenure bands in months: the first year is where most churn happens. */
export const TENURE_BANDS: readonly { label: string; maxMonths: number }[] = [
  { label: "0-6", maxMonths: 6 },
  { label: "7-12", maxMonths: 12 },
  { label: "13-24", maxMonths: 24 },
  { label: "25-48", maxMonths: 48 },
  { label: "49+", maxMonths: Number.POSITIVE_INFINITY },
];

export function tenureBand(tenureMonths: number | null): string | null {
  if (tenureMonths === null) return null;
  return TENURE_BANDS.find((b) => tenureMonths <= b.maxMonths)?.label ?? null;
}

/** Number of subscribed products; null when any product column is unknown (a partial count would understate). */
export function servicesCount(c: Customer): number | null {
  if (c.PhoneService === null || c.InternetService === null) return null;
  if (c.PhoneService === "Yes" && c.MultipleLines === null) return null;
  let count = c.PhoneService === "Yes" ? 1 : 0;
  if (c.MultipleLines === "Yes") count++;
  if (c.InternetService !== "No") {
    count++;
    for (const col of INTERNET_ADD_ONS) {
      const v = c[col];
      if (v === null) return null;
      if (v === "Yes") count++;
    }
  }
  return count;
}

/** Protection/support add-ons an internet customer lacks (0 for customers without internet). */
export function protectionGaps(c: Customer): number | null {
  if (c.InternetService === null) return null;
  if (c.InternetService === "No") return 0;
  let gaps = 0;
  for (const col of PROTECTION_ADD_ONS) {
    const v = c[col];
    if (v === null) return null;
    if (v === "No") gaps++;
  }
  return gaps;
}

/** Average billed per month of tenure; TotalCharges/tenure, or MonthlyCharges for a customer in month 0. */
export function averageMonthlyBill(c: Customer): number | null {
  if (c.tenure === null || c.TotalCharges === null) return null;
  if (c.tenure === 0) return c.MonthlyCharges;
  return c.TotalCharges / c.tenure;
}

/** Current monthly charge minus the historical average: positive means the bill went up. */
export function chargeIncrease(c: Customer): number | null {
  const avg = averageMonthlyBill(c);
  if (avg === null || c.MonthlyCharges === null) return null;
  return c.MonthlyCharges - avg;
}

export function isAutoPay(c: Customer): number | null {
  if (c.PaymentMethod === null) return null;
  return c.PaymentMethod.endsWith("(automatic)") ? 1 : 0;
}

export function contractPaymentRisk(c: Customer): string | null {
  if (c.Contract === null || c.PaymentMethod === null) return null;
  const contract = c.Contract === "Month-to-month" ? "monthly" : "term";
  const payment = c.PaymentMethod === "Electronic check" ? "echeck" : isAutoPay(c) === 1 ? "auto" : "mailed";
  return `${contract}/${payment}`;
}

export function hasFamily(c: Customer): number | null {
  if (c.Partner === "Yes" || c.Dependents === "Yes") return 1;
  if (c.Partner === null || c.Dependents === null) return null;
  return 0;
}

export function streamingOnly(c: Customer): number | null {
  if (c.InternetService === null) return null;
  if (c.InternetService === "No") return 0;
  const gaps = protectionGaps(c);
  if (gaps === null) return null;
  if (gaps !== PROTECTION_ADD_ONS.length) return 0;
  if (c.StreamingTV === "Yes" || c.StreamingMovies === "Yes") return 1;
  // Neither stream is known to be on: unknown unless both are known to be off.
  return c.StreamingTV === null || c.StreamingMovies === null ? null : 0;
}

export const DERIVED_FEATURES: readonly DerivedFeature[] = [
  {
    name: "services_count",
    kind: "numeric",
    rationale: "Each extra product raises switching cost, so customers with more services should churn less.",
    claim: { direction: "decreasing" },
    inputs: ["PhoneService", "MultipleLines", "InternetService", ...INTERNET_ADD_ONS],
    compute: servicesCount,
  },
  {
    name: "tenure_band",
    kind: "category",
    levels: TENURE_BANDS.map((b) => b.label),
    rationale: "Churn concentrates in the first months; bands let linear models see that non-linear shape.",
    claim: { direction: "decreasing" },
    inputs: ["tenure"],
    compute: (c) => tenureBand(c.tenure),
  },
  {
    name: "avg_monthly_bill",
    kind: "numeric",
    rationale: "What the customer has actually paid per month, separating long-standing value from today's price.",
    inputs: ["tenure", "TotalCharges", "MonthlyCharges"],
    compute: averageMonthlyBill,
  },
  {
    name: "charge_increase",
    kind: "numeric",
    rationale: "A bill above the customer's own historical average signals a price rise, a classic churn trigger.",
    claim: { direction: "increasing" },
    inputs: ["tenure", "TotalCharges", "MonthlyCharges"],
    compute: chargeIncrease,
  },
  {
    name: "protection_gaps",
    kind: "numeric",
    rationale: "Internet customers without security, backup, protection or support get less value and less help when things break.",
    claim: { direction: "increasing" },
    inputs: ["InternetService", ...PROTECTION_ADD_ONS],
    compute: protectionGaps,
  },
  {
    name: "auto_pay",
    kind: "binary",
    rationale: "Automatic payment removes a monthly decision point, so auto-pay customers should churn less.",
    claim: { direction: "decreasing" },
    inputs: ["PaymentMethod"],
    compute: isAutoPay,
  },
  {
    name: "contract_payment",
    kind: "category",
    levels: ["monthly/echeck", "monthly/mailed", "monthly/auto", "term/echeck", "term/mailed", "term/auto"],
    rationale: "No commitment plus a manual electronic check is the highest-risk combination of how a customer buys and pays.",
    claim: { highest: "monthly/echeck" },
    inputs: ["Contract", "PaymentMethod"],
    compute: contractPaymentRisk,
  },
  {
    name: "has_family",
    kind: "binary",
    rationale: "Household accounts (partner or dependents) are harder to move than single-person ones.",
    claim: { direction: "decreasing" },
    inputs: ["Partner", "Dependents"],
    compute: hasFamily,
  },
  {
    name: "streaming_only",
    kind: "binary",
    rationale: "Internet customers who stream but take no protection or support add-ons are entertainment-driven and price-sensitive.",
    claim: { direction: "increasing" },
    inputs: ["InternetService", "StreamingTV", "StreamingMovies", ...PROTECTION_ADD_ONS],
    compute: streamingOnly,
  },
];

/** All derived features of one customer, keyed by feature name. */
export function deriveFeatures(c: Customer): Record<string, DerivedValue> {
  const out: Record<string, DerivedValue> = {};
  for (const f of DERIVED_FEATURES) out[f.name] = f.compute(c);
  return out;
}
