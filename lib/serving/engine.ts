// Scoring engines for batch scoring: the model's own TypeScript scorer ("js", the default) or its exported ONNX graph
// in ONNX Runtime ("onnx"). Both take the checked, cleaned customers of one batch and return their probabilities; the
// cleaning, checks, reasons and output around them are the same (lib/serving/batch.ts).
import { readFileSync } from "node:fs";
import type { Customer } from "../core/schema";
import type { PredictionService } from "./service";

export const ENGINES = ["js", "onnx"] as const;

/** An engine that cannot start on what it was given (an unreadable or foreign graph): exit code 2, like other bad input. */
export class EngineError extends Error {
  override name = "EngineError";
  readonly exitCode = 2;
}
export type EngineName = (typeof ENGINES)[number];

export interface ScoringEngine {
  readonly name: EngineName;
  /** Human-readable: what runs the scores (for the summary). */
  readonly description: string;
  score(customers: readonly Customer[]): Promise<Float64Array>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** An exported graph to run instead of exporting the model in memory (it must come from the same model file). */
  onnxFile?: string;
  /** ONNX Runtime's intra-op threads (default: its own choice, one per core). */
  threads?: number;
}

/** The model's own scorer. */
export function jsEngine(service: PredictionService): ScoringEngine {
  return {
    name: "js",
    description: "the model's TypeScript scorer",
    score: (customers) => Promise.resolve(service.scorer.score(customers)),
    close: () => Promise.resolve(),
  };
}

/**
 * The model's ONNX graph in ONNX Runtime: exported from the model file in memory, or read from `onnxFile`, which is
 * refused unless its metadata names this model's checksum (a graph of another model would score silently wrong).
 */
export async function onnxEngine(service: PredictionService, options: EngineOptions = {}): Promise<ScoringEngine> {
  const { exportOnnx } = await import("../export/onnx.js");
  const { OnnxSession, onnxMetadata } = await import("../export/runtime.js");
  let bytes: Uint8Array;
  let source: string;
  if (options.onnxFile !== undefined) {
    try {
      bytes = readFileSync(options.onnxFile);
    } catch (err) {
      throw new EngineError(`cannot read ONNX graph ${options.onnxFile}: ${(err as Error).message}`, { cause: err });
    }
    let checksum: string | undefined;
    try {
      checksum = onnxMetadata(bytes).model_checksum;
    } catch (err) {
      throw new EngineError(`${options.onnxFile} is not an ONNX model: ${(err as Error).message}`, { cause: err });
    }
    if (checksum !== service.file.checksum) {
      throw new EngineError(
        `${options.onnxFile} was not exported from this model: its model_checksum is ${checksum === undefined ? "absent" : checksum.slice(0, 12)}, ` +
          `the model's is ${service.file.checksum.slice(0, 12)} (export it again with churn export)`,
      );
    }
    source = options.onnxFile;
  } else {
    bytes = exportOnnx(service.file).bytes;
    source = "exported in memory";
  }
  const session = await OnnxSession.create(bytes, options.threads === undefined ? {} : { threads: options.threads });
  return {
    name: "onnx",
    description: `ONNX Runtime (${source})`,
    score: async (customers) => Float64Array.from((await session.run(customers)).probability),
    close: () => session.close(),
  };
}

export async function createEngine(name: EngineName, service: PredictionService, options: EngineOptions = {}): Promise<ScoringEngine> {
  if (name === "js") {
    if (options.onnxFile !== undefined) throw new EngineError("an ONNX graph file is only read by the onnx engine (--engine onnx)");
    return jsEngine(service);
  }
  if (name === "onnx") return onnxEngine(service, options);
  throw new EngineError(`unknown scoring engine ${JSON.stringify(name)}; known: ${ENGINES.join(", ")}`);
}
