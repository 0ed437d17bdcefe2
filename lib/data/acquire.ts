// The committed raw data (the take-home export and IBM's clean file): verified by checksum, refreshable from IBM's URL.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { valueText } from "../core/values";

export const IBM_TELCO: { url: string; sha256: string; fileName: string; customers: number } = {
  url: "https://raw.githubusercontent.com/IBM/telco-customer-churn-on-icp4d/master/data/Telco-Customer-Churn.csv",
  sha256: "16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91",
  fileName: "telco-customer-churn.csv",
  customers: 7043,
};

/** The brief's messy CRM export: the project's input. It has no public address; the repository carries it. */
export const TAKE_HOME_EXPORT: { sha256: string; fileName: string; dataLines: number } = {
  sha256: "dc523cd8d87a2201fcb68ca009935b38727135a723c8486eeacfd9d847892de8",
  fileName: "customer_churn_data.csv",
  dataLines: 7148,
};

/** Where the committed raw files live, relative to the repository root. */
export const RAW_DIR = path.join("data", "raw");

// exitCode lets the CLI shim tell "no usable data" apart from a crash.
export class DataAcquisitionError extends Error {
  readonly exitCode = 2;
  override readonly name = "DataAcquisitionError";
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface ObtainOptions {
  from?: string;
  env?: NodeJS.ProcessEnv;
  destDir: string;
  url?: string;
  sha256?: string;
  fileName?: string;
  timeoutMs?: number;
  /** Download even when a verified copy is already in destDir (it is replaced only once the download verifies). */
  refresh?: boolean;
  log?: (line: string) => void;
}

export interface ObtainResult {
  path: string;
  source: "cache" | "file" | "download";
  sha256: string;
  bytes: number;
}

export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

interface Settings {
  destDir: string;
  dest: string;
  fileName: string;
  url: string;
  sha256: string;
  timeoutMs: number;
  log: (line: string) => void;
}

export async function obtainDataset(opts: ObtainOptions): Promise<ObtainResult> {
  const fileName = opts.fileName ?? IBM_TELCO.fileName;
  const destDir = path.resolve(opts.destDir);
  const s: Settings = {
    destDir,
    dest: path.join(destDir, fileName),
    fileName,
    url: opts.url ?? IBM_TELCO.url,
    sha256: (opts.sha256 ?? IBM_TELCO.sha256).toLowerCase(),
    timeoutMs: opts.timeoutMs ?? 60_000,
    log: opts.log ?? (() => {}),
  };
  await mkdir(destDir, { recursive: true });

  const given = pickGivenFile(opts);
  if (given) return fromGivenFile(given.file, given.origin, s);

  const cached = opts.refresh ? undefined : await statFile(s.dest);
  if (cached) {
    const actual = await sha256File(s.dest);
    if (actual === s.sha256) {
      s.log(`using cached ${s.dest} (sha256 ok)`);
      return { path: s.dest, source: "cache", sha256: actual, bytes: cached.size };
    }
    // Left in place until the download's rename replaces it, so a failed download loses nothing.
    s.log(`cached ${s.dest} is corrupt (sha256 ${actual}, expected ${s.sha256}); downloading it again`);
  }
  return download(s);
}

type Origin = "--from" | "CHURN_DATA_FILE";

function pickGivenFile(opts: ObtainOptions): { file: string; origin: Origin } | undefined {
  if (opts.from !== undefined) {
    if (opts.from.trim() === "") throw new DataAcquisitionError("--from was given an empty path.");
    return { file: opts.from, origin: "--from" };
  }
  // An exported-but-empty variable is the shell's way of saying "unset".
  const fromEnv = (opts.env ?? process.env)["CHURN_DATA_FILE"];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return { file: fromEnv, origin: "CHURN_DATA_FILE" };
  return undefined;
}

async function fromGivenFile(given: string, origin: Origin, s: Settings): Promise<ObtainResult> {
  const source = path.resolve(given);
  const info = await statFile(source);
  if (!info) {
    throw new DataAcquisitionError(
      `The data file given by ${origin} does not exist or is not a regular file: ${source}`,
    );
  }
  // Checked before anything is written so a wrong file never touches destDir.
  const actual = await sha256File(source);
  if (actual !== s.sha256) {
    throw new DataAcquisitionError(
      `The data file given by ${origin} (${source}) is not the unmodified IBM Telco churn CSV: ` +
        `sha256 mismatch, expected ${s.sha256}, actual ${actual}.`,
    );
  }
  const existing = await statFile(s.dest);
  if (existing && (source === s.dest || (await sha256File(s.dest)) === s.sha256)) {
    s.log(`${s.dest} already holds the verified file given by ${origin}; not copying`);
    return { path: s.dest, source: "file", sha256: s.sha256, bytes: existing.size };
  }
  s.log(`copying ${source} (${origin}) to ${s.dest}`);
  const written = await writeVerified(createReadStream(source), s, {
    onStreamError: (err) =>
      new DataAcquisitionError(`Copying ${source} (${origin}) to ${s.dest} failed: ${describe(err, s)}`, { cause: err }),
    // Only reachable if the file changes between hashing and copying.
    onMismatch: (got) =>
      new DataAcquisitionError(
        `The data file given by ${origin} (${source}) changed while being copied: ` +
          `sha256 mismatch, expected ${s.sha256}, actual ${got}.`,
      ),
  });
  return { path: s.dest, source: "file", ...written };
}

async function download(s: Settings): Promise<ObtainResult> {
  s.log(`downloading ${s.url}`);
  let res: Response;
  try {
    res = await fetch(s.url, { signal: AbortSignal.timeout(s.timeoutMs) });
  } catch (err) {
    throw new DataAcquisitionError(downloadFailed(s, describe(err, s)), { cause: err });
  }
  if (!res.ok || !res.body) {
    // Releases the connection instead of leaving an unread body pinned to it.
    await res.body?.cancel().catch(() => {});
    const why = res.ok ? "the response had no body" : `HTTP ${res.status}${res.statusText ? " " + res.statusText : ""}`;
    throw new DataAcquisitionError(downloadFailed(s, why));
  }
  const body = Readable.fromWeb(res.body);
  const written = await writeVerified(body, s, {
    onStreamError: (err) => new DataAcquisitionError(downloadFailed(s, describe(err, s)), { cause: err }),
    onMismatch: (got) =>
      new DataAcquisitionError(
        downloadFailed(s, `sha256 checksum mismatch: expected ${s.sha256}, got ${got}; the server did not send the unmodified IBM file`),
      ),
  });
  s.log(`downloaded ${written.bytes} bytes to ${s.dest} (sha256 ok)`);
  return { path: s.dest, source: "download", ...written };
}

// Temp file lives in destDir so the final rename stays on one filesystem and is atomic.
async function writeVerified(
  input: Readable,
  s: Settings,
  errors: { onStreamError: (err: unknown) => Error; onMismatch: (actual: string) => Error },
): Promise<{ sha256: string; bytes: number }> {
  const tmp = path.join(s.destDir, `.${s.fileName}.${process.pid}.${randomBytes(6).toString("hex")}.part`);
  const hash = createHash("sha256");
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    try {
      await pipeline(input, meter, createWriteStream(tmp, { flags: "wx" }));
    } catch (err) {
      throw errors.onStreamError(err);
    }
    const actual = hash.digest("hex");
    if (actual !== s.sha256) throw errors.onMismatch(actual);
    // Without fsync a crash after rename could leave an empty file under the final name.
    const fh = await open(tmp, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, s.dest);
    return { sha256: actual, bytes };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

function downloadFailed(s: Settings, why: string): string {
  return [
    `Downloading the churn data from ${s.url} failed: ${why}.`,
    `To use a copy of the file you already have, give its path instead:`,
    `  churn data --from PATH`,
    `  or set CHURN_DATA_FILE=PATH`,
    `The file is public at ${IBM_TELCO.url} (fetch it by hand on a machine with internet access);`,
    `its sha256 must be ${s.sha256}.`,
  ].join("\n");
}

// fetch reports every network problem as "fetch failed"; the useful part is in the cause chain.
function describe(err: unknown, s: Settings): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `no complete response within ${s.timeoutMs} ms (timed out)`;
  }
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof AggregateError && cur.errors.length > 0) {
      parts.push(cur.errors.map((e) => (e instanceof Error ? e.message : String(e))).join("; "));
      break;
    }
    const msg = cur instanceof Error ? cur.message : valueText(cur);
    if (msg && !parts.includes(msg)) parts.push(msg);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return parts.join(": ") || "unknown error";
}

async function statFile(p: string): Promise<{ size: number } | undefined> {
  try {
    const st = await stat(p);
    return st.isFile() ? { size: st.size } : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") {
      return undefined;
    }
    throw err;
  }
}

/**
 * Checks that each committed raw file is present and unmodified; the error names every file that is not.
 * A changed export would silently change every number the project reports, so it is refused, not warned about.
 */
export async function verifyRawData(dir: string): Promise<{ file: string; sha256: string; bytes: number }[]> {
  const problems: string[] = [];
  const verified: { file: string; sha256: string; bytes: number }[] = [];
  for (const expected of [TAKE_HOME_EXPORT, IBM_TELCO]) {
    const file = path.join(dir, expected.fileName);
    const info = await statFile(file);
    if (!info) {
      problems.push(`${file} is missing (restore it with \`git checkout -- ${path.join(RAW_DIR, expected.fileName)}\`)`);
      continue;
    }
    const actual = await sha256File(file);
    if (actual !== expected.sha256) problems.push(`${file} has sha256 ${actual}, expected ${expected.sha256} (the committed file was changed)`);
    else verified.push({ file, sha256: actual, bytes: info.size });
  }
  if (problems.length > 0) throw new DataAcquisitionError(`the raw data is not as committed:\n  ${problems.join("\n  ")}`);
  return verified;
}

export interface ProjectData {
  /** The export the project analyses: CHURN_EXPORT_FILE, else the committed take-home export. */
  exportFile: string;
  /** IBM's clean file (CHURN_DATA_FILE, else the committed copy): the ground truth the cleaning is checked against. */
  cleanFile: string;
}

/** Where notebooks and scripts find their inputs; a clear error naming the variable when a given file is absent. */
export function locateData(root: string, env: NodeJS.ProcessEnv = process.env): ProjectData {
  const pick = (variable: string, fileName: string): string => {
    const given = env[variable]?.trim();
    const file = given ? path.resolve(root, given) : path.join(root, RAW_DIR, fileName);
    if (!existsSync(file)) {
      throw new DataAcquisitionError(
        given
          ? `${variable} points to ${file}, which does not exist.`
          : `no data at ${file}: it is committed with the repository; restore it with \`git checkout -- ${path.join(RAW_DIR, fileName)}\`.`,
      );
    }
    return file;
  };
  return { exportFile: pick("CHURN_EXPORT_FILE", TAKE_HOME_EXPORT.fileName), cleanFile: pick("CHURN_DATA_FILE", IBM_TELCO.fileName) };
}
