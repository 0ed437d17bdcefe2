// Calibration of churn probabilities as evaluation: the reliability curve, the expected calibration error, and the
// cross-fitted choice between the calibrators of models/calibrators.ts (Platt scaling, isotonic regression).
import { brier, logLoss, rocAuc } from "./metrics";
import { type Calibrator, type CalibratorKind, checkInputs, createCalibrator } from "../models/calibrators";
import { stratifiedKFold } from "../core/split";
import { ss } from "../core/stats";
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
    const q = ss.quantile(
      Array.from(p),
      Array.from({ length: bins + 1 }, (_, k) => k / bins),
    );
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
    out.push({
      lower: edges[b] as number,
      upper: edges[b + 1] as number,
      meanPredicted: (sumP[b] as number) / c,
      observedRate: (sumY[b] as number) / c,
      count: c,
    });
  }
  return out;
}

/** ECE: sum over bins of (count / n) · |observed rate − mean predicted|, on the reliability curve's bins. */
export function expectedCalibrationError(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10, strategy: BinStrategy = "uniform"): number {
  let e = 0;
  for (const b of reliabilityCurve(y, p, bins, strategy)) e += (b.count / y.length) * Math.abs(b.observedRate - b.meanPredicted);
  return e;
}

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
      const c = createCalibrator(kind).fit(
        fold.train.map((i) => yVal[i] as number),
        fold.train.map((i) => pVal[i] as number),
      );
      const held = c.apply(fold.validation.map((i) => pVal[i] as number));
      fold.validation.forEach((row, j) => (oof[row] = held[j] as number));
    }
    crossFitted[kind] = scores(yVal, oof);
  }
  const base = crossFitted.none;
  let choice: CalibrationChoice = "none";
  for (const kind of kinds) {
    const s = crossFitted[kind];
    if (s.brier < base.brier && s.roc_auc >= base.roc_auc - tol && (choice === "none" || s.brier < crossFitted[choice].brier))
      choice = kind;
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
    for (const kind of kinds)
      test[kind] = scores(y, (kind === choice && calibrator ? calibrator : createCalibrator(kind).fit(yVal, pVal)).apply(p));
    decision.test = test;
  }
  return decision;
}
