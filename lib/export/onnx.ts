// A saved model as one ONNX graph of its whole scoring path, from cleaned fields to the served probability: the
// decoding of every field, the derived features, imputation with training statistics, missing indicators, one-hot
// encoding with the unknown level, standardization, the learner, the soft vote and the calibrator.
//
// Interface: one input per cleaned field (IBM names; customerID and Churn excluded), shape [N, 1]. Numeric fields are
// tensor(float) with NaN for missing; categorical fields are tensor(string) spelled as `churn clean` writes them, ""
// for missing (any other spelling also counts as missing, as the API treats an unknown value). Outputs:
// `churn_probability` tensor(float) [N], `churn` tensor(int64) [N] (1 at or above the model's threshold) and
// `risk_band` tensor(string) [N] (high, medium, low, as the API's bands).
//
// Precision. Everything after the inputs is double. A float input that is the float32 rounding of a value with at most
// two decimals (every cleaned charge and tenure) is first snapped back to that exact decimal, so the graph sees the
// double `churn predict` parses from the same text. Tree ensembles run as TreeEnsembleRegressor with double
// thresholds, one target per tree whose value is the index of the leaf reached; the leaf values are then gathered in
// double and summed (the operator's float output could not carry a calibrated probability to 1e-5 otherwise).
import { createHash } from "node:crypto";
import { DERIVED_FEATURES } from "../features/derived";
import { FEATURE_COLUMNS, type ColumnName, columnSpec } from "../core/schema";
import { LOGIT_EPS } from "../models/calibrators";
import { NUMERIC_COLUMNS, type SerializedPipeline, type Step } from "../features/pipeline";
import { type SerializedScorer, loadScorer, type PipelineScorer } from "../artifact/scorer";
import type { CalibratorState } from "../models/calibrators";
import type { Classifier } from "../models/classifier";
import type { ModelFile } from "../artifact/types";
import { modelVersion } from "../artifact/model-file";
import { riskBandThresholds } from "../artifact/types";
import { type FieldReader, type Lowered, lowerDerived } from "./derived";
import { GraphBuilder, ML_DOMAIN, ML_OPSET, OPSET, type Value, encodeModel } from "./graph";
import { Ops } from "./ops";
import type { TreeEnsemble } from "../models/trees";

/** An export refused: names the model part that has no ONNX form and why. */
export class ExportError extends Error {
  override name = "ExportError";
  /** A model that cannot be exported is a bad input to the command (exit code 2). */
  readonly exitCode = 2;
}

export const OUTPUT_PROBABILITY = "churn_probability";
export const OUTPUT_DECISION = "churn";
export const OUTPUT_BAND = "risk_band";

/** The cleaned fields the graph takes, in the cleaned table's order, with their ONNX element type. */
export const ONNX_INPUTS: readonly { name: ColumnName; type: "float" | "string" }[] = FEATURE_COLUMNS.map((name) => ({
  name,
  type: (NUMERIC_COLUMNS as readonly string[]).includes(name) ? "float" : "string",
}));

/** The schema's spellings of a categorical field. */
function levelsOf(column: ColumnName): readonly string[] {
  const spec = columnSpec(column);
  if (spec.kind !== "category") throw new Error(`${column} is not a categorical field`);
  return spec.levels;
}

/** The graph's view of the cleaned fields: each input decoded once, on first use. */
class Fields implements FieldReader {
  private readonly numbers = new Map<ColumnName, Value>();
  private readonly codes = new Map<ColumnName, Value>();
  private readonly derived = new Map<string, Lowered>();

  constructor(readonly ops: Ops) {}

  /**
   * The float input as double, snapped to two decimals when it is the float32 rounding of such a value:
   * r = round(100 x) / 100 is used when float32(r) == x (IEEE division makes r the double nearest the decimal, the
   * value a CSV parser reads), the plain widening of x otherwise. NaN stays NaN.
   */
  number(column: ColumnName): Value {
    let v = this.numbers.get(column);
    if (v === undefined) {
      const { ops } = this;
      const x: Value = column;
      const wide = ops.toDouble(x);
      const cents = ops.div(ops.g.op("Round", [ops.mul(wide, ops.d(100))]), ops.d(100));
      v = ops.where(ops.eq(ops.toFloat(cents), x), cents, wide);
      this.numbers.set(column, v);
    }
    return v;
  }

  /** int64 [N, 1]: the index of the value among the schema's levels, -1 when missing or not a schema spelling. */
  code(column: ColumnName): Value {
    let v = this.codes.get(column);
    if (v === undefined) {
      const levels = levelsOf(column);
      v = this.ops.stringCodes(
        column,
        levels,
        levels.map((_, k) => k),
        -1,
      );
      this.codes.set(column, v);
    }
    return v;
  }

  is(column: ColumnName, level: string): Value {
    const k = levelsOf(column).indexOf(level);
    if (k < 0) throw new Error(`${column} has no level ${JSON.stringify(level)}`);
    return this.ops.eq(this.code(column), this.ops.i(k));
  }

  missing(column: ColumnName): Value {
    return this.ops.eq(this.code(column), this.ops.i(-1));
  }

  derivedFeature(name: string): Lowered {
    let v = this.derived.get(name);
    if (v === undefined) {
      const f = DERIVED_FEATURES.find((d) => d.name === name);
      if (!f) throw new ExportError(`the pipeline uses derived feature ${name}, which this build does not know`);
      v = lowerDerived(this, f);
      this.derived.set(name, v);
    }
    return v;
  }
}

/** A step's source as a number (double, NaN missing) or a category (code into `levels`, -1 missing). */
function stepSource(fields: Fields, step: Step): Lowered {
  const { source } = step;
  if (source.kind === "derived") return fields.derivedFeature(source.name);
  if (step.type === "numeric") return { kind: "number", value: fields.number(source.name) };
  return { kind: "category", code: fields.code(source.name), levels: levelsOf(source.name) };
}

/** The pipeline's output matrix [N, d] (double), column for column as FeaturePipeline.transformInto writes it. */
function pipelineMatrix(fields: Fields, pipeline: SerializedPipeline): Value {
  const { ops } = fields;
  const columns: Value[] = [];
  for (const step of pipeline.steps) {
    const src = stepSource(fields, step);
    let missing: Value;
    if (step.type === "numeric") {
      if (src.kind !== "number") throw new ExportError(`step ${step.source.name} is numeric but its source is a category`);
      missing = ops.isNaN(src.value);
      columns.push(ops.where(missing, ops.d(step.median), src.value));
    } else {
      if (src.kind !== "category") throw new ExportError(`step ${step.source.name} is a category but its source is numeric`);
      const L = step.levels.length;
      // Source code -> position among the training levels; unseen levels -> L (the unknown column); missing -> the
      // imputed level, levels[0] (or the unknown column when training saw no level at all).
      const keys = [-1, ...src.levels.map((_, k) => k)];
      const positions = [L > 0 ? 0 : L, ...src.levels.map((l) => (step.levels.indexOf(l) < 0 ? L : step.levels.indexOf(l)))];
      columns.push(ops.oneHot(ops.recode(src.code, keys, positions, L), L + 1));
      missing = ops.eq(src.code, ops.i(-1));
    }
    if (step.indicator) columns.push(ops.indicator(missing));
  }
  let X = ops.concatColumns(columns);
  const scaled = pipeline.center.some((v) => v !== 0) || pipeline.scale.some((v) => v !== 1);
  if (scaled) {
    const d = pipeline.featureNames.length;
    X = ops.div(
      ops.sub(X, ops.g.constant("double", [1, d], pipeline.center, "center")),
      ops.g.constant("double", [1, d], pipeline.scale, "scale"),
    );
  }
  return X;
}

/** Sum of the leaves an ensemble's trees send each row to, in double: [N, 1] (the margin without the base). */
function treeLeafSum(ops: Ops, X: Value, ensemble: TreeEnsemble): Value {
  const a = {
    nodes_treeids: [] as number[],
    nodes_nodeids: [] as number[],
    nodes_featureids: [] as number[],
    nodes_modes: [] as string[],
    nodes_values: [] as number[],
    nodes_truenodeids: [] as number[],
    nodes_falsenodeids: [] as number[],
    nodes_missing_value_tracks_true: [] as number[],
    target_treeids: [] as number[],
    target_nodeids: [] as number[],
    target_ids: [] as number[],
    target_weights: [] as number[],
  };
  const leafValues: number[] = [];
  ensemble.trees.forEach((t, ti) => {
    for (let i = 0; i < t.left.length; i++) {
      const leaf = (t.left[i] as number) < 0 || (t.feature[i] as number) < 0;
      a.nodes_treeids.push(ti);
      a.nodes_nodeids.push(i);
      a.nodes_featureids.push(leaf ? 0 : (t.feature[i] as number));
      a.nodes_modes.push(leaf ? "LEAF" : "BRANCH_LT");
      a.nodes_values.push(leaf ? 0 : (t.threshold[i] as number));
      a.nodes_truenodeids.push(leaf ? 0 : (t.left[i] as number));
      a.nodes_falsenodeids.push(leaf ? 0 : (t.right[i] as number));
      a.nodes_missing_value_tracks_true.push(leaf ? 0 : (t.defaultLeft[i] as number));
      if (leaf) {
        a.target_treeids.push(ti);
        a.target_nodeids.push(i);
        a.target_ids.push(ti);
        a.target_weights.push(leafValues.length);
        leafValues.push(t.value[i] as number);
      }
    }
  });
  if (leafValues.length >= 2 ** 24)
    throw new ExportError(`the ensemble has ${leafValues.length} leaves; leaf indices must stay below 2^24 (exact in float)`);
  const { target_weights, nodes_values, ...ints } = a;
  const leafIndex = ops.g.op(
    "TreeEnsembleRegressor",
    [X],
    {
      ...ints,
      nodes_values_as_tensor: { tensor: { dataType: 11, dims: [nodes_values.length], doubleData: nodes_values } },
      target_weights: { floats: target_weights },
      n_targets: ensemble.trees.length,
      aggregate_function: "SUM",
      post_transform: "NONE",
    },
    { domain: ML_DOMAIN, name: "leaf_index" },
  );
  const leaves = ops.g.op("Gather", [ops.doubles(leafValues, "leaf_values"), ops.toInt64(leafIndex)], { axis: 0 });
  return ops.g.op("ReduceSum", [leaves, ops.ints([1])], { keepdims: 1 });
}

/** One learner on its feature matrix: probability [N, 1] (double), as its predictOne computes it. */
function classifierProbability(ops: Ops, X: Value, classifier: Classifier): Value {
  if (classifier.kind === "logistic_regression" && classifier.coefficients) {
    const { intercept, coefficients } = classifier.coefficients();
    const W = ops.g.constant("double", [coefficients.length, 1], coefficients, "coefficients");
    return ops.g.op("Sigmoid", [ops.add(ops.g.op("MatMul", [X, W]), ops.d(intercept))]);
  }
  if ((classifier.kind === "random_forest" || classifier.kind === "xgboost") && classifier.treeStructure) {
    const ensemble = classifier.treeStructure();
    const margin = ops.add(treeLeafSum(ops, X, ensemble), ops.d(ensemble.baseMargin));
    const p = ensemble.link === "logistic" ? ops.g.op("Sigmoid", [margin]) : margin;
    // The forest's predictOne clips its mean leaf share to [0, 1].
    return classifier.kind === "random_forest" ? ops.g.op("Clip", [p, ops.d(0), ops.d(1)]) : p;
  }
  if (classifier.kind === "knn") {
    const state = classifier.toJSON().state as { rows?: number; columns?: number };
    const size = state.rows && state.columns ? ` (${state.rows} training customers x ${state.columns} columns)` : "";
    throw new ExportError(
      `k-NN cannot be exported to ONNX: it scores a customer by an exact scan of every training customer${size}, and no ` +
        "ONNX operator fits that search: the graph would carry the whole training set as a constant and compare each row " +
        "with all of it (an N x M distance matrix per batch), with no index to prune it. Serve it with `churn serve`, or " +
        "train an exportable family (churn train --families logistic_regression,random_forest,xgboost).",
    );
  }
  throw new ExportError(`learner ${classifier.kind} has no ONNX form in this build`);
}

function calibrate(ops: Ops, p: Value, c: CalibratorState): Value {
  if (c.kind === "platt") {
    const q = ops.g.op("Clip", [p, ops.d(LOGIT_EPS), ops.d(1 - LOGIT_EPS)]);
    const logit = ops.g.op("Log", [ops.div(q, ops.sub(ops.d(1), q))]);
    return ops.g.op("Sigmoid", [ops.add(ops.mul(ops.d(c.a), logit), ops.d(c.b))]);
  }
  const { x, y } = c;
  const m = x.length;
  if (m === 0) throw new ExportError("the isotonic calibrator has no knots");
  if (m === 1) return ops.add(ops.mul(p, ops.d(0)), ops.d(y[0] as number));
  // lo = (number of knots <= p) - 1, kept in [0, m - 2]; then y0 + (p - x0) / (x1 - x0) * (y1 - y0), constant beyond
  // the first and last knot, clipped to [0, 1] (stats.ts interpolate and IsotonicCalibrator.applyOne).
  const knots = ops.g.constant("double", [1, m], x, "knots");
  const atOrBelow = ops.g.op("ReduceSum", [ops.toInt64(ops.ge(p, knots)), ops.ints([1])], { keepdims: 1 });
  const lo = ops.g.op("Clip", [ops.sub(atOrBelow, ops.i(1)), ops.i(0), ops.i(m - 2)]);
  const hi = ops.add(lo, ops.i(1));
  const xs = ops.doubles(x, "knot_x");
  const ys = ops.doubles(y, "knot_y");
  const gather = (table: Value, index: Value): Value => ops.g.op("Gather", [table, index], { axis: 0 });
  const x0 = gather(xs, lo);
  const y0 = gather(ys, lo);
  const inner = ops.add(y0, ops.mul(ops.div(ops.sub(p, x0), ops.sub(gather(xs, hi), x0)), ops.sub(gather(ys, hi), y0)));
  const low = ops.where(ops.g.op("LessOrEqual", [p, ops.d(x[0] as number)]), ops.d(y[0] as number), inner);
  const out = ops.where(ops.ge(p, ops.d(x[m - 1] as number)), ops.d(y[m - 1] as number), low);
  return ops.g.op("Clip", [out, ops.d(0), ops.d(1)]);
}

/** A scorer (pipeline, soft vote, calibrated) as probability [N, 1] (double). */
function scorerProbability(fields: Fields, s: SerializedScorer): Value {
  const { ops } = fields;
  if (s.type === "pipeline") {
    const scorer = loadScorer(s) as PipelineScorer;
    return classifierProbability(ops, pipelineMatrix(fields, s.pipeline), scorer.classifier);
  }
  if (s.type === "soft_vote") {
    const total = s.weights.reduce((a, b) => a + b, 0);
    const weighted = s.members.map((m, i) => ops.mul(scorerProbability(fields, m), ops.d(s.weights[i] as number)));
    return ops.div(ops.sum(weighted), ops.d(total));
  }
  if (s.type === "calibrated") return calibrate(ops, scorerProbability(fields, s.base), s.calibrator);
  throw new ExportError(`scorer type ${String((s as { type?: unknown }).type)} has no ONNX form`);
}

/** Every learner kind in a scorer, for messages and metadata. */
export function scorerKinds(s: SerializedScorer): string[] {
  if (s.type === "pipeline") return [s.classifier.kind];
  if (s.type === "soft_vote") return [...new Set(s.members.flatMap(scorerKinds))];
  return scorerKinds(s.base);
}

/** The metadata properties every exported graph carries. */
export interface OnnxMetadata {
  model_name: string;
  model_version: string;
  model_checksum: string;
  threshold: string;
  risk_band_high: string;
  risk_band_medium: string;
  training_data_sha256: string;
  created_at: string;
  learners: string;
  inputs: string;
}

export interface OnnxExport {
  bytes: Uint8Array;
  metadata: OnnxMetadata;
  sha256: string;
  nodes: number;
  opsets: { default: number; ml: number };
}

export interface ExportOptions {
  /** Producer version written into the graph (the project's version). */
  producerVersion?: string;
}

/** One [N, 1] input per cleaned field. */
function declareInputs(g: GraphBuilder): void {
  for (const input of ONNX_INPUTS) {
    g.input(
      input.name,
      input.type,
      ["N", 1],
      input.type === "float"
        ? `${input.name}: number, NaN when missing`
        : `${input.name}: ${levelsOf(input.name)
            .map((l) => JSON.stringify(l))
            .join(" | ")}, "" when missing`,
    );
  }
}

/** A feature pipeline alone as a graph: the same inputs, one output `features` [N, d] (double), as transformInto writes it. */
export function pipelineOnnx(pipeline: SerializedPipeline): Uint8Array {
  const g = new GraphBuilder("churn_features");
  const ops = new Ops(g);
  declareInputs(g);
  g.output("features", pipelineMatrix(new Fields(ops), pipeline), "double", ["N", pipeline.featureNames.length]);
  return encodeModel(
    g.toModel({ producer: "churn-ts", version: "", doc: `features: ${pipeline.featureNames.join(", ")}`, properties: {} }),
  );
}

/** The whole scoring path of a model file as one ONNX model. */
export function exportOnnx(file: ModelFile, options: ExportOptions = {}): OnnxExport {
  const g = new GraphBuilder("churn_scoring");
  const ops = new Ops(g);
  declareInputs(g);
  const fields = new Fields(ops);
  const p = ops.flatten(scorerProbability(fields, file.scorer));
  const bands = riskBandThresholds(file);
  g.output(OUTPUT_PROBABILITY, ops.toFloat(p), "float", ["N"], "probability of churn, as churn predict and the API answer it");
  g.output(OUTPUT_DECISION, ops.toInt64(ops.ge(p, ops.d(file.threshold))), "int64", ["N"], `1 when churn_probability >= ${file.threshold}`);
  const text = (s: string): Value => g.constant("string", [], [s], "band");
  const band = ops.where(
    ops.ge(p, ops.d(bands.high)),
    text("high"),
    ops.where(ops.ge(p, ops.d(bands.medium)), text("medium"), text("low")),
  );
  g.output(OUTPUT_BAND, band, "string", ["N"], `high at or above ${bands.high}, medium at or above ${bands.medium}, else low`);
  const metadata: OnnxMetadata = {
    model_name: file.name,
    model_version: modelVersion(file),
    model_checksum: file.checksum,
    threshold: String(file.threshold),
    risk_band_high: String(bands.high),
    risk_band_medium: String(bands.medium),
    training_data_sha256: file.training.dataSha256,
    created_at: file.createdAt,
    learners: scorerKinds(file.scorer).join(","),
    inputs: ONNX_INPUTS.map((i) => `${i.name}:${i.type}`).join(","),
  };
  const model = g.toModel({
    producer: "churn-ts",
    version: options.producerVersion ?? file.version,
    doc:
      `Churn scoring path of ${modelVersion(file)}: cleaned fields in (one [N,1] input each; float with NaN for ` +
      `missing, string with "" for missing), churn_probability out. Run \`churn clean\` (or the same cleaning) first.`,
    properties: { ...metadata },
  });
  const bytes = encodeModel(model);
  return {
    bytes,
    metadata,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    nodes: g.nodeCount,
    opsets: { default: OPSET, ml: ML_OPSET },
  };
}
