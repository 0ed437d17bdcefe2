// Exploratory statistics on cleaned customers: churn rates by segment with intervals, numeric contrasts, correlations.
import { percent } from "../core/format";
import { ss, wilsonInterval } from "../core/stats";
import { DERIVED_FEATURES, type DerivedFeature, type DerivedValue, deriveFeatures, tenureBand } from "../features/derived";
import type { ColumnName, Customer } from "../core/schema";
import { churnLabel, churnerCount } from "../core/labels";

export interface RateRow {
  level: string;
  customers: number;
  churners: number;
  churnRate: number;
  /** Wilson score 95% interval for the churn rate. */
  ci95: [number, number];
}

export function labeled(customers: readonly Customer[]): Customer[] {
  return customers.filter((c) => c.Churn !== null);
}

/** Churn rate per level of `key` over labeled customers; customers whose key is null are left out of the table. */
export function churnRateBy(
  customers: readonly Customer[],
  key: (c: Customer) => string | number | null,
  order?: readonly string[],
): RateRow[] {
  const groups = new Map<string, { n: number; churners: number }>();
  for (const c of customers) {
    if (c.Churn === null) continue;
    const k = key(c);
    if (k === null) continue;
    const g = groups.get(String(k)) ?? { n: 0, churners: 0 };
    g.n++;
    if (c.Churn === "Yes") g.churners++;
    groups.set(String(k), g);
  }
  const rows = [...groups].map(([level, g]) => ({
    level,
    customers: g.n,
    churners: g.churners,
    churnRate: g.churners / g.n,
    ci95: wilsonInterval(g.churners, g.n),
  }));
  if (order) rows.sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  else rows.sort((a, b) => b.churnRate - a.churnRate);
  return rows;
}

export function churnRateByColumn(customers: readonly Customer[], column: ColumnName, order?: readonly string[]): RateRow[] {
  return churnRateBy(customers, (c) => c[column], order);
}

export interface NumericSummary {
  n: number;
  mean: number;
  median: number;
  q25: number;
  q75: number;
  sd: number;
}

export function summarize(values: readonly number[]): NumericSummary | null {
  if (values.length < 2) return null;
  const v = [...values];
  return {
    n: v.length,
    mean: ss.mean(v),
    median: ss.median(v),
    q25: ss.quantile(v, 0.25),
    q75: ss.quantile(v, 0.75),
    sd: ss.sampleStandardDeviation(v),
  };
}

export interface NumericContrast {
  feature: string;
  churned: NumericSummary | null;
  stayed: NumericSummary | null;
  /** Welch-free two-sample t statistic from simple-statistics (churned minus stayed). */
  tStatistic: number | null;
}

/** Distribution of a numeric value among churners and non-churners. */
export function numericByChurn(customers: readonly Customer[], feature: string, value: (c: Customer) => number | null): NumericContrast {
  const churned: number[] = [];
  const stayed: number[] = [];
  for (const c of customers) {
    if (c.Churn === null) continue;
    const v = value(c);
    if (v === null || !Number.isFinite(v)) continue;
    (c.Churn === "Yes" ? churned : stayed).push(v);
  }
  const t = churned.length > 1 && stayed.length > 1 ? ss.tTestTwoSample(churned, stayed, 0) : null;
  return { feature, churned: summarize(churned), stayed: summarize(stayed), tStatistic: t ?? null };
}

/** Numeric encodings used for the correlation view: 0/1 for yes-like answers, ordinal contract length. */
export const CORRELATION_FEATURES: readonly { name: string; value: (c: Customer) => number | null }[] = [
  { name: "tenure", value: (c) => c.tenure },
  { name: "MonthlyCharges", value: (c) => c.MonthlyCharges },
  { name: "TotalCharges", value: (c) => c.TotalCharges },
  { name: "SeniorCitizen", value: (c) => c.SeniorCitizen },
  {
    name: "contract_months",
    value: (c) => (c.Contract === null ? null : { "Month-to-month": 1, "One year": 12, "Two year": 24 }[c.Contract]),
  },
  { name: "fiber_optic", value: (c) => (c.InternetService === null ? null : c.InternetService === "Fiber optic" ? 1 : 0) },
  { name: "electronic_check", value: (c) => (c.PaymentMethod === null ? null : c.PaymentMethod === "Electronic check" ? 1 : 0) },
  { name: "paperless", value: (c) => yes(c.PaperlessBilling) },
  { name: "tech_support", value: (c) => yes(c.TechSupport) },
  { name: "online_security", value: (c) => yes(c.OnlineSecurity) },
  { name: "services_count", value: (c) => num(deriveFeatures(c)["services_count"]) },
  { name: "churn", value: (c) => yes(c.Churn) },
];

function yes(v: string | null): number | null {
  return v === null ? null : v === "Yes" ? 1 : 0;
}

function num(v: DerivedValue | undefined): number | null {
  return typeof v === "number" ? v : null;
}

export interface CorrelationMatrix {
  names: string[];
  /** Pearson correlations over the customers where both values are present. */
  values: number[][];
}

export function correlationMatrix(
  customers: readonly Customer[],
  features: readonly { name: string; value: (c: Customer) => number | null }[] = CORRELATION_FEATURES,
  method: "pearson" | "spearman" = "pearson",
): CorrelationMatrix {
  const columns = features.map((f) => customers.map((c) => f.value(c)));
  const corr = method === "pearson" ? ss.sampleCorrelation : ss.sampleRankCorrelation;
  const values = columns.map((a) =>
    columns.map((b) => {
      const x: number[] = [];
      const y: number[] = [];
      a.forEach((v, i) => {
        const w = b[i];
        if (v !== null && v !== undefined && w !== null && w !== undefined) {
          x.push(v);
          y.push(w);
        }
      });
      return x.length > 2 ? corr(x, y) : Number.NaN;
    }),
  );
  return { names: features.map((f) => f.name), values };
}

/** Customers by tenure band, in band order, for charts. */
export function churnByTenureBand(customers: readonly Customer[], order: readonly string[]): RateRow[] {
  return churnRateBy(customers, (c) => tenureBand(c.tenure), order);
}

export interface Headline {
  overallChurnRate: number;
  labeledCustomers: number;
  highest: { dimension: string; level: string; churnRate: number };
  lowest: { dimension: string; level: string; churnRate: number };
}

/** The one-line facts a reader remembers: overall rate and the riskiest and safest segments across dimensions. */
export function headline(customers: readonly Customer[], dimensions: readonly ColumnName[]): Headline {
  const lab = labeled(customers);
  const churners = churnerCount(lab);
  let highest = { dimension: "", level: "", churnRate: -1 };
  let lowest = { dimension: "", level: "", churnRate: 2 };
  for (const d of dimensions) {
    for (const r of churnRateByColumn(lab, d)) {
      if (r.customers < 100) continue;
      if (r.churnRate > highest.churnRate) highest = { dimension: d, level: r.level, churnRate: r.churnRate };
      if (r.churnRate < lowest.churnRate) lowest = { dimension: d, level: r.level, churnRate: r.churnRate };
    }
  }
  return { overallChurnRate: churners / lab.length, labeledCustomers: lab.length, highest, lowest };
}

export function rateOf(rows: readonly RateRow[], level: string): RateRow {
  const row = rows.find((r) => r.level === level);
  if (!row) throw new Error(`no level ${level} among ${rows.map((r) => r.level).join(", ")}`);
  return row;
}

/** The key findings in words, every number computed from `customers`; notebooks and the README quote these. */
export function edaInsights(customers: readonly Customer[]): string[] {
  const lab = labeled(customers);
  const overall = churnerCount(lab) / lab.length;
  const contract = churnRateByColumn(lab, "Contract");
  const m2m = rateOf(contract, "Month-to-month");
  const twoYear = rateOf(contract, "Two year");
  const bands = churnByTenureBand(lab, ["0-6", "7-12", "13-24", "25-48", "49+"]);
  const firstBand = rateOf(bands, "0-6");
  const lastBand = rateOf(bands, "49+");
  const internet = churnRateByColumn(lab, "InternetService");
  const fiber = rateOf(internet, "Fiber optic");
  const dsl = rateOf(internet, "DSL");
  const noNet = rateOf(internet, "No");
  const pay = churnRateBy(lab, (c) =>
    c.PaymentMethod === null
      ? null
      : c.PaymentMethod === "Electronic check"
        ? "electronic check"
        : c.PaymentMethod.endsWith("(automatic)")
          ? "automatic"
          : "mailed check",
  );
  const echeck = rateOf(pay, "electronic check");
  const auto = rateOf(pay, "automatic");
  const netUsers = lab.filter((c) => c.InternetService !== null && c.InternetService !== "No");
  const support = churnRateBy(netUsers, (c) =>
    c.OnlineSecurity === null || c.TechSupport === null
      ? null
      : c.OnlineSecurity === "No" && c.TechSupport === "No"
        ? "neither"
        : "at least one",
  );
  const neither = rateOf(support, "neither");
  const some = rateOf(support, "at least one");
  const monthly = numericByChurn(lab, "MonthlyCharges", (c) => c.MonthlyCharges);
  const tenure = numericByChurn(lab, "tenure", (c) => c.tenure);
  const fiberCharge = summarize(
    lab
      .filter((c) => c.InternetService === "Fiber optic")
      .map((c) => c.MonthlyCharges)
      .filter((v): v is number => v !== null),
  );
  const dslCharge = summarize(
    lab
      .filter((c) => c.InternetService === "DSL")
      .map((c) => c.MonthlyCharges)
      .filter((v): v is number => v !== null),
  );
  const fmt = (r: RateRow): string => `${percent(r.churnRate)} (95% CI ${percent(r.ci95[0])}-${percent(r.ci95[1])}, n=${r.customers})`;
  const money = (x: number | undefined): string => (x === undefined ? "n/a" : `$${x.toFixed(2)}`);
  return [
    `**Contract is the strongest lever.** Month-to-month customers churn at ${fmt(m2m)}, two-year customers at ${fmt(twoYear)}: ${(m2m.churnRate / twoYear.churnRate).toFixed(1)}x, against ${percent(overall)} overall.`,
    `**Churn is an early-life problem.** Customers in their first six months churn at ${fmt(firstBand)}; after four years, ${fmt(lastBand)}. Churners' median tenure is ${tenure.churned?.median ?? "n/a"} months against ${tenure.stayed?.median ?? "n/a"} for those who stay.`,
    `**Fiber customers leave more, and pay more.** Fiber optic churns at ${fmt(fiber)} against DSL ${fmt(dsl)} and no internet ${fmt(noNet)}; the median fiber bill is ${money(fiberCharge?.median)} against ${money(dslCharge?.median)} for DSL, so price or service quality on fiber deserves a look.`,
    `**Manual electronic checks mark the riskiest payers.** ${fmt(echeck)} churn among electronic-check payers against ${fmt(auto)} on automatic payment.`,
    `**Support add-ons go with loyalty.** Internet customers with neither online security nor tech support churn at ${fmt(neither)}; with at least one, ${fmt(some)}. Whether the add-on causes loyalty or loyal customers buy add-ons, this data cannot tell.`,
    `**Churners pay more per month on shorter tenures.** Median monthly charge ${money(monthly.churned?.median)} for churners against ${money(monthly.stayed?.median)} for stayers; TotalCharges mostly restates tenure x price, so it adds little on its own.`,
  ];
}

export interface FeatureSignal {
  feature: string;
  kind: string;
  rationale: string;
  /** Customers for whom the feature is defined (non-null) among labeled ones. */
  defined: number;
  /** Lowest and highest churn rate across levels (numeric features: across their distinct values with >= 50 customers). */
  lowestRate: number;
  highestRate: number;
  /** Pearson correlation with churn for numeric and binary features; null for categories. */
  correlation: number | null;
}

/** The level a customer's derived feature is read at in churn-rate tables: numeric values binned, others as text. */
function derivedLevel(f: DerivedFeature, c: Customer): string | null {
  const v = deriveFeatures(c)[f.name];
  if (v === null || v === undefined) return null;
  return typeof v === "number" && f.kind === "numeric" ? binNumeric(f.name, v) : String(v);
}

/** How strongly each derived feature separates churners, computed on labeled customers. */
export function derivedFeatureSignal(customers: readonly Customer[]): FeatureSignal[] {
  const lab = labeled(customers);
  const derived = lab.map((c) => deriveFeatures(c));
  return DERIVED_FEATURES.map((f) => {
    const rows = churnRateBy(lab, (c) => derivedLevel(f, c)).filter((r) => r.customers >= 50);
    let correlation: number | null = null;
    if (f.kind !== "category") {
      const x: number[] = [];
      const y: number[] = [];
      derived.forEach((d, i) => {
        const v = d[f.name];
        if (typeof v === "number") {
          x.push(v);
          y.push(churnLabel(lab[i] as Customer));
        }
      });
      correlation = x.length > 2 ? ss.sampleCorrelation(x, y) : null;
    }
    return {
      feature: f.name,
      kind: f.kind,
      rationale: f.rationale,
      defined: derived.filter((d) => d[f.name] !== null).length,
      lowestRate: Math.min(...rows.map((r) => r.churnRate)),
      highestRate: Math.max(...rows.map((r) => r.churnRate)),
      correlation,
    };
  });
}

/** Where a binned level sits along its feature (levels of a category in their stated order, bins by their value). */
function levelPosition(feature: string, level: string): number {
  const f = DERIVED_FEATURES.find((d) => d.name === feature);
  if (f?.levels) return f.levels.indexOf(level);
  if (feature === "charge_increase") return (CHARGE_INCREASE_BINS as readonly string[]).indexOf(level);
  return Number.parseFloat(level);
}

export interface ClaimCheck {
  feature: string;
  claim: NonNullable<DerivedFeature["claim"]>;
  /** Churn rate per level (levels with at least 50 labeled customers), in the feature's order. */
  rows: RateRow[];
  /** Steps between neighbouring levels that go against the claim with Wilson intervals apart ("1 → 2"). */
  against: string[];
  holds: boolean;
  /** Pearson correlation with churn for numeric and binary features. */
  correlation: number | null;
}

/**
 * Whether each derived feature behaves as its rationale claims, on labeled customers: for a direction, no step between
 * neighbouring levels may go the other way with the two Wilson intervals apart; for a highest level, that level must
 * have the highest churn rate. Features without a claim are left out.
 */
export function derivedFeatureClaims(customers: readonly Customer[]): ClaimCheck[] {
  const lab = labeled(customers);
  const signal = new Map(derivedFeatureSignal(customers).map((s) => [s.feature, s.correlation]));
  const out: ClaimCheck[] = [];
  for (const f of DERIVED_FEATURES) {
    if (!f.claim) continue;
    const rows = churnRateBy(lab, (c) => derivedLevel(f, c))
      .filter((r) => r.customers >= 50)
      .sort((a, b) => levelPosition(f.name, a.level) - levelPosition(f.name, b.level));
    const against: string[] = [];
    let holds: boolean;
    if ("direction" in f.claim) {
      const sign = f.claim.direction === "increasing" ? 1 : -1;
      for (let i = 1; i < rows.length; i++) {
        const [a, b] = [rows[i - 1] as RateRow, rows[i] as RateRow];
        const apart = sign > 0 ? b.ci95[1] < a.ci95[0] : b.ci95[0] > a.ci95[1];
        if (apart) against.push(`${a.level} → ${b.level}`);
      }
      holds = rows.length >= 2 && against.length === 0;
    } else {
      const top = [...rows].sort((a, b) => b.churnRate - a.churnRate)[0];
      holds = top?.level === f.claim.highest;
    }
    out.push({ feature: f.name, claim: f.claim, rows, against, holds, correlation: signal.get(f.name) ?? null });
  }
  return out;
}

/** One sentence per check: what the rationale claims and what the churn rates by level show. */
export function claimSentence(check: ClaimCheck): string {
  const claim =
    "direction" in check.claim
      ? `churn ${check.claim.direction === "increasing" ? "rising" : "falling"} along its levels`
      : `the highest churn at ${check.claim.highest}`;
  const rates = check.rows.map((r) => `${r.level}: ${percent(r.churnRate)}`).join(", ");
  if (check.holds) return `**${check.feature}** behaves as its rationale claims (${claim}): ${rates}.`;
  const where = check.against.length ? `; against the claim, with intervals apart, at ${check.against.join(" and ")}` : "";
  const r =
    check.correlation === null
      ? ""
      : ` Its correlation with churn (r = ${check.correlation.toFixed(3)}) says ${Math.abs(check.correlation) < 0.05 ? "almost nothing, because rises and falls cancel" : "only the average direction"}.`;
  return `**${check.feature}** does not behave as its rationale claims (${claim}): ${rates}${where}.${r}`;
}

/** charge_increase's bins, in order: the bill more than $5 below the customer's average, within $5, above. */
export const CHARGE_INCREASE_BINS = ["down >$5", "within $5", "up >$5"] as const;

/** Coarse bins so continuous features can be read as churn-rate tables (money in $20 steps, counts as they are). */
export function binNumeric(feature: string, value: number): string {
  if (feature === "avg_monthly_bill") return `${20 * Math.floor(value / 20)}-${20 * Math.floor(value / 20) + 20}`;
  if (feature === "charge_increase") return CHARGE_INCREASE_BINS[value < -5 ? 0 : value > 5 ? 2 : 1];
  return String(value);
}
