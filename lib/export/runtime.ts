// An exported graph run in ONNX Runtime (onnxruntime-node, CPU): cleaned customers in as the graph's [N, 1] inputs,
// its outputs back. Loading this module loads the native runtime, so callers import it only when they use it.
import * as ort from "onnxruntime-node";
import type { Customer } from "../core/schema";
import { decodeModel } from "./graph";
import { ONNX_INPUTS, OUTPUT_BAND, OUTPUT_DECISION, OUTPUT_PROBABILITY, type OnnxMetadata } from "./onnx";

/** The graph's inputs for these customers: numbers as float32 with NaN for missing, categories as strings, "" missing. */
export function onnxFeeds(customers: readonly Customer[]): Record<string, ort.Tensor> {
  const n = customers.length;
  const feeds: Record<string, ort.Tensor> = {};
  for (const { name, type } of ONNX_INPUTS) {
    if (type === "float") {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = (customers[i] as Customer)[name];
        values[i] = v === null ? Number.NaN : Number(v);
      }
      feeds[name] = new ort.Tensor("float32", values, [n, 1]);
    } else {
      const values = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = (customers[i] as Customer)[name];
        values[i] = v === null ? "" : String(v);
      }
      feeds[name] = new ort.Tensor("string", values, [n, 1]);
    }
  }
  return feeds;
}

export interface OnnxScores {
  probability: Float32Array;
  decision: BigInt64Array;
  band: string[];
}

/** The metadata properties of a serialized model. */
export function onnxMetadata(bytes: Uint8Array): Partial<OnnxMetadata> & Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of decodeModel(bytes).metadataProps ?? []) if (p.key) out[p.key] = p.value ?? "";
  return out;
}

/** One inference session over an exported graph. */
export class OnnxSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** `threads`: intra-op threads (default: ONNX Runtime's, one per core). */
  static async create(bytes: Uint8Array, options: { threads?: number } = {}): Promise<OnnxSession> {
    const session = await ort.InferenceSession.create(bytes, {
      ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
      graphOptimizationLevel: "all",
    });
    return new OnnxSession(session);
  }

  async run(customers: readonly Customer[]): Promise<OnnxScores> {
    if (customers.length === 0) return { probability: new Float32Array(0), decision: new BigInt64Array(0), band: [] };
    const out = await this.session.run(onnxFeeds(customers));
    const read = (name: string): ort.Tensor => {
      const t = out[name];
      if (!t) throw new Error(`the ONNX graph has no output ${name}`);
      return t;
    };
    return {
      probability: read(OUTPUT_PROBABILITY).data as Float32Array,
      decision: read(OUTPUT_DECISION).data as BigInt64Array,
      band: read(OUTPUT_BAND).data as string[],
    };
  }

  /** Raw outputs by name (the tests read the feature matrices). */
  async runAll(customers: readonly Customer[]): Promise<Record<string, ort.Tensor>> {
    return this.session.run(onnxFeeds(customers));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
