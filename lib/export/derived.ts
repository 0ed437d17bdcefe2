// The derived features (features/derived.ts) as ONNX subgraphs, one lowering per feature, each following its plain
// function step by step, including when it is missing. test/export/onnx.test.ts holds every lowering to its function
// on every customer of the export and on random customers with missing fields.
import { type DerivedFeature, TENURE_BANDS } from "../features/derived";
import { type ColumnName, INTERNET_ADD_ONS, PROTECTION_ADD_ONS, columnSpec } from "../core/schema";
import type { Ops } from "./ops";
import type { Value } from "./graph";

/** What a lowering reads: the cleaned fields as the graph decoded them. */
export interface FieldReader {
  readonly ops: Ops;
  /** A numeric field as double [N, 1], NaN where missing. */
  number(column: ColumnName): Value;
  /** A categorical field is `level` (false where missing). */
  is(column: ColumnName, level: string): Value;
  /** A categorical field is missing (empty, or not one of the schema's spellings). */
  missing(column: ColumnName): Value;
}

/** A lowered feature: numbers as double with NaN for missing; categories as int64 codes into `levels` (-1 missing). */
export type Lowered = { kind: "number"; value: Value } | { kind: "category"; code: Value; levels: readonly string[] };

type Lowering = (r: FieldReader, f: DerivedFeature) => Lowered;

const num = (value: Value): Lowered => ({ kind: "number", value });

/** NaN where `isMissing`, else `value`. */
function orMissing(r: FieldReader, isMissing: Value, value: Value): Value {
  return r.ops.where(isMissing, r.ops.d(Number.NaN), value);
}

function countOf(r: FieldReader, conditions: readonly Value[]): Value {
  return r.ops.sum(conditions.map((c) => r.ops.indicator(c)));
}

function averageMonthlyBill(r: FieldReader): Value {
  const { ops } = r;
  const tenure = r.number("tenure");
  const total = r.number("TotalCharges");
  // null when tenure or TotalCharges is; MonthlyCharges in month 0; else TotalCharges / tenure.
  const ratio = ops.where(ops.eq(tenure, ops.d(0)), r.number("MonthlyCharges"), ops.div(total, tenure));
  return orMissing(r, ops.or([ops.isNaN(tenure), ops.isNaN(total)]), ratio);
}

function protectionGaps(r: FieldReader): Value {
  const { ops } = r;
  const gaps = orMissing(
    r,
    ops.or(PROTECTION_ADD_ONS.map((c) => r.missing(c))),
    countOf(
      r,
      PROTECTION_ADD_ONS.map((c) => r.is(c, "No")),
    ),
  );
  return orMissing(r, r.missing("InternetService"), ops.where(r.is("InternetService", "No"), ops.d(0), gaps));
}

/** The schema's payment methods that isAutoPay counts (those ending in "(automatic)"). */
function automaticMethods(): string[] {
  const spec = columnSpec("PaymentMethod");
  return spec.kind === "category" ? spec.levels.filter((l) => l.endsWith("(automatic)")) : [];
}

function autoPay(r: FieldReader): Value {
  const automatic = automaticMethods().map((l) => r.is("PaymentMethod", l));
  return orMissing(r, r.missing("PaymentMethod"), r.ops.indicator(r.ops.or(automatic)));
}

const LOWERINGS: Record<string, Lowering> = {
  services_count: (r) => {
    const { ops } = r;
    const phone = r.is("PhoneService", "Yes");
    const internet = ops.not(r.is("InternetService", "No"));
    const count = ops.add(
      countOf(r, [phone, r.is("MultipleLines", "Yes")]),
      ops.mul(
        ops.indicator(internet),
        ops.add(
          ops.d(1),
          countOf(
            r,
            INTERNET_ADD_ONS.map((c) => r.is(c, "Yes")),
          ),
        ),
      ),
    );
    const unknown = ops.or([
      r.missing("PhoneService"),
      r.missing("InternetService"),
      ops.and(phone, r.missing("MultipleLines")),
      ops.and(internet, ops.or(INTERNET_ADD_ONS.map((c) => r.missing(c)))),
    ]);
    return num(orMissing(r, unknown, count));
  },
  tenure_band: (r, f) => {
    const { ops } = r;
    const tenure = r.number("tenure");
    // The first band whose upper bound holds the tenure: the count of bounds it exceeds.
    const bounded = TENURE_BANDS.filter((b) => Number.isFinite(b.maxMonths));
    const band = ops.toInt64(
      countOf(
        r,
        bounded.map((b) => ops.gt(tenure, ops.d(b.maxMonths))),
      ),
    );
    const levels = f.levels ?? [];
    if (levels.join("|") !== TENURE_BANDS.map((b) => b.label).join("|")) throw new Error("tenure_band levels are not TENURE_BANDS");
    return { kind: "category", code: ops.where(ops.isNaN(tenure), ops.i(-1), band), levels };
  },
  avg_monthly_bill: (r) => num(averageMonthlyBill(r)),
  charge_increase: (r) => num(r.ops.sub(r.number("MonthlyCharges"), averageMonthlyBill(r))),
  protection_gaps: (r) => num(protectionGaps(r)),
  auto_pay: (r) => num(autoPay(r)),
  contract_payment: (r, f) => {
    const { ops } = r;
    const levels = f.levels ?? [];
    const level = (label: string): number => {
      const k = levels.indexOf(label);
      if (k < 0) throw new Error(`contract_payment has no level ${label}`);
      return k;
    };
    const monthly = r.is("Contract", "Month-to-month");
    const echeck = r.is("PaymentMethod", "Electronic check");
    const auto = ops.eq(autoPay(r), ops.d(1));
    const pick = (contract: "monthly" | "term"): Value =>
      ops.where(
        echeck,
        ops.i(level(`${contract}/echeck`)),
        ops.where(auto, ops.i(level(`${contract}/auto`)), ops.i(level(`${contract}/mailed`))),
      );
    const code = ops.where(monthly, pick("monthly"), pick("term"));
    return { kind: "category", code: ops.where(ops.or([r.missing("Contract"), r.missing("PaymentMethod")]), ops.i(-1), code), levels };
  },
  has_family: (r) => {
    const { ops } = r;
    const either = ops.or([r.is("Partner", "Yes"), r.is("Dependents", "Yes")]);
    return num(ops.where(either, ops.d(1), orMissing(r, ops.or([r.missing("Partner"), r.missing("Dependents")]), ops.d(0))));
  },
  streaming_only: (r) => {
    const { ops } = r;
    const gaps = protectionGaps(r);
    const streams = ops.where(
      ops.or([r.is("StreamingTV", "Yes"), r.is("StreamingMovies", "Yes")]),
      ops.d(1),
      orMissing(r, ops.or([r.missing("StreamingTV"), r.missing("StreamingMovies")]), ops.d(0)),
    );
    const unprotected = ops.where(ops.eq(gaps, ops.d(PROTECTION_ADD_ONS.length)), streams, ops.d(0));
    const internet = orMissing(r, ops.isNaN(gaps), unprotected);
    return num(orMissing(r, r.missing("InternetService"), ops.where(r.is("InternetService", "No"), ops.d(0), internet)));
  },
};

/** The names of the derived features that have a lowering. */
export const LOWERED_FEATURES: readonly string[] = Object.keys(LOWERINGS);

/** The feature as a subgraph; refuses a feature without a lowering, naming it. */
export function lowerDerived(r: FieldReader, f: DerivedFeature): Lowered {
  const lowering = Object.hasOwn(LOWERINGS, f.name) ? LOWERINGS[f.name] : undefined;
  if (!lowering) throw new Error(`derived feature ${f.name} has no ONNX lowering (lib/export/derived.ts)`);
  const lowered = lowering(r, f);
  if ((lowered.kind === "category") !== (f.kind === "category")) throw new Error(`derived feature ${f.name}: lowering kind does not match`);
  return lowered;
}
