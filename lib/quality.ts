// Human-readable views of a cleaning quality report: the CLI summary and the per-column table the notebooks show.
import type { QualityReport } from "./cleaning";
import { COLUMN_NAMES } from "./schema";

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

const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : "n/a");

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
    lines.push(`  ${header[0]?.padEnd(width)}  ${header.slice(1).map((h) => h.padStart(11)).join("")}`);
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
