// Training reference statistics stored in the model: the baseline for out-of-distribution checks and drift.
import { Matrix, covariance, inverse } from "ml-matrix";
import { FeaturePipeline, type SerializedPipeline } from "../features/pipeline";
import { COLUMNS, type ColumnName, type Customer } from "../core/schema";
import { interpolate, ss } from "../core/stats";
import { churnerCount } from "../core/labels";

export const REFERENCE_QUANTILES = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1] as const;

export interface NumericReference {
  kind: "numeric";
  count: number;
  missing: number;
  mean: number;
  sd: number;
  /** Values at REFERENCE_QUANTILES. */
  quantiles: number[];
}

export interface CategoryReference {
  kind: "category";
  count: number;
  missing: number;
  /** Share of non-missing rows per level. */
  levels: Record<string, number>;
}

export interface ReferenceStatistics {
  rows: number;
  churnRate: number;
  columns: Partial<Record<ColumnName, NumericReference | CategoryReference>>;
  prediction: { quantiles: number[]; mean: number };
  /** TotalCharges / (tenure x MonthlyCharges) among training customers with tenure >= 1, at CHARGES_RATIO_QUANTILES. */
  chargesRatio: { quantiles: number[] };
  novelty: NoveltyReference;
}

export const CHARGES_RATIO_QUANTILES = [0, 0.001, 0.01, 0.5, 0.99, 0.999, 1] as const;

/**
 * Multivariate novelty: squared Mahalanobis distance of a customer's standardized design row (every raw and derived
 * feature, one-hot levels included) from the training mean, under the training covariance plus a small ridge (the
 * one-hot blocks make it singular). `quantiles` are the training customers' own distances at NOVELTY_QUANTILES, so a
 * score can be read as "more unusual than this share of training customers".
 */
export interface NoveltyReference {
  pipeline: SerializedPipeline;
  ridge: number;
  /** Inverse of (covariance + ridge I), row-major, dimension x dimension. */
  precision: number[];
  quantiles: number[];
}

export const NOVELTY_QUANTILES = [...Array.from({ length: 100 }, (_, i) => i / 100), 0.995, 0.999, 1] as const;
/** Ridge added to the diagonal of the standardized covariance (unit variances) before inversion. */
export const NOVELTY_RIDGE = 1e-2;

/**
 * Scores customers by multivariate novelty against a NoveltyReference. With z = (x - m) / s the standardized row of the
 * unscaled design row x, z'Pz = x'Ax - 2b'x + c with A = S P S (S = diag(1/s)), b = A m, c = m'Am, and x is sparse
 * (one-hot levels are 0 or 1): the quadratic form costs (non-zeros)² instead of d².
 */
export class NoveltyScorer {
  private readonly pipeline: FeaturePipeline;
  private readonly A: Float64Array;
  private readonly b: Float64Array;
  private readonly c: number;
  private readonly dim: number;
  private readonly x: Float64Array;
  private readonly nz: Int32Array;

  constructor(readonly reference: NoveltyReference) {
    this.pipeline = FeaturePipeline.load(reference.pipeline);
    const d = (this.dim = this.pipeline.featureNames.length);
    const { precision } = reference;
    const { center, scale } = reference.pipeline;
    if (precision.length !== d * d || center.length !== d || scale.length !== d) {
      throw new RangeError(
        `novelty reference is corrupt: precision has ${precision.length} entries and ${center.length} centers for dimension ${d}`,
      );
    }
    this.A = new Float64Array(d * d);
    this.b = new Float64Array(d);
    let c = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const a = (precision[i * d + j] as number) / ((scale[i] as number) * (scale[j] as number));
        this.A[i * d + j] = a;
        this.b[i] = (this.b[i] as number) + a * (center[j] as number);
      }
      c += (center[i] as number) * (this.b[i] as number);
    }
    this.c = c;
    this.x = new Float64Array(d);
    this.nz = new Int32Array(d);
  }

  /** Squared Mahalanobis distance of the customer's standardized row from the training mean (0 at the mean). */
  distance(customer: Customer): number {
    const x = this.pipeline.transformInto(customer, this.x, { raw: true });
    const { A, b, nz, dim: d } = this;
    let n = 0;
    for (let i = 0; i < d; i++) if ((x[i] as number) !== 0) nz[n++] = i;
    let q = this.c;
    for (let u = 0; u < n; u++) {
      const i = nz[u] as number;
      const xi = x[i] as number;
      let row = 0;
      for (let v = 0; v < n; v++) {
        const j = nz[v] as number;
        row += (A[i * d + j] as number) * (x[j] as number);
      }
      q += xi * (row - 2 * (b[i] as number));
    }
    return q;
  }

  /** Share of training customers less unusual than this distance, interpolated on the stored quantiles (0..1). */
  percentile(distance: number): number {
    return quantileRank(this.reference.quantiles, NOVELTY_QUANTILES, distance);
  }
}

/** Inverse of a quantile table: the probability level at which `values` (sorted, at `levels`) reaches x. */
export function quantileRank(values: readonly number[], levels: readonly number[], x: number): number {
  return interpolate(values, levels, x);
}

function noveltyReference(customers: readonly Customer[]): NoveltyReference {
  const pipeline = FeaturePipeline.fit(customers, { scale: "all", missingIndicators: "none" });
  const X = pipeline.transformMany(customers);
  const d = pipeline.featureNames.length;
  const cov = covariance(new Matrix(X.map((r) => Array.from(r))));
  for (let i = 0; i < d; i++) cov.set(i, i, cov.get(i, i) + NOVELTY_RIDGE);
  const precision = inverse(cov).to1DArray();
  const draft: NoveltyReference = { pipeline: pipeline.toJSON(), ridge: NOVELTY_RIDGE, precision, quantiles: [] };
  const scorer = new NoveltyScorer(draft);
  const distances = customers.map((c) => scorer.distance(c));
  return { ...draft, quantiles: NOVELTY_QUANTILES.map((q) => ss.quantile(distances, q)) };
}

/** TotalCharges over what tenure x MonthlyCharges implies; null when it cannot be computed (tenure 0, missing). */
export function chargesRatio(c: Pick<Customer, "tenure" | "MonthlyCharges" | "TotalCharges">): number | null {
  if (c.tenure === null || c.MonthlyCharges === null || c.TotalCharges === null || c.tenure < 1 || c.MonthlyCharges <= 0) return null;
  return c.TotalCharges / (c.tenure * c.MonthlyCharges);
}

function numericReference(values: (number | null)[]): NumericReference {
  const present = values.filter((v): v is number => v !== null);
  return {
    kind: "numeric",
    count: present.length,
    missing: values.length - present.length,
    mean: present.length ? ss.mean(present) : Number.NaN,
    sd: present.length > 1 ? ss.sampleStandardDeviation(present) : 0,
    quantiles: present.length ? REFERENCE_QUANTILES.map((q) => ss.quantile(present, q)) : [],
  };
}

/** Per-column distributions of the training customers and of the model's training scores. */
export function referenceStatistics(customers: readonly Customer[], scores: ArrayLike<number>): ReferenceStatistics {
  const columns: ReferenceStatistics["columns"] = {};
  for (const spec of COLUMNS) {
    if (spec.kind === "id" || spec.name === "Churn") continue;
    const values = customers.map((c) => c[spec.name]);
    if (spec.kind === "number" || spec.name === "SeniorCitizen") {
      columns[spec.name] = numericReference(values.map((v) => (v === null ? null : Number(v))));
      continue;
    }
    const present = values.filter((v): v is string => v !== null);
    const levels: Record<string, number> = {};
    for (const v of present) levels[v] = (levels[v] ?? 0) + 1;
    for (const k of Object.keys(levels)) levels[k] = (levels[k] as number) / present.length;
    columns[spec.name] = { kind: "category", count: present.length, missing: values.length - present.length, levels };
  }
  const s = Array.from(scores);
  const ratios = customers.map(chargesRatio).filter((r): r is number => r !== null);
  return {
    rows: customers.length,
    churnRate: churnerCount(customers) / Math.max(1, customers.filter((c) => c.Churn !== null).length),
    columns,
    prediction: { quantiles: REFERENCE_QUANTILES.map((q) => ss.quantile(s, q)), mean: ss.mean(s) },
    chargesRatio: { quantiles: ratios.length ? CHARGES_RATIO_QUANTILES.map((q) => ss.quantile(ratios, q)) : [] },
    novelty: noveltyReference(customers),
  };
}
