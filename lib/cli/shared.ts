// What the commands share: default locations, the usage error (exit code 2), integer options, the progress bar.
// Kept free of the library's heavy modules: each command loads what it runs only when it runs (`churn serve` starts
// without the training, reporting or statistics code).
import { readFileSync } from "node:fs";
import * as path from "node:path";

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

/** The EMPC parameters of the paper (evaluation/empc.ts EMPC_PAPER_PARAMS), named here to keep start-up light. */
const EMPC_DEFAULTS = { alpha: 6, beta: 14, clv: 200, incentive: 10, contact: 1 } as const;
type EmpcKey = keyof typeof EMPC_DEFAULTS;

/** `--empc alpha=6,beta=14,clv=200,incentive=10,contact=1` (any subset over the paper's defaults), or a UsageError naming the part. */
export function empcOption(value: string, base: Record<EmpcKey, number> = EMPC_DEFAULTS): Record<EmpcKey, number> {
  const out: Record<EmpcKey, number> = { ...base };
  for (const part of value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const [key, raw] = part.split("=", 2).map((x) => x.trim());
    if (!key || !Object.hasOwn(EMPC_DEFAULTS, key)) {
      throw new UsageError(`--empc: unknown parameter ${JSON.stringify(key ?? part)}; known: ${Object.keys(EMPC_DEFAULTS).join(", ")}`);
    }
    const n = Number(raw);
    if (raw === undefined || raw === "" || !Number.isFinite(n) || n < 0 || (key !== "incentive" && n === 0)) {
      throw new UsageError(
        `--empc: ${key} must be a ${key === "incentive" ? "non-negative" : "positive"} number, got ${JSON.stringify(raw ?? "")}`,
      );
    }
    out[key as EmpcKey] = n;
  }
  if (out.incentive >= out.clv) throw new UsageError(`--empc: incentive (${out.incentive}) must be below clv (${out.clv})`);
  return out;
}
