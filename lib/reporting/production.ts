// Views for notebook 05 (production) and the deck: customers as API records, the service's answers as table rows, the
// warnings over many customers, batch scoring of a repeated export, drift verdicts side by side, novelty percentiles.
import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { NoveltyScorer, type NoveltyReference } from "../artifact/reference";
import type { Customer } from "../core/schema";
import type { DriftReport } from "../monitoring/drift";
import { type BatchSummary, predictStream } from "../serving/batch";
import type { FieldError, PredictOutcome, Prediction, PredictionService } from "../serving/service";

/** A customer as the CRM sends it to the API: every field but the label, missing values as null. */
export function apiRecord(customer: Customer): Record<string, unknown> {
  const { Churn: _label, ...fields } = customer;
  return fields;
}

/** A copy of the record without `field` (a field the sender left out). */
export function withoutField(record: Readonly<Record<string, unknown>>, field: string): Record<string, unknown> {
  const { [field]: _dropped, ...rest } = record;
  return rest;
}

/** What the API answers for an outcome: the prediction when scored, the field errors (a 422) when refused. */
export function outcomeBody(outcome: PredictOutcome): Prediction | FieldError[] {
  return outcome.ok ? outcome.prediction : outcome.errors;
}

/** The field errors of a refused outcome as table rows (none when it was scored). */
export function fieldErrorRows(outcome: PredictOutcome): { field: string; message: string }[] {
  return outcome.ok ? [] : outcome.errors.map((e) => ({ field: e.field, message: e.message }));
}

export type OutcomeRow = {
  case: string;
  outcome: "scored" | "refused (422)";
  /** Churn probability; empty when refused. */
  probability: number | "";
  novelty: number | "";
  /** Scored: `code(field)` per warning, or "none"; refused: `field: message` per error. */
  warnings: string;
};

/** One row of the edge-case table: how the service answered the record named `name`. */
export function outcomeRow(name: string, outcome: PredictOutcome): OutcomeRow {
  if (outcome.ok) {
    const p = outcome.prediction;
    return {
      case: name,
      outcome: "scored",
      probability: p.churn_probability,
      novelty: p.novelty,
      warnings: p.warnings.map((w) => `${w.code}(${w.field ?? "record"})`).join(", ") || "none",
    };
  }
  return {
    case: name,
    outcome: "refused (422)",
    probability: "",
    novelty: "",
    warnings: outcome.errors.map((e) => `${e.field}: ${e.message}`).join("; "),
  };
}

export type WarningCount = {
  code: string;
  /** Scored customers with at least one warning of this code. */
  customers: number;
  /** Warnings of this code (a customer missing two fields has two missing_imputed warnings). */
  warnings: number;
  /** customers / scored customers. */
  share: number;
};

export interface WarningTally {
  /** Customers the service scored (the others were refused). */
  scored: number;
  refused: number;
  /** One row per warning code seen, most customers first. */
  rows: WarningCount[];
}

/** Sends every customer through the service as an API record (no reasons) and counts the warnings of the scored ones. */
export function warningTally(service: PredictionService, customers: readonly Customer[]): WarningTally {
  const counts = new Map<string, { customers: number; warnings: number }>();
  let scored = 0;
  for (const c of customers) {
    const o = service.predict(apiRecord(c), { reasons: 0 });
    if (!o.ok) continue;
    scored++;
    const seen = new Set<string>();
    for (const w of o.prediction.warnings) {
      const n = counts.get(w.code) ?? { customers: 0, warnings: 0 };
      n.warnings++;
      if (!seen.has(w.code)) n.customers++;
      seen.add(w.code);
      counts.set(w.code, n);
    }
  }
  const rows = [...counts]
    .map(([code, n]) => ({ code, customers: n.customers, warnings: n.warnings, share: scored > 0 ? n.customers / scored : Number.NaN }))
    .sort((a, b) => b.customers - a.customers || b.warnings - a.warnings);
  return { scored, refused: customers.length - scored, rows };
}

/** Share of the scored customers with a warning of `code` (0 when none had it). */
export function warningShare(tally: WarningTally, code: string): number {
  return tally.rows.find((r) => r.code === code)?.share ?? (tally.scored > 0 ? 0 : Number.NaN);
}

export interface RepeatedExportRun {
  summary: BatchSummary;
  /** Bytes of scored CSV written. */
  outputBytes: number;
}

/**
 * Streams the export `times` times over (its header once, then its non-empty lines `times` times) through
 * predictStream, the code path of `churn predict`, into a sink that only counts bytes.
 */
export async function scoreRepeatedExport(service: PredictionService, exportFile: string, times = 10): Promise<RepeatedExportRun> {
  const [headerLine, ...bodyLines] = readFileSync(exportFile, "utf8")
    .split(/\r?\n/)
    .filter((l) => l !== "");
  if (headerLine === undefined) throw new Error(`${exportFile} is empty`);
  const body = bodyLines.join("\n") + "\n";
  const chunks = [headerLine + "\n", ...Array.from({ length: times }, () => body)];
  let outputBytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      outputBytes += chunk.length;
      done();
    },
  });
  const summary = await predictStream(Readable.from(chunks), sink, service);
  return { summary, outputBytes };
}

export type DriftComparisonRow = {
  feature: string;
  "plain PSI": number | undefined;
  "plain drift": "yes" | "no";
  "shifted PSI": number;
  "shifted p": number | null;
  "shifted drift": "YES" | "no";
};

/** Per feature, the PSI and verdict of a plain and a shifted sample, largest shifted PSI first. */
export function driftComparisonRows(plain: DriftReport, shifted: DriftReport): DriftComparisonRow[] {
  const rows: DriftComparisonRow[] = [];
  for (const [name, f] of Object.entries(shifted.features)) {
    if (!f) continue;
    const p = plain.features[name as keyof DriftReport["features"]];
    rows.push({
      feature: name,
      "plain PSI": p?.psi,
      "plain drift": p?.drift ? "yes" : "no",
      "shifted PSI": f.psi,
      "shifted p": f.p_value,
      "shifted drift": f.drift ? "YES" : "no",
    });
  }
  return rows.sort((a, b) => b["shifted PSI"] - a["shifted PSI"]);
}

/** The features a drift report flags, in report order, with their PSI. */
export function driftedFeatures(report: DriftReport): { feature: string; psi: number }[] {
  return Object.entries(report.features).flatMap(([feature, f]) => (f?.drift ? [{ feature, psi: f.psi }] : []));
}

/** Share of the customers on a given contract (NaN for no customers). */
export function contractShare(customers: readonly Customer[], contract: NonNullable<Customer["Contract"]>): number {
  return customers.length === 0 ? Number.NaN : customers.filter((c) => c.Contract === contract).length / customers.length;
}

/** Each customer's multivariate novelty percentile (share of training customers less unusual, 0..1). */
export function noveltyPercentiles(reference: NoveltyReference, customers: readonly Customer[]): number[] {
  const novelty = new NoveltyScorer(reference);
  return customers.map((c) => novelty.percentile(novelty.distance(c)));
}

/** Modules of danfojs or TensorFlow in the process's module cache (the serving path must load none). */
export function heavyModulesLoaded(): string[] {
  return Object.keys(require.cache).filter((k) => /node_modules[\\/](danfojs|@tensorflow)/.test(k));
}
