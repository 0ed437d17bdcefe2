// L2-regularized logistic regression with intercept and sample weights, solved by Newton's method on ml-matrix.
//
// Decision (for docs/decisions.md, "Logistic regression: Newton on ml-matrix, kept in ml-logistic-regression's shape"):
// - ml-logistic-regression 2.0.0 trains by batch gradient descent on *summed* gradients, with no intercept, no
//   regularization, no sample weights, and one-vs-all even for two classes (it trains the same problem twice). As
//   published, 200 steps take ~1.4 s on Telco for test ROC-AUC 0.810. Extended through its API (a bias column, a
//   learning rate of 1/n so steps follow the mean gradient) 200 steps reach 0.8415 in ~1.5 s but are still far from
//   the optimum (max |mean gradient| 1.7e-3), and a larger rate oscillates: standardized one-hot inputs are collinear
//   (six "No internet service" dummies, TotalCharges ~ tenure x MonthlyCharges), so the problem is ill-conditioned
//   for gradient descent. L2 and weights cannot be had through its API at all.
// - So the fit is Newton-Raphson (IRLS) on scikit-learn's objective
//       sum_i s_i * logloss(y_i, sigmoid(b + x_i.w)) + |w|^2 / (2C)      (intercept b not penalized),
//   with every linear-algebra step done by ml-matrix (X·beta and Xᵀ·r with `mmul`, XᵀSX with `mmulByTranspose`, the
//   Newton system with `CholeskyDecomposition`). The Hessian is positive definite for finite C, so each iteration is
//   one 46x46 Cholesky solve; a backtracking (step-halving) line search keeps every step a descent step. Telco:
//   6 iterations, 0.1-0.25 s, max |gradient| / n < 1e-9, coefficients within 1.5e-6 of scikit-learn's lbfgs and
//   test ROC-AUC 0.8429 (scikit-learn: 0.8429).
// - The fitted model keeps the package's shape: `toMlLogisticRegression()` returns an ml-logistic-regression
//   `LogisticRegression` (two one-vs-all classifiers, weights [w..., b] for inputs with a trailing 1 column) that scores
//   exactly like this model; the tests use it as the reference scorer, and the package's own trainer, given a bias
//   column, reaches the same unpenalized optimum on a small problem. Serving does not go through it: `predictOne` is
//   a plain dot product (~0.1 µs; the package scores a row through ml-matrix objects in ~5 µs).
import { CholeskyDecomposition, Matrix } from "ml-matrix";
import type { Labels, Matrix as Rows } from "../core/matrix";
import type { Capabilities, Classifier, FitOptions, SerializedClassifier } from "./classifier";

export const LOGISTIC_KIND = "logistic_regression";
/** Version of the serialized state; bump when its layout changes. */
export const LOGISTIC_STATE_VERSION = 1;

export type LogisticParams = {
  /** Inverse L2 strength, as scikit-learn's C (penalty |w|²/(2C), intercept not penalized); Infinity = no penalty. */
  C: number;
  /** "balanced" multiplies each row's weight by n / (2 · n_class), as scikit-learn's class_weight="balanced". */
  classWeight: "balanced" | "none";
  /** Newton iterations at most. */
  maxIter: number;
  /** Converged when max |gradient of the objective| / sum of weights <= tol. */
  tol: number;
};

/** Accepted parameters: any subset of `LogisticParams`, or `l2` (= 1/C) instead of C. */
export type LogisticParamsInput = Partial<LogisticParams> & { l2?: number };

export const LOGISTIC_DEFAULTS: Readonly<LogisticParams> = { C: 1, classWeight: "none", maxIter: 100, tol: 1e-8 };

export interface LogisticFitReport {
  iterations: number;
  converged: boolean;
  /** max |gradient| / sum of weights at the returned solution. */
  gradientNorm: number;
  /** Objective value (weighted log loss summed, plus penalty) at the returned solution. */
  objective: number;
}

export interface LogisticState {
  version: number;
  intercept: number;
  coefficients: number[];
  fit: LogisticFitReport;
}

/** The structural type of ml-logistic-regression's model (the package ships no type declarations). */
export interface MlLogisticRegression {
  numberClasses: number;
  classifiers: { weights: Matrix; testScores(features: Matrix): number[] }[];
  predict(features: Matrix): number[];
  toJSON(): Record<string, unknown>;
}
interface MlLogisticRegressionClass {
  new (options?: { numSteps?: number; learningRate?: number }): MlLogisticRegression & {
    train(X: Matrix, Y: Matrix): void;
  };
  load(model: Record<string, unknown>): MlLogisticRegression;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MlLogisticRegressionClass = require("ml-logistic-regression") as MlLogisticRegressionClass;

/** Validates parameters and fills defaults. Unknown keys are refused so a typo (e.g. `c`) cannot pass silently. */
export function logisticParams(input: Record<string, unknown> = {}): LogisticParams {
  const known = new Set(["C", "l2", "classWeight", "maxIter", "tol"]);
  const unknown = Object.keys(input).filter((k) => !known.has(k) && input[k] !== undefined);
  if (unknown.length) throw new RangeError(`unknown logistic regression parameter(s): ${unknown.join(", ")}`);
  const { C, l2, classWeight, maxIter, tol } = input as LogisticParamsInput;
  if (C !== undefined && l2 !== undefined) throw new RangeError("give either C or l2 (= 1/C), not both");
  let c = LOGISTIC_DEFAULTS.C;
  if (C !== undefined) {
    if (typeof C !== "number" || !(C > 0)) throw new RangeError(`C must be a positive number (or Infinity), got ${C}`);
    c = C;
  } else if (l2 !== undefined) {
    if (typeof l2 !== "number" || !(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError(`l2 must be a finite number >= 0, got ${l2}`);
    c = l2 === 0 ? Infinity : 1 / l2;
  }
  const cw = classWeight ?? LOGISTIC_DEFAULTS.classWeight;
  if (cw !== "balanced" && cw !== "none") throw new RangeError(`classWeight must be "balanced" or "none", got ${String(cw)}`);
  const it = maxIter ?? LOGISTIC_DEFAULTS.maxIter;
  if (!Number.isInteger(it) || it < 1) throw new RangeError(`maxIter must be a positive integer, got ${it}`);
  const t = tol ?? LOGISTIC_DEFAULTS.tol;
  if (typeof t !== "number" || !(t > 0) || !Number.isFinite(t)) throw new RangeError(`tol must be a positive number, got ${t}`);
  return { C: c, classWeight: cw, maxIter: it, tol: t };
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Checks rows, labels and weights; returns the effective per-row weights (sample weight x class weight). */
function checkTrainingData(X: Rows, y: Labels, options: FitOptions, classWeight: LogisticParams["classWeight"]): Float64Array {
  const n = X.length;
  if (n === 0) throw new RangeError("cannot fit logistic regression on zero rows");
  if (y.length !== n) throw new RangeError(`X has ${n} rows but y has ${y.length} labels`);
  const d = (X[0] as Float64Array).length;
  if (d === 0) throw new RangeError("cannot fit logistic regression on zero columns");
  for (let i = 0; i < n; i++) {
    const row = X[i] as Float64Array;
    if (row.length !== d) throw new RangeError(`row ${i} has ${row.length} values, expected ${d}`);
    for (let j = 0; j < d; j++) if (!Number.isFinite(row[j])) throw new RangeError(`X[${i}][${j}] is not a finite number`);
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`labels must be 0 or 1, got ${y[i]} at row ${i}`);
  }
  const w = new Float64Array(n);
  const sw = options.sampleWeights;
  if (sw !== undefined && sw.length !== n) throw new RangeError(`sampleWeights has ${sw.length} values for ${n} rows`);
  for (let i = 0; i < n; i++) {
    const v = sw === undefined ? 1 : (sw[i] as number);
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`sample weight ${i} must be a finite number >= 0, got ${v}`);
    w[i] = v;
  }
  const count = [0, 0];
  for (let i = 0; i < n; i++) (count[y[i] as 0 | 1] as number)++;
  if (count[0] === 0 || count[1] === 0) throw new RangeError("logistic regression needs both classes in y");
  if (classWeight === "balanced") {
    const factor = [n / (2 * (count[0] as number)), n / (2 * (count[1] as number))];
    for (let i = 0; i < n; i++) (w[i] as number) *= factor[y[i] as 0 | 1] as number;
  }
  const weighted = [0, 0];
  for (let i = 0; i < n; i++) (weighted[y[i] as 0 | 1] as number) += w[i] as number;
  if (!((weighted[0] as number) > 0 && (weighted[1] as number) > 0)) {
    throw new RangeError("logistic regression needs positive total weight in both classes");
  }
  return w;
}

/** The fixed data of one Newton fit: the transposed design matrix, labels, effective weights and penalty. */
interface NewtonProblem {
  n: number;
  /** Input columns; the design has d + 1 rows (coefficients, then the intercept). */
  d: number;
  /** Design matrix transposed (p x n, last row all ones), so X·beta and XᵀSX are one ml-matrix call each. */
  Xt: Matrix;
  yv: Float64Array;
  /** Effective per-row weights (sample weight x class weight). */
  s: Float64Array;
  /** 1/C, or 0 without a penalty. */
  lambda: number;
  totalWeight: number;
  positiveWeight: number;
}

/** A point of the Newton iteration: parameters, their scores X·beta and the objective there. */
interface NewtonPoint {
  beta: Float64Array;
  z: number[];
  f: number;
}

/** Builds the transposed design matrix and the weight totals the fit needs. */
function newtonProblem(X: Rows, y: Labels, s: Float64Array, lambda: number): NewtonProblem {
  const n = X.length;
  const d = (X[0] as Float64Array).length;
  const p = d + 1; // coefficients, then the intercept
  const Xt = new Matrix(p, n);
  const column = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) column[i] = (X[i] as Float64Array)[j] as number;
    Xt.setRow(j, column);
  }
  Xt.setRow(d, column.fill(1));
  const yv = Float64Array.from({ length: n }, (_, i) => y[i] as number);
  let totalWeight = 0;
  let positiveWeight = 0;
  for (let i = 0; i < n; i++) {
    totalWeight += s[i] as number;
    positiveWeight += (s[i] as number) * (yv[i] as number);
  }
  return { n, d, Xt, yv, s, lambda, totalWeight, positiveWeight };
}

/** The logits b + x_i·w of every row, as one ml-matrix product. */
function scoresOf(problem: NewtonProblem, beta: Float64Array): number[] {
  return Matrix.rowVector(beta).mmul(problem.Xt).getRow(0);
}

/** The penalized objective (weighted log loss summed, plus |w|²/(2C)) at beta, given its logits z. */
function objectiveOf(problem: NewtonProblem, beta: Float64Array, z: readonly number[]): number {
  const { n, d, s, yv, lambda } = problem;
  let f = 0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    f += (s[i] as number) * (softplus(zi) - (yv[i] as number) * zi);
  }
  let penalty = 0;
  for (let j = 0; j < d; j++) penalty += (beta[j] as number) ** 2;
  return f + 0.5 * lambda * penalty;
}

/** The objective's gradient at beta (a p x 1 matrix); fills the per-row residuals and Hessian weights on the way. */
function gradientOf(
  problem: NewtonProblem,
  beta: Float64Array,
  z: readonly number[],
  residual: Float64Array,
  curvature: Float64Array,
): Matrix {
  const { n, d, s, yv, Xt, lambda } = problem;
  for (let i = 0; i < n; i++) {
    const pi = sigmoid(z[i] as number);
    residual[i] = (s[i] as number) * (pi - (yv[i] as number));
    curvature[i] = (s[i] as number) * pi * (1 - pi);
  }
  const gradient = Xt.mmul(Matrix.columnVector(residual));
  for (let j = 0; j < d; j++) gradient.set(j, 0, gradient.get(j, 0) + lambda * (beta[j] as number));
  return gradient;
}

/**
 * Backtracking: halves the step until the objective does not increase (beyond its own rounding noise, so a Newton
 * step at the optimum's float floor is still taken and the gradient test can end the loop). Null: no descent found.
 */
function backtrack(problem: NewtonProblem, from: NewtonPoint, step: Float64Array): NewtonPoint | null {
  const { beta, f } = from;
  const ceiling = f + 8 * Number.EPSILON * Math.abs(f);
  let t = 1;
  for (let halvings = 0; halvings <= 40; halvings++, t /= 2) {
    const candidate = beta.map((b, j) => b - t * (step[j] as number));
    const candidateZ = scoresOf(problem, candidate);
    const candidateF = objectiveOf(problem, candidate, candidateZ);
    if (candidateF <= ceiling) return { beta: candidate, z: candidateZ, f: candidateF };
  }
  return null;
}

export class LogisticRegressionModel implements Classifier {
  readonly kind = LOGISTIC_KIND;
  readonly capabilities: Capabilities = { sampleWeights: true, needsScaling: true };
  readonly params: LogisticParams;
  private weights: Float64Array | null = null;
  private bias = 0;
  private report: LogisticFitReport | null = null;

  constructor(params: Record<string, unknown> = {}) {
    this.params = logisticParams(params);
  }

  /** Fits by Newton-Raphson; see the file header. Deterministic: no randomness anywhere. */
  fit(X: Rows, y: Labels, options: FitOptions = {}): void {
    const { C, maxIter, tol } = this.params;
    const s = checkTrainingData(X, y, options, this.params.classWeight);
    const problem = newtonProblem(X, y, s, Number.isFinite(C) ? 1 / C : 0);
    const { n, d, Xt, lambda, totalWeight } = problem;

    // Start from the weighted base rate: the optimum of the intercept-only model.
    let beta: Float64Array = new Float64Array(d + 1);
    beta[d] = Math.log(problem.positiveWeight / (totalWeight - problem.positiveWeight));
    let z = scoresOf(problem, beta);
    let f = objectiveOf(problem, beta, z);
    const residual = new Float64Array(n);
    const curvature = new Float64Array(n);
    let gradientNorm: number; // set at the top of every iteration, before any way out of the loop
    let converged = false;
    let iterations = 0;

    for (;;) {
      const gradient = gradientOf(problem, beta, z, residual, curvature);
      gradientNorm = gradient.norm("max") / totalWeight;
      if (gradientNorm <= tol) {
        converged = true;
        break;
      }
      if (iterations >= maxIter) break;
      iterations++;

      const hessian = Xt.mmulByTranspose(curvature);
      for (let j = 0; j < d; j++) hessian.set(j, j, hessian.get(j, j) + lambda);
      const next = backtrack(problem, { beta, z, f }, newtonStep(hessian, gradient));
      if (next === null) break; // no descent possible at float precision: report the gradient as it is
      ({ beta, z, f } = next);
    }

    this.weights = beta.slice(0, d);
    this.bias = beta[d] as number;
    this.report = { iterations, converged, gradientNorm, objective: f };
  }

  private fitted(): Float64Array {
    if (this.weights === null) throw new Error("logistic regression is not fitted: call fit() or loadLogistic() first");
    return this.weights;
  }

  /** The logit b + x·w of one row. */
  decisionFunction(x: Float64Array): number {
    const w = this.fitted();
    const d = w.length;
    if (x.length !== d) throw new RangeError(`row has ${x.length} values, the model expects ${d}`);
    let z = this.bias;
    for (let j = 0; j < d; j++) z += (w[j] as number) * (x[j] as number);
    return z;
  }

  predictOne(x: Float64Array): number {
    return sigmoid(this.decisionFunction(x));
  }

  predictProba(X: Rows): Float64Array {
    const out = new Float64Array(X.length);
    for (let i = 0; i < X.length; i++) out[i] = this.predictOne(X[i] as Float64Array);
    return out;
  }

  /** Intercept and coefficients (on the model's inputs: standardized inputs give standardized coefficients). */
  coefficients(): { intercept: number; coefficients: Float64Array } {
    return { intercept: this.bias, coefficients: this.fitted().slice() };
  }

  /** |coefficient| per input column. */
  nativeImportance(): Float64Array {
    return this.fitted().map(Math.abs);
  }

  /** How the last fit ended (iterations, convergence, gradient norm, objective); null before fitting. */
  fitReport(): LogisticFitReport | null {
    return this.report === null ? null : { ...this.report };
  }

  /**
   * The same model as an ml-logistic-regression `LogisticRegression` (its own shape and scoring code): feed it rows
   * with a trailing 1 column. Classifier 0 scores "not class 0" (= churn), classifier 1 "not class 1" (= stay), as
   * its one-vs-all training would; `predict` returns the label with the lower "not" score.
   */
  toMlLogisticRegression(): MlLogisticRegression {
    const w = [...this.fitted(), this.bias];
    return MlLogisticRegressionClass.load({
      name: "LogisticRegression",
      numSteps: 0,
      learningRate: 0,
      numberClasses: 2,
      classifiers: [{ weights: [w] }, { weights: [w.map((v) => -v)] }],
    });
  }

  toJSON(): SerializedClassifier {
    const w = this.fitted();
    const state: LogisticState = {
      version: LOGISTIC_STATE_VERSION,
      intercept: this.bias,
      coefficients: Array.from(w),
      fit: this.report as LogisticFitReport,
    };
    return { kind: this.kind, params: { ...this.params }, state };
  }

  static load(serialized: SerializedClassifier): LogisticRegressionModel {
    if (serialized.kind !== LOGISTIC_KIND) throw new Error(`not a logistic regression model: kind ${serialized.kind}`);
    const params = { ...serialized.params };
    // JSON has no Infinity: an unpenalized model's C comes back as null.
    if (params["C"] === null) params["C"] = Infinity;
    const model = new LogisticRegressionModel(params);
    const state = serialized.state as Partial<LogisticState> | null;
    if (state?.version !== LOGISTIC_STATE_VERSION) {
      throw new Error(`logistic regression state version ${String(state?.version)} is not supported (expected ${LOGISTIC_STATE_VERSION})`);
    }
    const { coefficients, intercept, fit } = state;
    if (!Array.isArray(coefficients) || coefficients.length === 0 || !coefficients.every(Number.isFinite) || !Number.isFinite(intercept)) {
      throw new Error("logistic regression state is corrupt: coefficients and intercept must be finite numbers");
    }
    model.weights = Float64Array.from(coefficients);
    model.bias = intercept as number;
    model.report = fit ?? null;
    return model;
  }
}

/**
 * Solves H·step = g by Cholesky. H is positive definite whenever C is finite; without a penalty and with collinear
 * inputs it can be singular, and then the smallest ridge (1e-12·trace, x10 until positive definite) is added: the
 * Levenberg-Marquardt fallback, which picks one of the equivalent optima.
 */
function newtonStep(hessian: Matrix, gradient: Matrix): Float64Array {
  let chol = new CholeskyDecomposition(hessian);
  if (!chol.isPositiveDefinite()) {
    const p = hessian.rows;
    const scale = hessian.trace() / p;
    for (let ridge = 1e-12 * scale; !chol.isPositiveDefinite(); ridge *= 10) {
      if (!(ridge < scale * 1e6)) throw new Error("logistic regression: the Newton system cannot be solved (degenerate inputs)");
      const damped = hessian.clone();
      for (let j = 0; j < p; j++) damped.set(j, j, damped.get(j, j) + ridge);
      chol = new CholeskyDecomposition(damped);
    }
  }
  return Float64Array.from(chol.solve(gradient).getColumn(0));
}

export function createLogistic(params: Record<string, unknown> = {}): LogisticRegressionModel {
  return new LogisticRegressionModel(params);
}

export function loadLogistic(serialized: SerializedClassifier): LogisticRegressionModel {
  return LogisticRegressionModel.load(serialized);
}
