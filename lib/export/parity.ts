// Parity of an exported graph with the model it came from: every customer scored by the model's own scorer and by the
// graph in ONNX Runtime, the largest difference in probability and every decision at the threshold that differs.
import type { Customer } from "../core/schema";
import type { Scorer } from "../artifact/scorer";
import type { ModelFile } from "../artifact/types";
import { OnnxSession } from "./runtime";

/** The largest difference allowed between the graph's probability and the model's (float32 output: ~3e-8). */
export const PARITY_TOLERANCE = 1e-5;

export interface ParityReport {
  customers: number;
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** The customer with the largest difference. */
  worst: { customerID: string; js: number; onnx: number } | null;
  /** Decisions at the model's threshold that differ. */
  decisionsDiffer: number;
  /** Of those, the ones whose probability is not within the tolerance of the threshold (must be 0). */
  decisionsDifferBeyondTolerance: number;
  tolerance: number;
  /** Both parities hold: maxAbsDiff <= tolerance and no decision differs beyond it. */
  ok: boolean;
}

export async function onnxParity(
  file: ModelFile,
  scorer: Scorer,
  bytes: Uint8Array,
  customers: readonly Customer[],
): Promise<ParityReport> {
  const session = await OnnxSession.create(bytes);
  try {
    const graph = await session.run(customers);
    const js = scorer.score(customers);
    let max = 0;
    let sum = 0;
    let worst: ParityReport["worst"] = null;
    let differ = 0;
    let beyond = 0;
    for (let i = 0; i < customers.length; i++) {
      const a = js[i] as number;
      const b = graph.probability[i] as number;
      const d = Math.abs(a - b);
      sum += d;
      if (!(d <= max)) {
        max = d;
        worst = { customerID: (customers[i] as Customer).customerID, js: a, onnx: b };
      }
      const decision = a >= file.threshold ? 1n : 0n;
      if (decision !== graph.decision[i]) {
        differ++;
        if (Math.abs(a - file.threshold) > PARITY_TOLERANCE) beyond++;
      }
    }
    return {
      customers: customers.length,
      maxAbsDiff: max,
      meanAbsDiff: customers.length ? sum / customers.length : 0,
      worst,
      decisionsDiffer: differ,
      decisionsDifferBeyondTolerance: beyond,
      tolerance: PARITY_TOLERANCE,
      ok: max <= PARITY_TOLERANCE && beyond === 0,
    };
  } finally {
    await session.close();
  }
}

export function formatParity(r: ParityReport): string {
  return (
    `parity on ${r.customers} customers: largest |difference| ${r.maxAbsDiff.toExponential(2)} (mean ${r.meanAbsDiff.toExponential(2)}; ` +
    `tolerance ${r.tolerance.toExponential(0)}), ${r.decisionsDiffer} decision(s) differ at the threshold` +
    (r.decisionsDiffer ? ` (${r.decisionsDifferBeyondTolerance} beyond the tolerance)` : "") +
    (r.ok ? ": ok" : ": FAILED")
  );
}
