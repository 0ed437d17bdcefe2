// An export cleaned, its labeled customers split 60/20/20 (stratified, seeded, by customer ID), and the rows of each
// part: what `churn train` and `churn study` both start from, so both see the same customers.
import { type QualityReport, cleanFile } from "../cleaning/table";
import { churnLabel, labeledOnly } from "../core/labels";
import type { Customer } from "../core/schema";
import { type Split, stratifiedSplit } from "../core/split";

export interface SplitRows {
  customers: Customer[];
  report: QualityReport;
  labeled: Customer[];
  split: Split;
  train: Customer[];
  validation: Customer[];
  test: Customer[];
}

export function splitRows(file: string, seed: number): SplitRows {
  const { customers, report } = cleanFile(file);
  const labeled = labeledOnly(customers);
  const byId = new Map(labeled.map((c) => [c.customerID, c]));
  const split = stratifiedSplit(
    labeled.map((c) => c.customerID),
    (id) => churnLabel(byId.get(id) as Customer),
    seed,
  );
  const rows = (ids: readonly string[]): Customer[] => ids.map((id) => byId.get(id) as Customer);
  return { customers, report, labeled, split, train: rows(split.train), validation: rows(split.validation), test: rows(split.test) };
}
