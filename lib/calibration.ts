// Calibration of churn probabilities: reliability curve, expected calibration error, and two calibrators (Platt
// scaling, isotonic regression) with a cross-fitted choice between them.
//
// Decision (isotonic regression): no well-kept npm package. The one found by search ("isotonic", a WebAssembly build)
// is not on the registry (`npm view isotonic` → 404) and nothing else published does plain weighted PAV, so
// pool-adjacent-violators is written here (~30 lines), with scikit-learn's conventions: equal scores are pooled
// first (mean label, weight = count), the fit is a step function whose blocks are kept as their first and last score,
// and `apply` interpolates linearly between those knots, clipping outside the fitted range (out_of_bounds="clip").
// Platt scaling reuses lib/models/logistic.ts (Newton) on one column, logit(p), with a negligible penalty (C = 1e6).
import { brier, logLoss, rocAuc } from "./metrics";
import { createLogistic } from "./models/logistic";
import { stratifiedKFold } from "./split";
import { interpolate, ss } from "./stats";

function checkInputs(y: ArrayLike<number>, p: ArrayLike<number>): void {
  if (y.length !== p.length) throw new RangeError(`y has ${y.length} labels but p has ${p.length} scores`);
  if (y.length === 0) throw new RangeError("cannot calibrate on zero rows");
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`labels must be 0 or 1, got ${y[i]} at row ${i}`);
    const v = p[i] as number;
    if (!(v >= 0 && v <= 1)) throw new RangeError(`probability ${i} must be in [0, 1], got ${v}`);
  }
}

// ---------------------------------------------------------------- reliability

export interface ReliabilityBin {
  lower: number;
  upper: number;
  meanPredicted: number;
  observedRate: number;
  count: number;
}

export type BinStrategy = "uniform" | "quantile";

/**
 * Reliability curve. "uniform" (default, as scikit-learn's calibration_curve): `bins` equal-width bins on [0, 1],
 * [k/B, (k+1)/B), the last one closed. "quantile": edges at the k/B quantiles of p (ss.quantile), so bins hold about
 * equal counts; duplicate edges are merged. Empty bins are left out.
 */
export function reliabilityCurve(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  bins = 10,
  strategy: BinStrategy = "uniform",
): ReliabilityBin[] {
  checkInputs(y, p);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let edges: number[];
  if (strategy === "uniform") {
    edges = Array.from({ length: bins + 1 }, (_, k) => k / bins);
  } else {
    const q = ss.quantile(Array.from(p), Array.from({ length: bins + 1 }, (_, k) => k / bins)) as number[];
    edges = [...new Set([0, ...q.slice(1, -1), 1])].sort((a, b) => a - b);
  }
  const m = edges.length - 1;
  const sumP = new Float64Array(m);
  const sumY = new Float64Array(m);
  const count = new Float64Array(m);
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    // last edge with edges[b] <= v, capped at m - 1 so v = 1 lands in the last bin
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((edges[mid] as number) <= v) lo = mid;
      else hi = mid - 1;
    }
    sumP[lo] = (sumP[lo] as number) + v;
    sumY[lo] = (sumY[lo] as number) + (y[i] as number);
    count[lo] = (count[lo] as number) + 1;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < m; b++) {
    const c = count[b] as number;
    if (c === 0) continue;
    out.push({ lower: edges[b] as number, upper: edges[b + 1] as number, meanPredicted: (sumP[b] as number) / c, observedRate: (sumY[b] as number) / c, count: c });
  }
  return out;
}

/** ECE: sum over bins of (count / n) · |observed rate − mean predicted|, on the reliability curve's bins. */
export function expectedCalibrationError(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10, strategy: BinStrategy = "uniform"): number {
  let e = 0;
  for (const b of reliabilityCurve(y, p, bins, strategy)) e += (b.count / y.length) * Math.abs(b.observedRate - b.meanPredicted);
  return e;
}

// ---------------------------------------------------------------- calibrators

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

const LOGIT_EPS = 1e-12;

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
    model.fit(Array.from(p, (v) => Float64Array.of(logit(v))), y);
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
    return Float64Array.from(p as ArrayLike<number>, (v) => this.applyOne(v));
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
    const order = Array.from({ length: p.length }, (_, i) => i).sort((i, j) => (p[i] as number) - (p[j] as number));
    // blocks: value (weighted mean label), weight, score range
    const val: number[] = [];
    const w: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    let k = 0;
    while (k < order.length) {
      const s = p[order[k] as number] as number;
      let sum = 0;
      let c = 0;
      while (k < order.length && p[order[k] as number] === s) {
        sum += y[order[k] as number] as number;
        c++;
        k++;
      }
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
    return Float64Array.from(p as ArrayLike<number>, (v) => this.applyOne(v));
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
      Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.length > 0 &&
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

// ---------------------------------------------------------------- choice

export interface CalibrationScores {
  brier: number;
  roc_auc: number;
  log_loss: number;
  ece: number;
}

export type CalibrationChoice = "none" | CalibratorKind;

export interface CalibrationDecision {
  choice: CalibrationChoice;
  /** Fitted on the whole validation set; null when the choice is "none". */
  calibrator: Calibrator | null;
  /** Out-of-fold (cross-fitted) scores on validation, which the choice is made on. */
  crossFitted: Record<CalibrationChoice, CalibrationScores>;
  /** With options.test: each option fitted on all validation, scored on test (reported, never used to choose). */
  test?: Record<CalibrationChoice, CalibrationScores>;
  rule: string;
}

export interface ChooseOptions {
  /** Folds of the cross-fitting on validation (default 5). */
  folds?: number;
  seed?: number;
  /** Largest ROC-AUC drop accepted (default 0.001). */
  aucTolerance?: number;
  test?: { y: ArrayLike<number>; p: ArrayLike<number> };
}

function scores(y: ArrayLike<number>, p: ArrayLike<number>): CalibrationScores {
  return { brier: brier(y, p), roc_auc: rocAuc(y, p), log_loss: logLoss(y, p), ece: expectedCalibrationError(y, p) };
}

/**
 * Chooses between no calibration, Platt and isotonic. Each calibrator is cross-fitted on validation (k stratified
 * folds: fit on k−1, apply to the held-out fold), so its scores are not optimistic. A calibrator qualifies when its
 * out-of-fold Brier is lower than the uncalibrated Brier and its ROC-AUC is at most `aucTolerance` below the
 * uncalibrated one (isotonic steps create ties); the qualifying one with the lowest Brier wins, else "none". The
 * winner is then refitted on the whole validation set.
 */
export function chooseCalibrator(yVal: ArrayLike<number>, pVal: ArrayLike<number>, options: ChooseOptions = {}): CalibrationDecision {
  checkInputs(yVal, pVal);
  const k = options.folds ?? 5;
  const tol = options.aucTolerance ?? 0.001;
  const folds = stratifiedKFold(yVal, k, options.seed ?? 42);
  const kinds: CalibratorKind[] = ["platt", "isotonic"];
  const crossFitted = { none: scores(yVal, pVal) } as Record<CalibrationChoice, CalibrationScores>;
  for (const kind of kinds) {
    const oof = new Float64Array(yVal.length);
    for (const fold of folds) {
      const c = createCalibrator(kind).fit(fold.train.map((i) => yVal[i] as number), fold.train.map((i) => pVal[i] as number));
      const held = c.apply(fold.validation.map((i) => pVal[i] as number));
      fold.validation.forEach((row, j) => (oof[row] = held[j] as number));
    }
    crossFitted[kind] = scores(yVal, oof);
  }
  const base = crossFitted.none;
  let choice: CalibrationChoice = "none";
  for (const kind of kinds) {
    const s = crossFitted[kind];
    if (s.brier < base.brier && s.roc_auc >= base.roc_auc - tol && (choice === "none" || s.brier < crossFitted[choice].brier)) choice = kind;
  }
  const calibrator = choice === "none" ? null : createCalibrator(choice).fit(yVal, pVal);
  const decision: CalibrationDecision = {
    choice,
    calibrator,
    crossFitted,
    rule: `lowest out-of-fold Brier (${k}-fold on validation) among calibrators that lower Brier and lose at most ${tol} ROC-AUC; else none`,
  };
  if (options.test) {
    const { y, p } = options.test;
    checkInputs(y, p);
    const test = { none: scores(y, p) } as Record<CalibrationChoice, CalibrationScores>;
    for (const kind of kinds) test[kind] = scores(y, (kind === choice && calibrator ? calibrator : createCalibrator(kind).fit(yVal, pVal)).apply(p));
    decision.test = test;
  }
  return decision;
}
