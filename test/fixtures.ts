// Trained artifacts shared by the test files: each built once per version of the code and data, and cached under
// .cache/test-fixtures/ (git-ignored), so a test run trains each fixture at most once however many files use it.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStudy } from "../lib/training/study";
import { train } from "../lib/training/train";
import { parseFamilies } from "../lib/training/families";
import { rawFile, repoRoot } from "./support";

interface FixtureSpec {
  data: string;
  seed: number;
  workers: number;
  study: boolean;
  /** `churn train --families` (default: every family and their vote). */
  families?: string;
}

/**
 * `telco`: a quick model of IBM's clean file (serving, batch, drift and load tests compare with its raw records).
 * `export`: a quick model of the take-home export with its study, as `npm start` makes them but in quick mode; the
 * `churn train` return value is kept beside the files (train-result.json) for the tests of what train returns.
 */
const FIXTURES = {
  telco: { data: "telco-customer-churn.csv", seed: 11, workers: 1, study: false },
  export: { data: "customer_churn_data.csv", seed: 42, workers: 2, study: true },
  // One quick model of the export per family the ONNX export takes, and their soft vote (test/export).
  "export-logistic_regression": { data: "customer_churn_data.csv", seed: 42, workers: 2, study: false, families: "logistic_regression" },
  "export-random_forest": { data: "customer_churn_data.csv", seed: 42, workers: 2, study: false, families: "random_forest" },
  "export-xgboost": { data: "customer_churn_data.csv", seed: 42, workers: 2, study: false, families: "xgboost" },
  "export-ensemble": {
    data: "customer_churn_data.csv",
    seed: 42,
    workers: 2,
    study: false,
    families: "logistic_regression,random_forest,xgboost,ensemble",
  },
} satisfies Record<string, FixtureSpec>;

export type FixtureName = keyof typeof FIXTURES;

export function fixtureSpec(name: FixtureName): FixtureSpec & { dataFile: string } {
  const spec: FixtureSpec = FIXTURES[name];
  return { ...spec, dataFile: rawFile(spec.data) };
}

const cacheRoot = path.join(repoRoot, ".cache", "test-fixtures");

/** Every compiled library file and the lockfile: a change to either makes every fixture stale. */
const codeHash = ((): (() => string) => {
  let value: string | undefined;
  return () => {
    if (value !== undefined) return value;
    const hash = createHash("sha256");
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith(".js")) hash.update(path.relative(repoRoot, full)).update("\0").update(fs.readFileSync(full));
      }
    };
    walk(path.join(repoRoot, "dist", "lib"));
    hash.update(fs.readFileSync(path.join(repoRoot, "package-lock.json")));
    return (value = hash.digest("hex"));
  };
})();

function fixtureKey(name: FixtureName): string {
  const spec = fixtureSpec(name);
  return createHash("sha256")
    .update(JSON.stringify({ ...spec, dataFile: undefined }))
    .update(fs.readFileSync(spec.dataFile))
    .update(codeHash())
    .digest("hex")
    .slice(0, 16);
}

async function build(name: FixtureName, out: string): Promise<void> {
  const spec = fixtureSpec(name);
  const result = await train({
    data: spec.dataFile,
    out,
    seed: spec.seed,
    quick: true,
    workers: spec.workers,
    ...(spec.families === undefined ? {} : { families: parseFamilies(spec.families) }),
  });
  fs.writeFileSync(path.join(out, "train-result.json"), JSON.stringify(result));
  if (spec.study) await runStudy({ dir: out, data: spec.dataFile, quick: true, workers: spec.workers });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function lockAbandoned(lock: string): boolean {
  try {
    const owner = Number(fs.readFileSync(path.join(lock, "pid"), "utf8"));
    return !(owner > 0 && alive(owner));
  } catch {
    // No pid yet: abandoned only if the lock is older than any build takes.
    try {
      return Date.now() - fs.statSync(lock).mtimeMs > 10 * 60_000;
    } catch {
      return false;
    }
  }
}

const ready = new Map<FixtureName, Promise<string>>();

/**
 * The folder of a trained fixture; treat it as read-only (use `fixtureCopy` to change files). Test files run in
 * parallel processes: the first to need a fixture builds it under a lock directory, the others wait for it.
 */
export function fixture(name: FixtureName): Promise<string> {
  let p = ready.get(name);
  if (!p) ready.set(name, (p = ensure(name)));
  return p;
}

async function ensure(name: FixtureName): Promise<string> {
  const dir = path.join(cacheRoot, `${name}-${fixtureKey(name)}`);
  const lock = `${dir}.lock`;
  fs.mkdirSync(cacheRoot, { recursive: true });
  for (;;) {
    if (fs.existsSync(path.join(dir, "done"))) return dir;
    try {
      fs.mkdirSync(lock);
    } catch {
      // Another process is building it; take over only if that process died (or never said who it was).
      if (lockAbandoned(lock)) fs.rmSync(lock, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    const tmp = fs.mkdtempSync(path.join(cacheRoot, `.${name}-`));
    try {
      fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
      await build(name, tmp);
      fs.writeFileSync(path.join(tmp, "done"), new Date().toISOString());
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(tmp, dir);
      // Older versions of this fixture are stale for good.
      // Exactly `<name>-<key>`: fixture names may share a prefix ("export", "export-xgboost").
      const version = new RegExp(`^${name}-[0-9a-f]{16}$`);
      for (const old of fs.readdirSync(cacheRoot)) {
        if (version.test(old) && path.join(cacheRoot, old) !== dir) fs.rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
      }
      return dir;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

const copies: string[] = [];
process.on("exit", () => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

/** A private copy of a fixture in a temp folder, for tests that change or add artifacts; removed at exit. */
export async function fixtureCopy(name: FixtureName): Promise<string> {
  const source = await fixture(name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `churn-${name}-`));
  fs.cpSync(source, dir, { recursive: true });
  copies.push(dir);
  return dir;
}
