// `churn export`: a saved model as one ONNX graph of its whole scoring path, optionally checked against the model on an export.
import { writeFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { type Out, UsageError, projectVersion } from "./shared";

export function registerExport(program: Command, out: Out): void {
  program
    .command("export")
    .description(
      "Export a saved model's whole scoring path (decoding, derived features, imputation, one-hot encoding, scaling, " +
        "the learner, the soft vote, the calibrator) as one ONNX graph for ONNX Runtime, Spark (SynapseML), Triton or a " +
        'warehouse import. Inputs: one [N,1] tensor per cleaned field (float, NaN missing; string, "" missing); outputs ' +
        "churn_probability, churn and risk_band. k-NN models cannot be exported. --check scores an export both ways.",
    )
    .requiredOption("--model <file>", "model.json written by churn train")
    .addOption(new Option("--format <format>", "the export format").choices(["onnx"]).makeOptionMandatory())
    .requiredOption("--out <file>", "the graph to write (model.onnx)")
    .option("--check <csv>", "clean this export and score every customer with the model and with the graph in ONNX Runtime")
    .option("--parity <file>", "with --check: write the parity report as JSON")
    .action(async (opts: { model: string; format: "onnx"; out: string; check?: string; parity?: string }) => {
      if (opts.parity !== undefined && opts.check === undefined)
        throw new UsageError("--parity needs --check <csv> (the customers to compare on)");
      const { loadModelFile } = await import("../artifact/model-file.js");
      const { exportOnnx } = await import("../export/onnx.js");
      const { file, scorer } = loadModelFile(opts.model);
      const exported = exportOnnx(file, { producerVersion: projectVersion() });
      writeFileSync(opts.out, exported.bytes);
      out(
        `export: ${exported.metadata.model_version} (${exported.metadata.learners}) -> ${opts.out}: ${(exported.bytes.length / 1024).toFixed(0)} KiB, ` +
          `${exported.nodes} nodes, opset ${exported.opsets.default} + ai.onnx.ml ${exported.opsets.ml}, sha256 ${exported.sha256.slice(0, 12)}`,
      );
      if (opts.check === undefined) return;
      const { cleanFile } = await import("../cleaning/table.js");
      const { formatParity, onnxParity } = await import("../export/parity.js");
      const customers = cleanFile(opts.check).customers;
      const parity = await onnxParity(file, scorer, exported.bytes, customers);
      out(formatParity(parity));
      if (opts.parity !== undefined) {
        writeFileSync(
          opts.parity,
          `${JSON.stringify({ model: exported.metadata, onnx: { file: opts.out, bytes: exported.bytes.length, sha256: exported.sha256, nodes: exported.nodes, opsets: exported.opsets }, data: opts.check, ...parity }, null, 2)}\n`,
        );
        out(`wrote ${opts.parity}`);
      }
      if (!parity.ok) throw new Error(`the exported graph does not match the model on ${opts.check} (see above)`);
    });
}
