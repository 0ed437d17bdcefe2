// `churn evaluate`: score any labeled export (messy or clean) with a saved model, with intervals and the business view.
import { type ValueAssumptions, DEFAULT_ASSUMPTIONS, bestOperatingPoint, valueStatement } from "../evaluation/business";
import { cleanFile } from "../cleaning/table";
import { type EvaluationReport, evaluate } from "../evaluation/evaluate";
import { ModelFileError, loadModelFile } from "../artifact/model-file";
import { churnLabels } from "../core/labels";
import { EMPC_PAPER_PARAMS, type EmpcParams, empc, valueModelEmpcParams } from "../evaluation/empc";

export interface EvaluationFile {
  model: { name: string; version: string; createdAt: string; threshold: number };
  data: { file: string; customers: number; labeled: number };
  roc_auc: number;
  roc_auc_ci95: [number, number];
  metrics: EvaluationReport["metrics"];
  confusion: EvaluationReport["confusion"];
  /** Expected maximum profit per customer (Verbraken et al. 2013) at `empc_params`: the model file's, or --empc. */
  empc: number;
  /** Expected share of customers contacted at the profit-maximizing cut-off. */
  empc_frac: number;
  empc_params: EmpcParams;
  /** The same measure with the project's value model as parameters (evaluation/empc.ts valueModelEmpcParams). */
  empc_value_model: { empc: number; empc_frac: number; params: EmpcParams };
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

export function evaluateModel(
  modelPath: string,
  dataPath: string,
  /** `empc`: the parameters from the model's (its file's, else the paper's), e.g. the model's with --empc applied. */
  options: { bootstrap?: number; seed?: number; empc?: (modelParams: EmpcParams) => EmpcParams } = {},
): EvaluationFile {
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
  const modelParams = file.business?.empc ?? EMPC_PAPER_PARAMS;
  const empcParams = options.empc ? options.empc(modelParams) : modelParams;
  const profit = empc(y, p, empcParams);
  const valueParams = valueModelEmpcParams(assumptions, charges);
  const valueProfit = empc(y, p, valueParams);
  return {
    model: { name: file.name, version: file.version, createdAt: file.createdAt, threshold: file.threshold },
    data: { file: dataPath, customers: customers.length, labeled: labeled.length },
    roc_auc: report.metrics.roc_auc.value,
    roc_auc_ci95: report.metrics.roc_auc.ci95,
    metrics: report.metrics,
    confusion: report.confusion,
    empc: profit.empc,
    empc_frac: profit.empcFrac,
    empc_params: { ...empcParams },
    empc_value_model: { empc: valueProfit.empc, empc_frac: valueProfit.empcFrac, params: valueParams },
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
    `  EMPC            ${e.empc.toFixed(3)} per customer, contacting ${(100 * e.empc_frac).toFixed(1)}% (alpha ${e.empc_params.alpha}, beta ${e.empc_params.beta}, CLV ${e.empc_params.clv}, incentive ${e.empc_params.incentive}, contact ${e.empc_params.contact})`,
    `  EMPC (value model) ${e.empc_value_model.empc.toFixed(2)} per customer, contacting ${(100 * e.empc_value_model.empc_frac).toFixed(1)}% (CLV ${e.empc_value_model.params.clv.toFixed(0)}, offer ${e.empc_value_model.params.contact} per contact)`,
    ...e.business.statements.map((s) => `  ${s}`),
  ].join("\n");
}
