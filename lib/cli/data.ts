// `churn data`: verify the committed raw files; refresh IBM's clean file from its URL or from a local copy.
import type { Command } from "commander";
import { DEFAULT_RAW_DIR, type Out, numberOption } from "./shared";

export function registerData(program: Command, out: Out): void {
  program
    .command("data")
    .description(
      "Verify the committed raw data: the take-home export (data/raw/customer_churn_data.csv) and IBM's clean file " +
        "(data/raw/telco-customer-churn.csv), by sha256. --refresh downloads the clean file again from IBM's public URL; " +
        "--from (or CHURN_DATA_FILE) puts a local copy of it in place. Any copy whose checksum differs is refused.",
    )
    .option("--from <path>", "put this local copy of the clean IBM file in place (env: CHURN_DATA_FILE)")
    .option("--refresh", "download the clean IBM file again, even when the committed copy verifies")
    .option("--dest <dir>", "where the raw data lives", DEFAULT_RAW_DIR)
    .option("--url <url>", "download address of the clean file (default: IBM's public URL)")
    .option("--sha256 <hex>", "expected checksum of the clean file (default: the published one)")
    .option("--timeout <seconds>", "download timeout in seconds", "60")
    .action(async (opts: { from?: string; refresh?: boolean; dest: string; url?: string; sha256?: string; timeout: string }) => {
      const timeout = numberOption("--timeout", opts.timeout, 0);
      const { IBM_TELCO, obtainDataset, verifyRawData } = await import("../data/acquire.js");
      const given = opts.from !== undefined || (process.env["CHURN_DATA_FILE"] ?? "").trim() !== "";
      if (given || opts.refresh) {
        const result = await obtainDataset({
          ...(opts.from === undefined ? {} : { from: opts.from }),
          destDir: opts.dest,
          url: opts.url ?? IBM_TELCO.url,
          sha256: opts.sha256 ?? IBM_TELCO.sha256,
          timeoutMs: timeout * 1000,
          refresh: Boolean(opts.refresh),
          log: out,
        });
        out(`data: ${result.path} (${result.source}, ${result.bytes} bytes, sha256 ${result.sha256.slice(0, 12)}...)`);
      }
      for (const v of await verifyRawData(opts.dest))
        out(`data: ${v.file} verified (${v.bytes} bytes, sha256 ${v.sha256.slice(0, 12)}...)`);
    });
}
