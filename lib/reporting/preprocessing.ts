// Evidence notebook 02 shows for the cleaning: the null tokens of an export, and how cleaning copes with generated
// exports messier than the take-home's.
import type { ExportProfile } from "../cleaning/profile";
import { cleanBytes } from "../cleaning/table";
import { type CleanRecord, type MessyOptions, makeMessyExport, scoreCleaning } from "../data/synthetic";

/** Cells per null token (the raw spelling, JSON-quoted) over every column, most cells first. */
export function nullTokenCounts(profile: ExportProfile): { token: string; cells: number }[] {
  const counts = new Map<string, number>();
  for (const s of profile.spellings) {
    if (s.status !== "missing") continue;
    const token = JSON.stringify(s.raw);
    counts.set(token, (counts.get(token) ?? 0) + s.count);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([token, cells]) => ({ token, cells }));
}

export type RobustnessRow = {
  export: string;
  "rows in": number;
  /** "found of expected". */
  customers: string;
  "cells checked": number;
  "cells wrong": number;
  "disturbed cells": number;
  "restored by deduction": number;
  "set aside": number;
  "decimal separator": string;
};

export interface Robustness {
  rows: RobustnessRow[];
  /** Cells wrong over every export: 0 when cleaning did exactly what each generator expected. */
  wrongCells: number;
}

/**
 * Writes one messy export per configuration from clean IBM records (makeMessyExport), cleans it and scores the
 * result cell by cell against the generator's expectation and the original records.
 */
export function cleaningRobustness(
  records: readonly CleanRecord[],
  configs: readonly { name: string; options: MessyOptions }[],
): Robustness {
  const truth = new Map(records.map((r) => [r["customerID"] ?? "", r]));
  const rows = configs.map(({ name, options }): RobustnessRow => {
    const messy = makeMessyExport(records, options);
    const cleaned = cleanBytes(messy.bytes);
    const score = scoreCleaning(cleaned.customers, messy.expected, truth);
    return {
      export: name,
      "rows in": cleaned.report.rows.input,
      customers: `${score.customersFound} of ${score.customersExpected}`,
      "cells checked": score.cellsChecked,
      "cells wrong": score.wrong.length,
      "disturbed cells": score.disturbed,
      "restored by deduction": score.disturbedRecovered,
      "set aside": cleaned.report.rows.setAside,
      "decimal separator": cleaned.report.source.decimalSeparator,
    };
  });
  return { rows, wrongCells: rows.reduce((s, r) => s + r["cells wrong"], 0) };
}
