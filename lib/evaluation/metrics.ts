// Classification metrics on churn probabilities: ranking (ROC-AUC, PR-AUC), calibration (log loss, Brier), thresholded counts.
import { EMPC_PAPER_PARAMS, type EmpcParams, empc } from "./empc";
import { descendingOrder, tieGroupEnd } from "../core/ranking";

function positives(y: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) p++;
  return p;
}

/** ROC-AUC by the rank-sum (Mann-Whitney) identity; tied scores count one half. */
export function rocAuc(y: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = y.length;
  const pos = positives(y);
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  const order = descendingOrder(scores);
  let area = 0;
  let negAbove = 0;
  for (let k = 0; k < n;) {
    const start = k;
    const end = tieGroupEnd(order, scores, k);
    let tiedPos = 0;
    for (; k < end; k++) if (y[order[k] as number] === 1) tiedPos++;
    const tiedNeg = end - start - tiedPos;
    area += tiedPos * (neg - negAbove - tiedNeg) + 0.5 * tiedPos * tiedNeg;
    negAbove += tiedNeg;
  }
  return area / (pos * neg);
}

/** Average precision (area under the precision-recall curve, step-wise as scikit-learn computes it). */
export function prAuc(y: ArrayLike<number>, scores: ArrayLike<number>): number {
  const pos = positives(y);
  if (pos === 0) return Number.NaN;
  const order = descendingOrder(scores);
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < order.length;) {
    const end = tieGroupEnd(order, scores, k);
    for (; k < end; k++) {
      if (y[order[k] as number] === 1) tp++;
      else fp++;
    }
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

const EPS = 1e-15;

export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - EPS, Math.max(EPS, p[i] as number));
    sum -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return sum / y.length;
}

export function brier(y: ArrayLike<number>, p: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += ((p[i] as number) - (y[i] as number)) ** 2;
  return sum / y.length;
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function confusion(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number): Confusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < y.length; i++) {
    const predicted = (p[i] as number) >= threshold;
    if (y[i] === 1) {
      if (predicted) c.tp++;
      else c.fn++;
    } else if (predicted) c.fp++;
    else c.tn++;
  }
  return c;
}

export interface ThresholdMetrics {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
  specificity: number;
}

export function atThreshold(y: ArrayLike<number>, p: ArrayLike<number>, threshold: number): ThresholdMetrics {
  const { tp, fp, tn, fn } = confusion(y, p, threshold);
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    threshold,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    accuracy: (tp + tn) / y.length,
    specificity: tn + fp === 0 ? 0 : tn / (tn + fp),
  };
}

/** The threshold maximizing F1, searched over the distinct predicted probabilities. */
export function bestF1Threshold(y: ArrayLike<number>, p: ArrayLike<number>): ThresholdMetrics {
  const pos = positives(y);
  const order = descendingOrder(p);
  let tp = 0;
  let fp = 0;
  let best: { f1: number; threshold: number } = { f1: -1, threshold: 0.5 };
  for (let k = 0; k < order.length;) {
    const end = tieGroupEnd(order, p, k);
    const s = p[order[k] as number] as number;
    for (; k < end; k++) {
      if (y[order[k] as number] === 1) tp++;
      else fp++;
    }
    const f1 = (2 * tp) / (tp + fp + pos);
    if (f1 > best.f1) best = { f1, threshold: s };
  }
  return atThreshold(y, p, best.threshold);
}

export interface Scorecard {
  roc_auc: number;
  pr_auc: number;
  log_loss: number;
  brier: number;
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  threshold: number;
  /** Expected maximum profit per customer (evaluation/empc.ts) at `empcParams` (default: the paper's); NaN with one class. */
  empc: number;
  /** Expected share of customers contacted at the profit-maximizing cut-off. */
  empc_frac: number;
}

export function scorecard(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  threshold: number,
  empcParams: EmpcParams = EMPC_PAPER_PARAMS,
): Scorecard {
  const t = atThreshold(y, p, threshold);
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i] === 1 ? 1 : 0;
  const profit = positives > 0 && positives < y.length ? empc(y, p, empcParams) : { empc: Number.NaN, empcFrac: Number.NaN };
  return {
    roc_auc: rocAuc(y, p),
    pr_auc: prAuc(y, p),
    log_loss: logLoss(y, p),
    brier: brier(y, p),
    f1: t.f1,
    precision: t.precision,
    recall: t.recall,
    accuracy: t.accuracy,
    threshold,
    empc: profit.empc,
    empc_frac: profit.empcFrac,
  };
}
