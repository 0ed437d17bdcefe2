// Permutation importance: how much validation ROC-AUC a scorer loses when one raw column is shuffled across customers.
import seedrandom from "seedrandom";
import type { PermutationRow } from "../artifact/types";
import { rocAuc } from "../evaluation/metrics";
import type { ColumnName, Customer } from "../core/schema";
import type { Scorer } from "../artifact/scorer";
import { shuffled } from "../core/split";
import { churnLabel } from "../core/labels";

const label = churnLabel;

/** Validation ROC-AUC drop when one raw column is shuffled across customers, `repeats` times (seeded). */
export function permutationImportance(
  scorer: Scorer,
  customers: readonly Customer[],
  columns: readonly ColumnName[],
  repeats: number,
  seed: number,
): { baseline: number; rows: PermutationRow[] } {
  const y = customers.map(label);
  const baseline = rocAuc(y, scorer.score(customers));
  const rows = columns.map((column) => {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const values = shuffled(
        customers.map((c) => c[column]),
        seedrandom(`perm:${seed}:${column}:${r}`),
      );
      const permuted = customers.map((c, i) => ({ ...c, [column]: values[i] }));
      drops.push(baseline - rocAuc(y, scorer.score(permuted)));
    }
    const mean = drops.reduce((s, d) => s + d, 0) / drops.length;
    const sd = Math.sqrt(drops.reduce((s, d) => s + (d - mean) ** 2, 0) / Math.max(1, drops.length - 1));
    return { column, mean, sd };
  });
  return { baseline, rows: rows.sort((a, b) => b.mean - a.mean) };
}
