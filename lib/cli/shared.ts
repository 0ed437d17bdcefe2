// What the commands share: default locations, the usage error (exit code 2), integer options, the progress bar.
// Kept free of the library's heavy modules: each command loads what it runs only when it runs (`churn serve` starts
// without the training, reporting or statistics code).
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { EmpcParams } from "../evaluation/empc";

export const DEFAULT_RAW_DIR = path.join("data", "raw");
export const DEFAULT_OUT_DIR = "artifacts";
/** The committed take-home export (lib/data/acquire.ts TAKE_HOME_EXPORT), named here to keep start-up light. */
const TAKE_HOME_FILE = "customer_churn_data.csv";

export type Out = (line: string) => void;

/** A command used wrongly (a bad option value): exit code 2, like every other bad input. */
export class UsageError extends Error {
  readonly exitCode = 2;
  override readonly name = "UsageError";
}

/** The export every command reads when none is named: CHURN_EXPORT_FILE, else the committed take-home export. */
export function defaultDataFile(env: NodeJS.ProcessEnv = process.env): string {
  const exportFile = env["CHURN_EXPORT_FILE"];
  return exportFile && exportFile.trim() !== "" ? exportFile : path.join(DEFAULT_RAW_DIR, TAKE_HOME_FILE);
}

/** An integer option within [min, max], or a UsageError naming the option and the value given. */
export function integerOption(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    const range = min <= Number.MIN_SAFE_INTEGER ? "" : max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`;
    throw new UsageError(`${name} must be an integer${range}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A number option within the open interval (low, high), or a UsageError. */
export function numberOption(name: string, value: string, low: number, high = Infinity): number {
  const n = Number(value);
  if (value.trim() === "" || !(n > low && n < high)) {
    throw new UsageError(`${name} must be a number in (${low}, ${high === Infinity ? "∞" : high}), got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A progress bar on an interactive terminal; null in CI or when output is piped, so logs stay quiet. */
export async function progressBar(): Promise<{ update: (done: number, total: number) => void; stop: () => void } | null> {
  if (!process.stderr.isTTY || process.env["CI"]) return null;
  const { Presets, SingleBar } = await import("cli-progress");
  const bar = new SingleBar(
    { format: "tuning [{bar}] {value}/{total} fits | {eta}s left", stream: process.stderr },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => bar.stop(),
  };
}

/** The project's version (package.json), as `churn --version` prints it. */
export function projectVersion(): string {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "unknown";
}

/**
 * `--empc alpha=6,clv=300`: loads the parser (evaluation/empc.ts) and returns the parameters over a base (the paper's
 * by default, the model's for churn evaluate), checked whole; a bad part is a UsageError naming it.
 */
export async function empcOption(value: string): Promise<(base?: EmpcParams) => EmpcParams> {
  const { EMPC_PAPER_PARAMS, checkEmpcParams, parseEmpcParams } = await import("../evaluation/empc.js");
  const usage = (err: unknown): UsageError => new UsageError(`--empc: ${(err as Error).message}`);
  let overrides: Partial<EmpcParams>;
  try {
    overrides = parseEmpcParams(value);
  } catch (err) {
    throw usage(err);
  }
  return (base = EMPC_PAPER_PARAMS) => {
    const params = { ...base, ...overrides };
    try {
      checkEmpcParams(params);
    } catch (err) {
      throw usage(err);
    }
    return params;
  };
}
