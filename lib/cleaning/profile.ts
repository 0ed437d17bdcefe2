// Evidence for the cleaning rules: every raw spelling in an export, how often it occurs and what cleaning makes of it.
import { parseExport } from "./table";
import { COLUMNS, type ColumnName } from "../core/schema";
import { type ValueStatus, canonicalizeValue } from "../core/values";

export interface SpellingRow {
  column: ColumnName;
  raw: string;
  count: number;
  status: ValueStatus;
  canonical: string;
}

export interface ExportProfile {
  headers: { header: string; column: ColumnName | "(ignored)" }[];
  /** Raw spellings per column (all rows, duplicates included), most frequent first. */
  spellings: SpellingRow[];
}

/** Profiles the raw values of an export column by column, before merging duplicates or any deduction. */
export function profileExport(bytes: Buffer, label?: string): ExportProfile {
  const parsed = parseExport(bytes, label);
  const { mapping, records, headerRecord } = parsed;
  const byIndex = new Map<number, ColumnName>([...mapping.index].map(([c, i]) => [i, c]));
  const headers = mapping.headers.map((header, i) => ({ header, column: byIndex.get(i) ?? ("(ignored)" as const) }));
  const spellings: SpellingRow[] = [];
  for (const spec of COLUMNS) {
    const i = mapping.index.get(spec.name);
    if (i === undefined || spec.kind === "id") continue;
    const counts = new Map<string, number>();
    for (let r = headerRecord + 1; r < records.length; r++) {
      const raw = records[r]?.[i];
      if (raw === undefined) continue;
      counts.set(raw, (counts.get(raw) ?? 0) + 1);
    }
    for (const [raw, count] of counts) {
      const outcome = canonicalizeValue(spec, raw, parsed.decimalSeparator);
      spellings.push({
        column: spec.name,
        raw,
        count,
        status: outcome.status,
        canonical: outcome.value === null ? "" : String(outcome.value),
      });
    }
  }
  spellings.sort((a, b) => (a.column === b.column ? b.count - a.count : 0));
  return { headers, spellings };
}

/** Spellings of one column that cleaning changes (normalized, missing, invalid or unknown), most frequent first. */
export function nonCanonicalSpellings(profile: ExportProfile, column: ColumnName): SpellingRow[] {
  return profile.spellings.filter((s) => s.column === column && s.status !== "ok");
}

export interface FormatRow {
  shape: string;
  count: number;
  status: ValueStatus;
  example: string;
}

/** Numeric spellings grouped by shape (digits shown as 9): "$99.99" and "9,999.99" reveal currency and grouping. */
export function numericFormats(profile: ExportProfile, column: ColumnName): FormatRow[] {
  const groups = new Map<string, FormatRow>();
  for (const s of profile.spellings) {
    if (s.column !== column) continue;
    const shape = `${s.raw.replace(/\d+/g, "9")} (${s.status})`;
    const g = groups.get(shape);
    if (g) g.count += s.count;
    else groups.set(shape, { shape: s.raw.replace(/\d+/g, "9"), count: s.count, status: s.status, example: s.raw });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}
