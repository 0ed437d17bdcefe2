// Human-readable views of a cleaning quality report: the CLI summary and the per-column table the notebooks show.
import type { QualityReport } from "./table";
import { COLUMN_NAMES } from "../core/schema";
import { percent } from "../core/format";

export interface ColumnQualityRow {
  column: string;
  sourceHeader: string;
  missing: number;
  normalized: number;
  invalid: number;
  unknown: number;
  deduced: number;
}

/** One row per canonical column with its counts, in IBM column order. */
export function columnQualityRows(report: QualityReport): ColumnQualityRow[] {
  return COLUMN_NAMES.map((name) => {
    const q = report.columns[name];
    return {
      column: name,
      sourceHeader: q.sourceHeader ?? "(absent)",
      missing: q.missing,
      normalized: q.normalized,
      invalid: q.invalid,
      unknown: q.unknown,
      deduced: q.deduced,
    };
  });
}

const pct = (part: number, whole: number): string => (whole > 0 ? percent(part / whole) : "n/a");

/** A short plain-text summary for the terminal. */
export function formatQualitySummary(report: QualityReport): string {
  const { rows, customers, duplicates, source } = report;
  const lines: string[] = [];
  lines.push(`Data quality: ${source.file ?? "input"}`);
  lines.push(
    `  format      ${source.encoding}${source.byteOrderMark ? " with BOM" : ""}, ${source.lineEndings} line endings, ` +
      `delimiter ${JSON.stringify(source.delimiter)}, header on line ${source.headerLine}`,
  );
  lines.push(`  rows in     ${rows.input} (blank ${rows.blank}, set aside ${rows.setAside})`);
  lines.push(
    `  duplicates  ${duplicates.exactCopies} exact, ${duplicates.mergedCopies} merged copies across ${duplicates.customersWithCopies} customers` +
      (Object.keys(duplicates.conflicts).length
        ? `; conflicts in ${Object.entries(duplicates.conflicts)
            .map(([c, n]) => `${c} ${n}`)
            .join(", ")}`
        : ""),
  );
  lines.push(
    `  customers   ${customers.total} out; ${customers.labeled} labeled, ${customers.unlabeled} unlabeled` +
      (customers.churnRate === null ? "" : `; churn rate ${pct(customers.churners, customers.labeled)}`),
  );
  const header = ["column", "missing", "normalized", "invalid", "unknown", "deduced"];
  const table = columnQualityRows(report).filter(
    (r) => r.missing + r.normalized + r.invalid + r.unknown + r.deduced > 0 || r.sourceHeader === "(absent)",
  );
  if (table.length) {
    const width = Math.max(...table.map((r) => r.column.length), header[0]?.length ?? 0);
    lines.push(
      `  ${header[0]?.padEnd(width)}  ${header
        .slice(1)
        .map((h) => h.padStart(11))
        .join("")}`,
    );
    for (const r of table) {
      const cells = [r.missing, r.normalized, r.invalid, r.unknown, r.deduced].map((n) => String(n).padStart(11));
      lines.push(`  ${r.column.padEnd(width)}  ${cells.join("")}${r.sourceHeader === "(absent)" ? "  (column absent)" : ""}`);
    }
  }
  const incons = Object.entries(report.inconsistencies);
  if (incons.length) lines.push(`  contradictions kept: ${incons.map(([k, n]) => `${k} (${n})`).join("; ")}`);
  if (report.unknownColumns.length) lines.push(`  unknown columns ignored: ${report.unknownColumns.join(", ")}`);
  const unknownValues = Object.entries(report.columns).flatMap(([col, q]) =>
    Object.entries(q.unknownValues).map(([v, n]) => `${col}=${JSON.stringify(v)} x${n}`),
  );
  if (unknownValues.length) lines.push(`  unknown category values: ${unknownValues.slice(0, 12).join(", ")}`);
  return lines.join("\n");
}

/** The quality problems found, in words, every count read from the report; empty categories are left out. */
export function describeQualityProblems(report: QualityReport): string[] {
  const out: string[] = [];
  const rows = columnQualityRows(report);
  const sum = (k: "missing" | "normalized" | "invalid" | "unknown" | "deduced"): number => rows.reduce((s, r) => s + r[k], 0);
  const top = (k: "missing" | "normalized" | "invalid", n = 3): string =>
    [...rows]
      .filter((r) => r[k] > 0)
      .sort((a, b) => b[k] - a[k])
      .slice(0, n)
      .map((r) => `${r.column} (${r[k]})`)
      .join(", ");
  const { duplicates, customers } = report;
  if (duplicates.exactCopies + duplicates.mergedCopies > 0) {
    out.push(
      `**Duplicates:** ${duplicates.exactCopies} byte-identical copies and ${duplicates.mergedCopies} re-exported copies of ${duplicates.customersWithCopies} customers were merged by customer ID.`,
    );
  }
  if (sum("normalized") > 0)
    out.push(`**Inconsistent spellings:** ${sum("normalized")} values needed normalizing; most in ${top("normalized")}.`);
  if (sum("missing") > 0)
    out.push(`**Missing values:** ${sum("missing")} cells are empty or null tokens after repair; most in ${top("missing")}.`);
  if (sum("deduced") > 0)
    out.push(
      `**Repaired from the row itself:** ${sum("deduced")} missing values were implied by other fields (e.g. PhoneService from MultipleLines).`,
    );
  if (sum("invalid") > 0) {
    const detail = rows
      .filter((r) => r.invalid > 0)
      .map((r) => {
        const q = report.columns[r.column as keyof QualityReport["columns"]];
        const reasons = Object.entries(q.invalidReasons)
          .map(([k, n]) => `${n} ${k}`)
          .join(", ");
        const examples = Object.keys(q.invalidExamples).slice(0, 4).join(", ");
        return `${r.column}: ${reasons} (e.g. ${examples})`;
      })
      .join("; ");
    out.push(`**Impossible values set missing:** ${detail}.`);
  }
  if (sum("unknown") > 0) out.push(`**Unknown category values:** ${sum("unknown")}, reported and set missing, never guessed.`);
  if (customers.unlabeled > 0) {
    out.push(
      `**Unusable labels:** ${customers.unlabeled} customers have no usable Churn value (missing ${customers.unlabeledBecause.missing}, unrecognized ${customers.unlabeledBecause.unknown}, conflicting ${customers.unlabeledBecause.conflicting}); they stay in the table and out of training.`,
    );
  }
  if (report.unknownColumns.length) out.push(`**Unknown columns ignored:** ${report.unknownColumns.join(", ")}.`);
  if (report.setAside.length)
    out.push(`**Rows set aside:** ${report.setAside.length} (no customer ID or misaligned fields), written to set-aside.csv.`);
  const incons = Object.values(report.inconsistencies).reduce((s, n) => s + n, 0);
  if (incons) out.push(`**Contradictory combinations kept and flagged:** ${incons}.`);
  return out;
}

export interface InvalidValueRow {
  column: string;
  invalid: number;
  /** Reasons with their counts, e.g. "out of range 12; sentinel code 4". */
  reasons: string;
  /** Up to 20 distinct raw values that were refused. */
  examples: string;
}

/** The columns with impossible values set missing: how many, why, and examples of the raw values. */
export function invalidValueRows(report: QualityReport): InvalidValueRow[] {
  return COLUMN_NAMES.filter((name) => report.columns[name].invalid > 0).map((name) => {
    const q = report.columns[name];
    return {
      column: name,
      invalid: q.invalid,
      reasons: Object.entries(q.invalidReasons)
        .map(([why, n]) => `${why} ${n}`)
        .join("; "),
      examples: Object.keys(q.invalidExamples).join(", "),
    };
  });
}
