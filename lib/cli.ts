// The `churn` command line: each command is a thin shell over a library function, with --help for every one.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { ChurnTableError, cleanFile, writeCleanOutputs } from "./cleaning";
import { IBM_TELCO, obtainDataset } from "./data";
import { formatQualitySummary } from "./quality";

export const DEFAULT_RAW_DIR = path.join("data", "raw");
export const DEFAULT_OUT_DIR = "artifacts";

/** The export to clean when none is named: CHURN_EXPORT_FILE, else the obtained IBM file. */
export function defaultDataFile(env: NodeJS.ProcessEnv = process.env): string {
  const exportFile = env["CHURN_EXPORT_FILE"];
  return exportFile && exportFile.trim() !== "" ? exportFile : path.join(DEFAULT_RAW_DIR, IBM_TELCO.fileName);
}

export function buildProgram(out: (line: string) => void = (l) => console.log(l)): Command {
  const program = new Command("churn")
    .description("Customer-churn pipeline on the IBM Telco data: obtain, clean, and (later) train, evaluate and serve.")
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command("data")
    .description(
      "Put the clean IBM Telco CSV at <dest>/telco-customer-churn.csv: from --from or CHURN_DATA_FILE, " +
        "else from the verified cache, else by download; the sha256 is always checked.",
    )
    .option("--from <path>", "use this local copy instead of downloading (env: CHURN_DATA_FILE)")
    .option("--dest <dir>", "where the raw data goes", DEFAULT_RAW_DIR)
    .option("--url <url>", "download address", IBM_TELCO.url)
    .option("--sha256 <hex>", "expected checksum", IBM_TELCO.sha256)
    .option("--timeout <seconds>", "download timeout in seconds", "60")
    .action(async (opts: { from?: string; dest: string; url: string; sha256: string; timeout: string }) => {
      const result = await obtainDataset({
        ...(opts.from === undefined ? {} : { from: opts.from }),
        destDir: opts.dest,
        url: opts.url,
        sha256: opts.sha256,
        timeoutMs: Number(opts.timeout) * 1000,
        log: out,
      });
      out(`data: ${result.path} (${result.source}, ${result.bytes} bytes, sha256 ${result.sha256.slice(0, 12)}...)`);
    });

  program
    .command("clean")
    .description(
      "Clean a churn export into <out>/cleaned.csv (one row per customer, IBM names and spellings, empty where " +
        "missing or invalid) and <out>/quality-report.json, and print a quality summary.",
    )
    .addOption(
      new Option("--data <csv>", "the export to clean (default: CHURN_EXPORT_FILE, else data/raw/telco-customer-churn.csv)"),
    )
    .option("--out <dir>", "output folder", DEFAULT_OUT_DIR)
    .option("--json", "print the full quality report as JSON instead of the summary")
    .action((opts: { data?: string; out: string; json?: boolean }) => {
      const file = opts.data ?? defaultDataFile();
      if (opts.data === undefined && !existsSync(file)) {
        throw new ChurnTableError(
          `nothing to clean: ${file} does not exist. Pass --data CSV, set CHURN_EXPORT_FILE, or run \`churn data\` first.`,
        );
      }
      const result = cleanFile(file);
      const written = writeCleanOutputs(result, opts.out);
      if (opts.json) out(JSON.stringify(result.report, null, 2));
      else {
        out(formatQualitySummary(result.report));
        out(`wrote ${written.cleaned}, ${written.report}${written.setAside ? `, ${written.setAside}` : ""}`);
      }
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await buildProgram().parseAsync([...argv]);
}
