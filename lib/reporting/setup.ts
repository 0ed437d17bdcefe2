// The one setup of the notebooks that read a run (04, 05) and of the slide deck: the run's artifacts and its export
// opened together through locateRun, the saved model loaded, split.json read, the export cleaned, and the held-out
// test customers looked up, labeled and scored.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { loadModelFile } from "../artifact/model-file";
import { type RunInputs, locateRun } from "../artifact/run";
import type { Scorer } from "../artifact/scorer";
import type { ModelFile, SplitFile } from "../artifact/types";
import { type QualityReport, cleanFile } from "../cleaning/table";
import type { Customer } from "../core/schema";
import { churnLabels } from "../core/labels";

export interface NotebookRun {
  /** What locateRun found: the artifacts folder, the export and its sha256, the artifacts present. */
  inputs: RunInputs;
  /** The artifacts folder (inputs.artifactsDir). */
  dir: string;
  /** model.json, verified by the loader (schema, checksum, fingerprint). */
  model: ModelFile;
  scorer: Scorer;
  /** split.json: the customer IDs of train, validation and test. */
  split: SplitFile;
  /** Every cleaned customer of the export, labeled or not. */
  customers: Customer[];
  /** The cleaning's quality report of the export. */
  report: QualityReport;
  customersById: Map<string, Customer>;
  /** split.json's test customers found in the export, in split order, labeled or not. */
  testCustomers: Customer[];
  /** The labeled ones among them: every test metric is computed on these. */
  test: Customer[];
  /** 1 for a churner, 0 otherwise, per customer of `test`. */
  y: number[];
  /** The model's churn probability per customer of `test`. */
  p: Float64Array;
  /** MonthlyCharges per customer of `test` (0 when missing), for the value model. */
  charges: number[];
  /** Churners among `test`. */
  positives: number;
  /** Share of churners among `test` (a random ranking's precision). */
  baseRate: number;
}

/**
 * Opens the run the notebooks read (CHURN_ARTIFACTS and CHURN_EXPORT_FILE in `env`, as locateRun): refuses artifacts
 * of another export, loads model.json, reads split.json, cleans the export, and scores the labeled test customers.
 * Throws when none of split.json's test customers is a labeled customer of the export.
 */
export function openNotebookRun(root: string, env: NodeJS.ProcessEnv = process.env): NotebookRun {
  const inputs = locateRun(root, env);
  const dir = inputs.artifactsDir;
  const { file: model, scorer } = loadModelFile(path.join(dir, "model.json"));
  const split = JSON.parse(readFileSync(path.join(dir, "split.json"), "utf8")) as SplitFile;
  const { customers, report } = cleanFile(inputs.exportFile);
  const customersById = new Map(customers.map((c) => [c.customerID, c]));
  const testCustomers = split.test.map((id) => customersById.get(id)).filter((c): c is Customer => c !== undefined);
  const test = testCustomers.filter((c) => c.Churn !== null);
  if (test.length === 0) {
    throw new Error(
      `none of the ${split.test.length} test customers of ${path.join(dir, "split.json")} is a labeled customer of ${inputs.exportFile}`,
    );
  }
  const y = churnLabels(test);
  const positives = y.reduce((s: number, v) => s + v, 0);
  return {
    inputs,
    dir,
    model,
    scorer,
    split,
    customers,
    report,
    customersById,
    testCustomers,
    test,
    y,
    p: scorer.score(test),
    charges: test.map((c) => c.MonthlyCharges ?? 0),
    positives,
    baseRate: positives / test.length,
  };
}
