// Calibrators of churn scores: Platt scaling and isotonic regression, fitted on validation scores and applied by the
// saved scorer (lib/artifact/scorer.ts). The choice between them is evaluation/calibration.ts.
//
// Decision (isotonic regression): no well-kept npm package. The one found by search ("isotonic", a WebAssembly build)
// is not on the registry (`npm view isotonic` → 404) and nothing else published does plain weighted PAV, so
// pool-adjacent-violators is written here (~30 lines), with scikit-learn's conventions: equal scores are pooled
// first (mean label, weight = count), the fit is a step function whose blocks are kept as their first and last score,
// and `apply` interpolates linearly between those knots, clipping outside the fitted range (out_of_bounds="clip").
// Platt scaling reuses models/logistic.ts (Newton) on one column, logit(p), with a negligible penalty (C = 1e6).
import { ascendingOrder, tieGroupEnd } from "../core/ranking";
import { interpolate } from "../core/stats";
import { createLogistic } from "./logistic";

/** Labels 0/1 and probabilities in [0, 1], of the same non-zero length; a RangeError naming the first bad row. */
export function checkInputs(y: ArrayLike<number>, p: ArrayLike<number>): void {
  if (y.length !== p.length) throw new RangeError(`y has ${y.length} labels but p has ${p.length} scores`);
  if (y.length === 0) throw new RangeError("cannot calibrate on zero rows");
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`labels must be 0 or 1, got ${y[i]} at row ${i}`);
    const v = p[i] as number;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`probability ${i} must be in [0, 1], got ${v}`);
  }
}

export type CalibratorKind = "platt" | "isotonic";

export interface PlattState {
  kind: "platt";
  /** Calibrated p = sigmoid(a · logit(p) + b). */
  a: number;
  b: number;
}

export interface IsotonicState {
  kind: "isotonic";
  /** Knots of the fitted step function: x strictly increasing, y non-decreasing, interpolated linearly. */
  x: number[];
  y: number[];
}

export type CalibratorState = PlattState | IsotonicState;

export interface Calibrator {
  readonly kind: CalibratorKind;
  fit(y: ArrayLike<number>, p: ArrayLike<number>): this;
  apply(p: ArrayLike<number>): Float64Array;
  applyOne(p: number): number;
  toJSON(): CalibratorState;
}

/** logit clips p to [LOGIT_EPS, 1 - LOGIT_EPS]. */
export const LOGIT_EPS = 1e-12;

export function logit(p: number): number {
  const q = Math.min(1 - LOGIT_EPS, Math.max(LOGIT_EPS, p));
  return Math.log(q / (1 - q));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export class PlattCalibrator implements Calibrator {
  readonly kind = "platt" as const;
  a = Number.NaN;
  b = Number.NaN;

  fit(y: ArrayLike<number>, p: ArrayLike<number>): this {
    checkInputs(y, p);
    const model = createLogistic({ C: 1e6 });
    model.fit(
      Array.from(p, (v) => Float64Array.of(logit(v))),
      y,
    );
    const { intercept, coefficients } = model.coefficients();
    this.a = coefficients[0] as number;
    this.b = intercept;
    return this;
  }

  applyOne(p: number): number {
    if (!Number.isFinite(this.a)) throw new Error("Platt calibrator is not fitted");
    return sigmoid(this.a * logit(p) + this.b);
  }

  apply(p: ArrayLike<number>): Float64Array {
    return Float64Array.from(p, (v) => this.applyOne(v));
  }

  toJSON(): PlattState {
    return { kind: "platt", a: this.a, b: this.b };
  }
}

export class IsotonicCalibrator implements Calibrator {
  readonly kind = "isotonic" as const;
  x: number[] = [];
  y: number[] = [];

  /** Weighted pool-adjacent-violators on (p, y), equal p pooled first; see the file header. */
  fit(y: ArrayLike<number>, p: ArrayLike<number>): this {
    checkInputs(y, p);
    const order = ascendingOrder(p);
    // blocks: value (weighted mean label), weight, score range
    const val: number[] = [];
    const w: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (let k = 0; k < order.length;) {
      const end = tieGroupEnd(order, p, k);
      const s = p[order[k] as number] as number;
      const c = end - k;
      let sum = 0;
      for (; k < end; k++) sum += y[order[k] as number] as number;
      val.push(sum / c);
      w.push(c);
      lo.push(s);
      hi.push(s);
      // pool while the last two blocks violate monotonicity
      while (val.length > 1 && (val[val.length - 2] as number) > (val[val.length - 1] as number)) {
        const v2 = val.pop() as number;
        const w2 = w.pop() as number;
        const h2 = hi.pop() as number;
        lo.pop();
        const j = val.length - 1;
        const w1 = w[j] as number;
        val[j] = ((val[j] as number) * w1 + v2 * w2) / (w1 + w2);
        w[j] = w1 + w2;
        hi[j] = h2;
      }
    }
    this.x = [];
    this.y = [];
    for (let j = 0; j < val.length; j++) {
      this.x.push(lo[j] as number);
      this.y.push(val[j] as number);
      if ((hi[j] as number) > (lo[j] as number)) {
        this.x.push(hi[j] as number);
        this.y.push(val[j] as number);
      }
    }
    return this;
  }

  /** Linear interpolation between knots; constant beyond the first and last knot; clipped to [0, 1]. */
  applyOne(p: number): number {
    const { x, y } = this;
    const m = x.length;
    if (m === 0) throw new Error("isotonic calibrator is not fitted");
    const out = interpolate(x, y, p);
    return Math.min(1, Math.max(0, out));
  }

  apply(p: ArrayLike<number>): Float64Array {
    return Float64Array.from(p, (v) => this.applyOne(v));
  }

  toJSON(): IsotonicState {
    return { kind: "isotonic", x: [...this.x], y: [...this.y] };
  }
}

export function createCalibrator(kind: CalibratorKind): Calibrator {
  if (kind === "platt") return new PlattCalibrator();
  if (kind === "isotonic") return new IsotonicCalibrator();
  throw new RangeError(`unknown calibrator kind: ${String(kind)}`);
}

/** Restores a calibrator from its toJSON(); refuses corrupt state. */
export function loadCalibrator(state: CalibratorState): Calibrator {
  if (state?.kind === "platt") {
    if (!Number.isFinite(state.a) || !Number.isFinite(state.b)) throw new Error("Platt state is corrupt: a and b must be finite numbers");
    const c = new PlattCalibrator();
    c.a = state.a;
    c.b = state.b;
    return c;
  }
  if (state?.kind === "isotonic") {
    const { x, y } = state;
    const ok =
      Array.isArray(x) &&
      Array.isArray(y) &&
      x.length === y.length &&
      x.length > 0 &&
      x.every((v, i) => Number.isFinite(v) && (i === 0 || v > (x[i - 1] as number))) &&
      y.every((v, i) => Number.isFinite(v) && (i === 0 || v >= (y[i - 1] as number)));
    if (!ok) throw new Error("isotonic state is corrupt: x must be strictly increasing, y non-decreasing, same length");
    const c = new IsotonicCalibrator();
    c.x = [...x];
    c.y = [...y];
    return c;
  }
  throw new Error(`unknown calibrator state kind: ${String((state as { kind?: unknown } | null)?.kind)}`);
}
