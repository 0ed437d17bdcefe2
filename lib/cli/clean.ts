// `churn clean`: one export in, the cleaned table, its quality report and the rows set aside out.
import { existsSync } from "node:fs";
import { type Command, Option } from "commander";
import { DEFAULT_OUT_DIR, type Out, UsageError, defaultDataFile } from "./shared";

export function registerClean(program: Command, out: Out): void {
  program
    .command("clean")
    .description(
      "Clean a churn export into <out>/cleaned.csv (one row per customer, IBM names and spellings, empty where " +
        "missing or invalid) and <out>/quality-report.json, and print a quality summary.",
    )
    .addOption(new Option("--data <csv>", "the export to clean (default: CHURN_EXPORT_FILE, else data/raw/customer_churn_data.csv)"))
    .option("--out <dir>", "output folder", DEFAULT_OUT_DIR)
    .option("--json", "print the full quality report as JSON instead of the summary")
    .action(async (opts: { data?: string; out: string; json?: boolean }) => {
      const file = opts.data ?? defaultDataFile();
      if (opts.data === undefined && !existsSync(file)) {
        throw new UsageError(
          `nothing to clean: ${file} does not exist. Pass --data CSV or set CHURN_EXPORT_FILE; the committed export is restored by \`git checkout -- data/raw\`.`,
        );
      }
      const { cleanFile, writeCleanOutputs } = await import("../cleaning/table.js");
      const { formatQualitySummary } = await import("../cleaning/quality.js");
      const result = cleanFile(file);
      const written = writeCleanOutputs(result, opts.out);
      if (opts.json) out(JSON.stringify(result.report, null, 2));
      else {
        out(formatQualitySummary(result.report));
        out(`wrote ${written.cleaned}, ${written.report}${written.setAside ? `, ${written.setAside}` : ""}`);
      }
    });
}
