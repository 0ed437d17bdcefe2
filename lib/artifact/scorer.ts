// Customer-level scorers: a fitted feature pipeline plus a classifier, or a soft vote of several such pairs.
import { type Calibrator, type CalibratorState, loadCalibrator } from "../models/calibrators";
import { type Classifier, type SerializedClassifier } from "../models/classifier";
import { createModel, loadModel } from "../models/registry";
import { FeaturePipeline, type PipelineOptions, type SerializedPipeline } from "../features/pipeline";
import type { Customer } from "../core/schema";

export interface Scorer {
  readonly name: string;
  scoreOne(c: Customer): number;
  score(customers: readonly Customer[]): Float64Array;
  toJSON(): SerializedScorer;
}

export type SerializedScorer =
  | { type: "pipeline"; name: string; pipeline: SerializedPipeline; classifier: SerializedClassifier }
  | { type: "soft_vote"; name: string; members: SerializedScorer[]; weights: number[] }
  | { type: "calibrated"; name: string; base: SerializedScorer; calibrator: CalibratorState };

/** One learner behind its own feature pipeline (scaled for distance and gradient learners, raw for trees). */
export class PipelineScorer implements Scorer {
  constructor(
    readonly name: string,
    readonly pipeline: FeaturePipeline,
    readonly classifier: Classifier,
  ) {}

  /** Fits the pipeline and the learner on the same training customers. */
  static fit(
    name: string,
    kind: string,
    params: Record<string, unknown>,
    pipelineOptions: PipelineOptions,
    train: readonly Customer[],
    labels: ArrayLike<number>,
    sampleWeights?: ArrayLike<number>,
  ): PipelineScorer {
    const pipeline = FeaturePipeline.fit(train, pipelineOptions);
    const classifier = createModel(kind, params);
    classifier.fit(pipeline.transformMany(train), labels, sampleWeights ? { sampleWeights } : {});
    return new PipelineScorer(name, pipeline, classifier);
  }

  /** Reused row buffer: scoring allocates nothing per customer (learners read the row and keep no reference to it). */
  private scratch: Float64Array | null = null;

  private row(c: Customer): Float64Array {
    this.scratch ??= new Float64Array(this.pipeline.featureNames.length);
    return this.pipeline.transformInto(c, this.scratch);
  }

  scoreOne(c: Customer): number {
    return this.classifier.predictOne(this.row(c));
  }

  score(customers: readonly Customer[]): Float64Array {
    const out = new Float64Array(customers.length);
    for (let i = 0; i < customers.length; i++) out[i] = this.classifier.predictOne(this.row(customers[i] as Customer));
    return out;
  }

  toJSON(): SerializedScorer {
    return { type: "pipeline", name: this.name, pipeline: this.pipeline.toJSON(), classifier: this.classifier.toJSON() };
  }
}

/** Weighted average of member probabilities (soft voting). */
export class SoftVoteScorer implements Scorer {
  constructor(
    readonly name: string,
    readonly members: readonly Scorer[],
    readonly weights: readonly number[],
  ) {
    if (members.length === 0 || members.length !== weights.length) throw new RangeError("soft vote needs one weight per member");
  }

  scoreOne(c: Customer): number {
    let s = 0;
    let w = 0;
    this.members.forEach((m, i) => {
      const wi = this.weights[i] ?? 0;
      s += wi * m.scoreOne(c);
      w += wi;
    });
    return s / w;
  }

  score(customers: readonly Customer[]): Float64Array {
    const out = new Float64Array(customers.length);
    let total = 0;
    this.members.forEach((m, i) => {
      const wi = this.weights[i] ?? 0;
      total += wi;
      const p = m.score(customers);
      for (let r = 0; r < out.length; r++) out[r] = (out[r] as number) + wi * (p[r] as number);
    });
    for (let r = 0; r < out.length; r++) out[r] = (out[r] as number) / total;
    return out;
  }

  toJSON(): SerializedScorer {
    return { type: "soft_vote", name: this.name, members: this.members.map((m) => m.toJSON()), weights: [...this.weights] };
  }
}

/** A scorer whose probabilities pass through a calibrator fitted on validation (Platt or isotonic). */
export class CalibratedScorer implements Scorer {
  constructor(
    readonly base: Scorer,
    readonly calibrator: Calibrator,
  ) {}

  get name(): string {
    return this.base.name;
  }

  scoreOne(c: Customer): number {
    return this.calibrator.applyOne(this.base.scoreOne(c));
  }

  score(customers: readonly Customer[]): Float64Array {
    return this.calibrator.apply(this.base.score(customers));
  }

  toJSON(): SerializedScorer {
    return { type: "calibrated", name: this.name, base: this.base.toJSON(), calibrator: this.calibrator.toJSON() };
  }
}

export function loadScorer(s: SerializedScorer): Scorer {
  if (s.type === "pipeline") return new PipelineScorer(s.name, FeaturePipeline.load(s.pipeline), loadModel(s.classifier));
  if (s.type === "soft_vote") return new SoftVoteScorer(s.name, s.members.map(loadScorer), s.weights);
  if (s.type === "calibrated") return new CalibratedScorer(loadScorer(s.base), loadCalibrator(s.calibrator));
  throw new Error(`unknown scorer type ${String((s as { type?: unknown }).type)}`);
}

export { createModel };
