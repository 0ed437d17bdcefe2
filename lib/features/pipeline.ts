// The feature pipeline: cleaned customer -> numeric vector. Fitted on training rows only, serializable, fast per row.
import { DERIVED_FEATURES, type DerivedValue, deriveFeatures } from "./derived";
import type { Matrix } from "../core/matrix";
import { type ColumnName, type Customer } from "../core/schema";
import { ss } from "../core/stats";

export const PIPELINE_VERSION = 1;
export const UNKNOWN_LEVEL = "__unknown__";

/** Raw columns used as numbers (SeniorCitizen is already 0/1). */
export const NUMERIC_COLUMNS = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"] as const satisfies readonly ColumnName[];
/** Raw columns one-hot encoded. */
const CATEGORY_COLUMNS = [
  "gender",
  "Partner",
  "Dependents",
  "PhoneService",
  "MultipleLines",
  "InternetService",
  "OnlineSecurity",
  "OnlineBackup",
  "DeviceProtection",
  "TechSupport",
  "StreamingTV",
  "StreamingMovies",
  "Contract",
  "PaperlessBilling",
  "PaymentMethod",
] as const satisfies readonly ColumnName[];

export const ALL_DERIVED: readonly string[] = DERIVED_FEATURES.map((f) => f.name);

export interface PipelineOptions {
  /** Derived features to include (default: all). */
  derived?: readonly string[];
  /** Raw columns to leave out (feature selection, ablation). */
  exclude?: readonly string[];
  /** Standardize numeric inputs ("numeric"), every output column ("all"), or nothing ("none"). */
  scale?: "none" | "numeric" | "all";
  /** Missing-value indicators: for inputs missing in at least `minMissingShare` of training rows ("auto"), never, or always. */
  missingIndicators?: "auto" | "none" | "all";
  /** Share of training rows missing above which "auto" adds an indicator. */
  minMissingShare?: number;
}

export type Source = { kind: "column"; name: ColumnName } | { kind: "derived"; name: string };

export interface NumericStep {
  type: "numeric";
  source: Source;
  median: number;
  indicator: boolean;
}

export interface CategoryStep {
  type: "category";
  source: Source;
  /** Training levels, most frequent first; the first is the imputation for a missing value. */
  levels: string[];
  indicator: boolean;
}

export type Step = NumericStep | CategoryStep;

export interface SerializedPipeline {
  version: number;
  options: Required<PipelineOptions>;
  steps: Step[];
  /** Standardization per output column (mean 0, sd 1 where scaled; identity elsewhere). */
  center: number[];
  scale: number[];
  featureNames: string[];
}

const DEFAULTS: Required<PipelineOptions> = {
  derived: ALL_DERIVED,
  exclude: [],
  scale: "none",
  missingIndicators: "auto",
  minMissingShare: 0.005,
};

function read(c: Customer, derived: Record<string, DerivedValue> | null, source: Source): DerivedValue {
  if (source.kind === "column") return c[source.name];
  return derived?.[source.name] ?? null;
}

/** Fit-on-train, transform-anywhere feature pipeline in the scikit-learn sense: everything learned is learned in fit. */
export class FeaturePipeline {
  // Compiled once per pipeline for the hot path: each step's value is read from the customer, or from a small array of
  // the derived features this pipeline uses (computed once per row), never through an object keyed by name.
  private readonly reads: ((c: Customer, derived: DerivedValue[]) => DerivedValue)[];
  private readonly derivedUsed: { position: number; compute: (c: Customer) => DerivedValue }[];
  private readonly derivedValues: DerivedValue[];
  private readonly scaled: boolean;

  private constructor(private readonly state: SerializedPipeline) {
    const used = [...new Set(state.steps.filter((s) => s.source.kind === "derived").map((s) => s.source.name))];
    this.derivedUsed = used.map((name, position) => {
      const f = DERIVED_FEATURES.find((d) => d.name === name);
      if (!f) throw new Error(`pipeline uses unknown derived feature ${name}`);
      return { position, compute: f.compute };
    });
    this.derivedValues = new Array<DerivedValue>(used.length).fill(null);
    this.reads = state.steps.map((s) => {
      if (s.source.kind === "column") {
        const name = s.source.name;
        return (c: Customer) => c[name];
      }
      const position = used.indexOf(s.source.name);
      return (_c: Customer, derived: DerivedValue[]) => derived[position] ?? null;
    });
    this.scaled = state.center.some((v) => v !== 0) || state.scale.some((v) => v !== 1);
  }

  get featureNames(): readonly string[] {
    return this.state.featureNames;
  }

  get options(): Required<PipelineOptions> {
    return this.state.options;
  }

  /** Learns medians, levels, indicators and scaling from training customers only. */
  static fit(train: readonly Customer[], options: PipelineOptions = {}): FeaturePipeline {
    if (train.length === 0) throw new RangeError("cannot fit a feature pipeline on zero rows");
    const opts: Required<PipelineOptions> = { ...DEFAULTS, ...options };
    const unknownDerived = opts.derived.filter((d) => !ALL_DERIVED.includes(d));
    if (unknownDerived.length) throw new RangeError(`unknown derived features: ${unknownDerived.join(", ")}`);
    const derivedRows = opts.derived.length ? train.map((c) => deriveFeatures(c)) : null;
    const sources: { source: Source; numeric: boolean }[] = [
      ...NUMERIC_COLUMNS.filter((c) => !opts.exclude.includes(c)).map((name) => ({
        source: { kind: "column", name } satisfies Source,
        numeric: true,
      })),
      ...CATEGORY_COLUMNS.filter((c) => !opts.exclude.includes(c)).map((name) => ({
        source: { kind: "column", name } satisfies Source,
        numeric: false,
      })),
      ...DERIVED_FEATURES.filter((f) => opts.derived.includes(f.name)).map((f) => ({
        source: { kind: "derived", name: f.name } satisfies Source,
        numeric: f.kind !== "category",
      })),
    ];
    const steps: Step[] = sources.map(({ source, numeric }) => {
      const values = train.map((c, i) => read(c, derivedRows?.[i] ?? null, source));
      const present = values.filter((v): v is string | number => v !== null);
      const missingShare = 1 - present.length / values.length;
      const indicator = opts.missingIndicators === "all" || (opts.missingIndicators === "auto" && missingShare >= opts.minMissingShare);
      if (numeric) {
        const nums = present.map(Number);
        return { type: "numeric", source, median: nums.length ? ss.median(nums) : 0, indicator };
      }
      const counts = new Map<string, number>();
      for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      const levels = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l]) => l);
      return { type: "category", source, levels, indicator };
    });
    const featureNames = steps.flatMap((s) => {
      const base = s.type === "numeric" ? [s.source.name] : [...s.levels, UNKNOWN_LEVEL].map((l) => `${s.source.name}=${l}`);
      return s.indicator ? [...base, `${s.source.name}_missing`] : base;
    });
    const unscaled = new FeaturePipeline({
      version: PIPELINE_VERSION,
      options: opts,
      steps,
      center: featureNames.map(() => 0),
      scale: featureNames.map(() => 1),
      featureNames,
    });
    if (opts.scale === "none") return unscaled;
    const X = unscaled.transformMany(train);
    const scaledColumns = new Set<number>();
    let col = 0;
    for (const s of steps) {
      const width = s.type === "numeric" ? 1 : s.levels.length + 1;
      if (s.type === "numeric" || opts.scale === "all") for (let k = 0; k < width; k++) scaledColumns.add(col + k);
      col += width + (s.indicator ? 1 : 0);
      if (s.indicator && opts.scale === "all") scaledColumns.add(col - 1);
    }
    const center: number[] = [];
    const scale: number[] = [];
    for (let j = 0; j < featureNames.length; j++) {
      if (!scaledColumns.has(j)) {
        center.push(0);
        scale.push(1);
        continue;
      }
      const column = X.map((row) => row[j] as number);
      const sd = ss.standardDeviation(column);
      center.push(ss.mean(column));
      scale.push(sd > 1e-12 ? sd : 1);
    }
    return new FeaturePipeline({ ...unscaled.state, center, scale });
  }

  static load(serialized: SerializedPipeline): FeaturePipeline {
    if (serialized.version !== PIPELINE_VERSION) {
      throw new Error(`feature pipeline version ${serialized.version} is not supported (expected ${PIPELINE_VERSION})`);
    }
    if (serialized.center.length !== serialized.featureNames.length || serialized.scale.length !== serialized.featureNames.length) {
      throw new Error("feature pipeline is corrupt: scaling does not match its feature names");
    }
    const width = serialized.steps.reduce((n, s) => n + (s.type === "numeric" ? 1 : s.levels.length + 1) + (s.indicator ? 1 : 0), 0);
    if (width !== serialized.featureNames.length) {
      throw new Error(`feature pipeline is corrupt: its steps make ${width} columns but it names ${serialized.featureNames.length}`);
    }
    return new FeaturePipeline(serialized);
  }

  toJSON(): SerializedPipeline {
    return this.state;
  }

  /** One customer to one vector; missing values imputed with training statistics, unseen levels to `__unknown__`. */
  transform(c: Customer): Float64Array {
    return this.transformInto(c, new Float64Array(this.state.featureNames.length));
  }

  /**
   * transform into a caller's buffer of featureNames.length (overwritten): the allocation-free path of batch scoring.
   * `raw` skips standardization (imputed values and one-hot levels as they are).
   */
  transformInto(c: Customer, out: Float64Array, options: { raw?: boolean } = {}): Float64Array {
    const { steps, center, scale } = this.state;
    out.fill(0);
    const derived = this.derivedValues;
    for (const d of this.derivedUsed) derived[d.position] = d.compute(c);
    let j = 0;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i] as Step;
      const v = (this.reads[i] as (c: Customer, derived: DerivedValue[]) => DerivedValue)(c, derived);
      if (s.type === "numeric") {
        out[j++] = v === null ? s.median : Number(v);
      } else {
        const level = v === null ? s.levels[0] : String(v);
        const k = s.levels.indexOf(level ?? "");
        out[j + (k === -1 ? s.levels.length : k)] = 1;
        j += s.levels.length + 1;
      }
      if (s.indicator) out[j++] = v === null ? 1 : 0;
    }
    if (this.scaled && !options.raw)
      for (let k = 0; k < out.length; k++) out[k] = ((out[k] as number) - (center[k] as number)) / (scale[k] as number);
    return out;
  }

  transformMany(customers: readonly Customer[]): Matrix {
    return customers.map((c) => this.transform(c));
  }
}
