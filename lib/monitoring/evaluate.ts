// `churn evaluate`: score any labeled export (messy or clean) with a saved model, with intervals and the business view.
import { type ValueAssumptions, DEFAULT_ASSUMPTIONS, bestOperatingPoint, valueStatement } from "../evaluation/business";
import { cleanFile } from "../cleaning/table";
import { type EvaluationReport, evaluate } from "../evaluation/evaluate";
import { ModelFileError, loadModelFile } from "../artifact/model-file";
import { churnLabels } from "../core/labels";

export interface EvaluationFile {
  model: { name: string; version: string; createdAt: string; threshold: number };
  data: { file: string; customers: number; labeled: number };
  roc_auc: number;
  roc_auc_ci95: [number, number];
  metrics: EvaluationReport["metrics"];
  confusion: EvaluationReport["confusion"];
  business: {
    assumptions: ValueAssumptions;
    threshold: number | null;
    contacted_share: number;
    churner_share: number;
    net_value: number;
    net_per_1000: number;
    statements: string[];
  };
}

export function evaluateModel(modelPath: string, dataPath: string, options: { bootstrap?: number; seed?: number } = {}): EvaluationFile {
  const { file, scorer } = loadModelFile(modelPath);
  const { customers } = cleanFile(dataPath);
  const labeled = customers.filter((c) => c.Churn !== null);
  if (labeled.length === 0) throw new ModelFileError(`${dataPath} has no labeled customers to evaluate against`);
  const y = churnLabels(labeled);
  const p = scorer.score(labeled);
  const report = evaluate(y, p, file.threshold, { bootstrap: options.bootstrap ?? 1000, seed: options.seed ?? file.seed });
  // Customers without a monthly charge carry no value to save; count them at zero rather than drop them.
  const charges = labeled.map((c) => c.MonthlyCharges ?? 0);
  const assumptions: ValueAssumptions = { ...DEFAULT_ASSUMPTIONS, ...file.business?.assumptions };
  const best = bestOperatingPoint(y, p, charges, assumptions);
  return {
    model: { name: file.name, version: file.version, createdAt: file.createdAt, threshold: file.threshold },
    data: { file: dataPath, customers: customers.length, labeled: labeled.length },
    roc_auc: report.metrics.roc_auc.value,
    roc_auc_ci95: report.metrics.roc_auc.ci95,
    metrics: report.metrics,
    confusion: report.confusion,
    business: {
      assumptions,
      threshold: best.threshold,
      contacted_share: best.contactedShare,
      churner_share: best.churnerShare,
      net_value: best.net,
      net_per_1000: best.netPer1000,
      statements: valueStatement(y, p, charges, assumptions),
    },
  };
}

/** A short terminal table of the evaluation. */
export function formatEvaluation(e: EvaluationFile): string {
  const rows = Object.entries(e.metrics).map(
    ([name, m]) => `  ${name.padEnd(16)}${m.value.toFixed(4).padStart(9)}   [${m.ci95[0].toFixed(4)}, ${m.ci95[1].toFixed(4)}]`,
  );
  const c = e.confusion;
  return [
    `${e.model.name} (v${e.model.version}) on ${e.data.labeled} labeled of ${e.data.customers} customers, threshold ${e.model.threshold.toFixed(3)}`,
    `  ${"metric".padEnd(16)}${"value".padStart(9)}   95% interval (stratified bootstrap)`,
    ...rows,
    `  confusion       tp ${c.tp}  fp ${c.fp}  tn ${c.tn}  fn ${c.fn}`,
    ...e.business.statements.map((s) => `  ${s}`),
  ].join("\n");
}
