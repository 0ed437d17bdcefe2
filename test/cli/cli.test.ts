// The `churn` CLI end to end: spawns bin/churn.js as a user would and checks exit codes, messages and written files.
import { describe, test, after } from "node:test";
import assert from "node:assert/strict";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "csv-parse/sync";

import type { QualityReport } from "../../lib/cleaning";
import { IBM_TELCO, TAKE_HOME_EXPORT } from "../../lib/data/acquire";
import { canonicalCustomerId } from "../../lib/core/values";
import { repoRoot } from "../support";
import { fixture } from "../fixtures";

const bin = path.join(repoRoot, "bin", "churn.js");
const rawDir = path.join(repoRoot, "data", "raw");
const cleanIbmFile = path.join(rawDir, "telco-customer-churn.csv");
const messyExport = path.join(rawDir, "customer_churn_data.csv");

const tempDirs: string[] = [];
function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-cli-test-"));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The child's environment: ours without the variables that would silently change what the CLI reads. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env["CHURN_DATA_FILE"];
  delete env["CHURN_EXPORT_FILE"];
  delete env["NODE_OPTIONS"];
  delete env["NODE_TEST_CONTEXT"];
  return env;
}

function churn(...args: string[]): SpawnSyncReturns<string> {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: childEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return result;
}

/** Context for a failed assertion: what the child said. */
const said = (r: SpawnSyncReturns<string>): string =>
  `exit ${String(r.status)} signal ${String(r.signal)}\n--- stdout\n${r.stdout.slice(0, 2000)}\n--- stderr\n${r.stderr.slice(0, 2000)}`;

const sha256Of = (file: string): string => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** A loopback port that was just bound and released: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const COMMANDS: Record<string, readonly string[]> = {
  data: ["--from", "--dest", "--url", "--sha256", "--timeout"],
  clean: ["--data", "--out", "--json"],
};

describe("help", () => {
  test("churn --help exits 0 and lists every command", () => {
    const r = churn("--help");
    assert.equal(r.status, 0, said(r));
    assert.match(r.stdout, /Usage: churn/);
    for (const cmd of Object.keys(COMMANDS)) assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`), `${cmd} missing\n${said(r)}`);
    assert.match(r.stdout, /--help/);
  });

  for (const [cmd, options] of Object.entries(COMMANDS)) {
    test(`churn ${cmd} --help exits 0 and mentions its options`, () => {
      const r = churn(cmd, "--help");
      assert.equal(r.status, 0, said(r));
      assert.match(r.stdout, new RegExp(`Usage: churn ${cmd}`));
      for (const opt of [...options, "--help"]) assert.ok(r.stdout.includes(opt), `${cmd} --help lacks ${opt}\n${said(r)}`);
    });
  }
});

describe("churn clean", () => {
  test("a file that is not a churn table exits 2 with 'not a churn table' and writes nothing", () => {
    const dir = freshDir();
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ customers: [{ id: 1, churn: true }], note: "not a CSV" }, null, 2));
    const out = path.join(dir, "out");
    const r = churn("clean", "--data", bad, "--out", out);
    assert.equal(r.status, 2, said(r));
    assert.match(r.stderr, /not a churn table/, said(r));
    assert.ok(r.stderr.includes(bad), `stderr names the file\n${said(r)}`);
    assert.ok(!fs.existsSync(path.join(out, "cleaned.csv")), "no cleaned.csv written");
  });

  test("a missing file exits 2 and names the path", () => {
    const dir = freshDir();
    const missing = path.join(dir, "no-such-export.csv");
    const r = churn("clean", "--data", missing, "--out", path.join(dir, "out"));
    assert.equal(r.status, 2, said(r));
    assert.ok(r.stderr.includes(missing), said(r));
    assert.match(r.stderr, /no such file/, said(r));
  });

  test("the committed messy export cleans to one row per canonical customer ID", () => {
    const out = freshDir();
    const r = churn("clean", "--data", messyExport, "--out", out);
    assert.equal(r.status, 0, said(r));
    assert.match(r.stdout, /customers/, said(r));

    const cleanedPath = path.join(out, "cleaned.csv");
    const reportPath = path.join(out, "quality-report.json");
    assert.ok(fs.existsSync(cleanedPath), "cleaned.csv written");
    assert.ok(fs.existsSync(reportPath), "quality-report.json written");
    assert.ok(r.stdout.includes(cleanedPath) && r.stdout.includes(reportPath), `summary names the outputs\n${said(r)}`);

    const report = JSON.parse(fs.readFileSync(reportPath, "utf8")) as QualityReport;
    const cleaned = parse<Record<string, string>>(fs.readFileSync(cleanedPath, "utf8"), { columns: true });
    const cleanedIds = cleaned.map((row) => row["customerID"]);
    assert.equal(new Set(cleanedIds).size, cleanedIds.length, "customer IDs in cleaned.csv are distinct");
    assert.equal(report.rows.output, cleaned.length, "rows.output = cleaned.csv data lines");
    assert.equal(report.customers.total, cleaned.length);

    // Independently: the distinct canonical IDs of the export's rows that were not set aside.
    const records = parse(fs.readFileSync(messyExport), { relax_column_count: true, relax_quotes: true });
    const header = records[0] ?? [];
    const idCol = header.findIndex((h) => h.trim().toLowerCase() === "customerid");
    assert.ok(idCol >= 0, "the export has a customerID header");
    const setAsideLines = new Set(report.setAside.map((s) => s.line));
    const ids = new Set<string>();
    records.slice(1).forEach((fields, i) => {
      if (setAsideLines.has(i + 2)) return;
      const id = canonicalCustomerId(fields[idCol] ?? "");
      if (id !== null) ids.add(id);
    });
    assert.equal(report.rows.output, ids.size, "rows.output = distinct canonical IDs of the export");
    assert.deepEqual(new Set(cleanedIds), ids);
    // The export really is messy: copies were merged, so fewer customers than data lines.
    assert.ok(report.rows.output < report.rows.input, `output ${report.rows.output} < input ${report.rows.input}`);
  });

  test("--json prints the quality report as JSON", () => {
    const out = freshDir();
    const r = churn("clean", "--data", cleanIbmFile, "--out", out, "--json");
    assert.equal(r.status, 0, said(r));
    const report = JSON.parse(r.stdout) as QualityReport;
    assert.equal(report.rows.output, IBM_TELCO.customers);
    assert.equal(report.source.sha256, IBM_TELCO.sha256);
  });
});

describe("churn data", () => {
  test("without options verifies both committed raw files by sha256", () => {
    const r = churn("data");
    assert.equal(r.status, 0, said(r));
    assert.match(r.stdout, new RegExp(`customer_churn_data\\.csv verified .*sha256 ${TAKE_HOME_EXPORT.sha256.slice(0, 12)}`), said(r));
    assert.match(r.stdout, new RegExp(`telco-customer-churn\\.csv verified .*sha256 ${IBM_TELCO.sha256.slice(0, 12)}`), said(r));
  });

  test("a changed or missing raw file exits 2 naming it and the expected checksum", () => {
    const dest = freshDir();
    fs.writeFileSync(path.join(dest, TAKE_HOME_EXPORT.fileName), fs.readFileSync(messyExport).subarray(0, 5000));
    const r = churn("data", "--dest", dest);
    assert.equal(r.status, 2, said(r));
    assert.ok(r.stderr.includes(path.join(dest, TAKE_HOME_EXPORT.fileName)), said(r));
    assert.ok(r.stderr.includes(TAKE_HOME_EXPORT.sha256), said(r));
    assert.ok(r.stderr.includes(`${path.join(dest, IBM_TELCO.fileName)} is missing`), said(r));
  });

  test("--from the committed clean file copies the verified file into --dest, then verifies both", () => {
    const dest = freshDir();
    fs.copyFileSync(messyExport, path.join(dest, TAKE_HOME_EXPORT.fileName));
    const r = churn("data", "--from", cleanIbmFile, "--dest", dest);
    assert.equal(r.status, 0, said(r));
    const written = path.join(dest, IBM_TELCO.fileName);
    assert.ok(fs.existsSync(written), `${written} exists`);
    assert.equal(sha256Of(written), IBM_TELCO.sha256);
    assert.match(r.stdout, /data: /, said(r));
  });

  test("--from a wrong file exits 2 mentioning the checksum and writes nothing", () => {
    const dir = freshDir();
    const wrong = path.join(dir, "wrong.csv");
    fs.writeFileSync(wrong, "customerID,Churn\n0001-AAAAA,No\n");
    const dest = path.join(dir, "dest");
    const r = churn("data", "--from", wrong, "--dest", dest);
    assert.equal(r.status, 2, said(r));
    assert.match(r.stderr, /sha256|checksum/i, said(r));
    assert.ok(r.stderr.includes(wrong), `stderr names the file\n${said(r)}`);
    assert.ok(!fs.existsSync(path.join(dest, IBM_TELCO.fileName)), "nothing written to --dest");
  });

  test("a failed --refresh download exits 2, points to --from and CHURN_DATA_FILE, and keeps nothing partial", async () => {
    const dest = freshDir();
    const url = `http://127.0.0.1:${await closedPort()}/x`;
    const r = churn("data", "--refresh", "--dest", dest, "--url", url, "--timeout", "5");
    assert.equal(r.status, 2, said(r));
    assert.ok(r.stderr.includes("--from"), said(r));
    assert.ok(r.stderr.includes("CHURN_DATA_FILE"), said(r));
    assert.ok(r.stderr.includes(url), `stderr names the URL\n${said(r)}`);
    assert.deepEqual(fs.readdirSync(dest), [], "no partial file left in --dest");
  });
});

describe("churn export and churn train --families, through the binary", () => {
  test("export writes the graph, checks it on the export and writes the parity report; predict --engine onnx reads it", async () => {
    const dir = freshDir();
    const model = path.join(await fixture("export-xgboost"), "model.json");
    const onnxFile = path.join(dir, "model.onnx");
    const parityFile = path.join(dir, "parity.json");
    const r = churn("export", "--model", model, "--format", "onnx", "--out", onnxFile, "--check", messyExport, "--parity", parityFile);
    assert.equal(r.status, 0, said(r));
    assert.match(
      r.stdout,
      /^export: xgboost@[0-9a-f]{12} \(xgboost\) -> .*model\.onnx: \d+ KiB, \d+ nodes, opset 17 \+ ai\.onnx\.ml 3/m,
      said(r),
    );
    assert.match(r.stdout, /parity on 7043 customers: largest \|difference\| .*: ok$/m, said(r));
    const parity = JSON.parse(fs.readFileSync(parityFile, "utf8")) as { ok: boolean; customers: number; maxAbsDiff: number };
    assert.equal(parity.ok, true);
    assert.equal(parity.customers, 7043);
    assert.ok(parity.maxAbsDiff <= 1e-5);
    const out = path.join(dir, "scores.csv");
    const p = churn("predict", "--model", model, "--data", messyExport, "--out", out, "--engine", "onnx", "--onnx", onnxFile);
    assert.equal(p.status, 0, said(p));
    assert.match(p.stdout, /^predict \(onnx engine\): 7148 rows read/m, said(p));
  });

  test("usage errors exit 2 and name the problem: --format, --families, --onnx without --engine onnx, --parity without --check", async () => {
    const model = path.join(await fixture("export-xgboost"), "model.json");
    const dir = freshDir();
    const bad = [
      { args: ["export", "--model", model, "--format", "pmml", "--out", path.join(dir, "m")], says: /argument 'pmml' is invalid/ },
      {
        args: ["export", "--model", model, "--format", "onnx", "--out", path.join(dir, "m"), "--parity", "p.json"],
        says: /--parity needs --check/,
      },
      { args: ["train", "--families", "xgboost,svm", "--out", dir], says: /unknown family "svm"/ },
      { args: ["train", "--families", "xgboost,ensemble", "--out", dir], says: /an ensemble needs at least two member families/ },
      { args: ["train", "--empc", "clv=abc", "--out", dir], says: /--empc: EMPC parameter clv must be a number/ },
      {
        args: ["evaluate", "--model", model, "--empc", "incentive=500"],
        says: /--empc: EMPC: the incentive \(500\) must be below the CLV \(200\)/,
      },
      {
        args: ["predict", "--model", model, "--data", messyExport, "--out", path.join(dir, "s.csv"), "--onnx", path.join(dir, "m.onnx")],
        says: /--onnx is read by the onnx engine only/,
      },
    ];
    for (const { args, says } of bad) {
      const r = churn(...args);
      assert.equal(r.status, 2, said(r));
      assert.match(r.stderr, says, said(r));
    }
    assert.ok(!fs.existsSync(path.join(dir, "model.json")), "train refused before writing anything");
  });
});
