// Exercises data acquisition against the real shared CSV and a loopback-only HTTP server.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

import { DataAcquisitionError, IBM_TELCO, TAKE_HOME_EXPORT, locateData, obtainDataset, sha256File, verifyRawData } from "../../lib/data/acquire";
import { repoRoot } from "../support";

const rawDir = path.join(repoRoot, "data", "raw");
const rawFile = path.join(rawDir, "telco-customer-churn.csv");

const sha256Of = (buf: Buffer): string => createHash("sha256").update(buf).digest("hex");

const tempDirs: string[] = [];
function freshDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-data-test-"));
  tempDirs.push(dir);
  return dir;
}

interface LocalServer {
  url: string;
  requests: { method: string; url: string }[];
  close: () => Promise<void>;
}

async function serve(handler: http.RequestListener): Promise<LocalServer> {
  const requests: { method: string; url: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "" });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/data/Telco-Customer-Churn.csv`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // fetch keeps sockets alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// A port that was just bound and released on loopback: connecting to it is refused.
async function closedPortUrl(): Promise<string> {
  const s = await serve(() => {});
  await s.close();
  return s.url;
}

function sendBytes(body: Buffer): http.RequestListener {
  return (_req, res) => {
    res.writeHead(200, { "content-type": "text/csv", "content-length": body.length });
    res.end(body);
  };
}

describe("data acquisition", () => {
  let clean: Buffer;

  before(() => {
    assert.ok(fs.existsSync(rawFile), `data file missing: ${rawFile} (committed under data/raw)`);
    clean = fs.readFileSync(rawFile);
  });

  after(() => {
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("sha256File of the committed clean file matches the published IBM checksum", async () => {
    const hash = await sha256File(rawFile);
    assert.equal(hash, IBM_TELCO.sha256);
    assert.equal(hash, sha256Of(clean));
  });

  test("the committed clean file holds the expected number of customers", () => {
    const lines = clean.toString("utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
    assert.equal(lines.length - 1, IBM_TELCO.customers);
  });

  test("from: copies a verified file into a fresh, not yet existing destDir", async () => {
    const destDir = path.join(freshDir(), "data", "raw");
    const lines: string[] = [];
    const res = await obtainDataset({ from: rawFile, env: {}, destDir, log: (l) => lines.push(l) });
    assert.equal(res.source, "file");
    assert.equal(res.path, path.join(destDir, IBM_TELCO.fileName));
    assert.ok(fs.existsSync(res.path));
    assert.equal(res.sha256, IBM_TELCO.sha256);
    assert.equal(res.bytes, clean.length);
    assert.equal(sha256Of(fs.readFileSync(res.path)), IBM_TELCO.sha256);
    assert.deepEqual(fs.readdirSync(destDir), [IBM_TELCO.fileName]);
    assert.ok(lines.length > 0, "expected progress to be logged");
  });

  test("from: a dest that already holds the verified file is not rewritten", async () => {
    const destDir = freshDir();
    const first = await obtainDataset({ from: rawFile, env: {}, destDir });
    const inodeBefore = fs.statSync(first.path).ino;
    const second = await obtainDataset({ from: rawFile, env: {}, destDir });
    assert.equal(second.source, "file");
    assert.equal(fs.statSync(second.path).ino, inodeBefore);
  });

  test("CHURN_DATA_FILE in the given env works like from", async () => {
    const destDir = freshDir();
    const res = await obtainDataset({ env: { CHURN_DATA_FILE: rawFile }, destDir });
    assert.equal(res.source, "file");
    assert.equal(sha256Of(fs.readFileSync(res.path)), IBM_TELCO.sha256);
  });

  test("from takes precedence over CHURN_DATA_FILE", async () => {
    const destDir = freshDir();
    const missing = path.join(freshDir(), "not-here.csv");
    const res = await obtainDataset({ from: rawFile, env: { CHURN_DATA_FILE: missing }, destDir });
    assert.equal(res.source, "file");
  });

  test("second call without from/env uses the cache and never touches the network", async () => {
    const destDir = freshDir();
    await obtainDataset({ from: rawFile, env: {}, destDir });
    const url = await closedPortUrl();
    const res = await obtainDataset({ env: {}, destDir, url, timeoutMs: 2000 });
    assert.equal(res.source, "cache");
    assert.equal(res.sha256, IBM_TELCO.sha256);
    assert.equal(res.bytes, clean.length);
  });

  test("refresh downloads even when a verified copy is cached, and a failed refresh keeps the copy", async () => {
    const destDir = freshDir();
    await obtainDataset({ from: rawFile, env: {}, destDir });
    const server = await serve(sendBytes(clean));
    try {
      const res = await obtainDataset({ env: {}, destDir, url: server.url, refresh: true, timeoutMs: 10_000 });
      assert.equal(res.source, "download");
      assert.equal(sha256Of(fs.readFileSync(res.path)), IBM_TELCO.sha256);
    } finally {
      await server.close();
    }
    const url = await closedPortUrl();
    await assert.rejects(obtainDataset({ env: {}, destDir, url, refresh: true, timeoutMs: 2000 }), DataAcquisitionError);
    assert.equal(sha256Of(fs.readFileSync(path.join(destDir, IBM_TELCO.fileName))), IBM_TELCO.sha256);
    assert.deepEqual(fs.readdirSync(destDir), [IBM_TELCO.fileName]);
  });

  test("verifyRawData accepts the committed files and names each changed or missing one", async () => {
    const verified = await verifyRawData(path.dirname(rawFile));
    assert.deepEqual(verified.map((v) => v.sha256), [TAKE_HOME_EXPORT.sha256, IBM_TELCO.sha256]);
    const dir = freshDir();
    fs.writeFileSync(path.join(dir, TAKE_HOME_EXPORT.fileName), "customerID\n");
    await assert.rejects(verifyRawData(dir), (err: Error) => {
      assert.ok(err instanceof DataAcquisitionError);
      assert.match(err.message, new RegExp(`${TAKE_HOME_EXPORT.fileName} has sha256 [0-9a-f]{64}, expected ${TAKE_HOME_EXPORT.sha256}`));
      assert.match(err.message, new RegExp(`${IBM_TELCO.fileName} is missing`));
      return true;
    });
  });

  test("locateData defaults to the committed export and clean file, and names a missing given file", () => {
    const root = path.resolve(path.dirname(rawFile), "..", "..");
    assert.deepEqual(locateData(root, {}), { exportFile: path.join(root, "data", "raw", TAKE_HOME_EXPORT.fileName), cleanFile: rawFile });
    assert.equal(locateData(root, { CHURN_EXPORT_FILE: rawFile }).exportFile, rawFile);
    assert.throws(() => locateData(root, { CHURN_EXPORT_FILE: "nope.csv" }), /CHURN_EXPORT_FILE points to .*nope\.csv, which does not exist/);
  });

  test("downloads from an HTTP server, verifies and stores the exact bytes", async () => {
    const server = await serve(sendBytes(clean));
    try {
      const destDir = path.join(freshDir(), "nested", "raw");
      const res = await obtainDataset({ env: {}, destDir, url: server.url, timeoutMs: 10_000 });
      assert.equal(res.source, "download");
      assert.equal(res.bytes, clean.length);
      assert.equal(res.sha256, IBM_TELCO.sha256);
      assert.ok(fs.readFileSync(res.path).equals(clean));
      assert.deepEqual(fs.readdirSync(destDir), [IBM_TELCO.fileName]);
      assert.deepEqual(server.requests, [{ method: "GET", url: new URL(server.url).pathname }]);
    } finally {
      await server.close();
    }
  });

  test("a download with wrong bytes is rejected and leaves no file behind", async () => {
    const tampered = Buffer.from(clean);
    tampered[tampered.length - 10] = tampered[tampered.length - 10] === 0x41 ? 0x42 : 0x41;
    const server = await serve(sendBytes(tampered));
    try {
      const destDir = freshDir();
      await assert.rejects(obtainDataset({ env: {}, destDir, url: server.url, timeoutMs: 10_000 }), (err: unknown) => {
        assert.ok(err instanceof DataAcquisitionError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /checksum mismatch/i);
        assert.ok(err.message.includes(IBM_TELCO.sha256), "message should show the expected hash");
        assert.ok(err.message.includes(sha256Of(tampered)), "message should show the actual hash");
        return true;
      });
      assert.deepEqual(fs.readdirSync(destDir), []);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });

  test("an HTTP 404 is reported with its status and URL", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Not Found");
    });
    try {
      const destDir = freshDir();
      await assert.rejects(obtainDataset({ env: {}, destDir, url: server.url, timeoutMs: 10_000 }), (err: unknown) => {
        assert.ok(err instanceof DataAcquisitionError);
        assert.match(err.message, /\b404\b/);
        assert.ok(err.message.includes(server.url));
        return true;
      });
      assert.deepEqual(fs.readdirSync(destDir), []);
    } finally {
      await server.close();
    }
  });

  test("an unreachable server yields a DataAcquisitionError explaining how to supply the file", async () => {
    const url = await closedPortUrl();
    const destDir = freshDir();
    await assert.rejects(obtainDataset({ env: {}, destDir, url, timeoutMs: 5000 }), (err: unknown) => {
      assert.ok(err instanceof DataAcquisitionError);
      assert.equal(err.exitCode, 2);
      assert.match(err.message, /download/i);
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(err.message.includes("--from"));
      assert.ok(err.message.includes("CHURN_DATA_FILE"));
      assert.ok(err.message.includes(url), "message should name the URL that was tried");
      assert.ok(err.message.includes(IBM_TELCO.url), "message should give the public URL for a manual fetch");
      assert.ok(err.message.includes(IBM_TELCO.sha256));
      return true;
    });
    assert.deepEqual(fs.readdirSync(destDir), []);
  });

  test("a server that never answers hits the timeout and leaves no file", async () => {
    const server = await serve(() => {
      // Deliberately never respond.
    });
    try {
      const destDir = freshDir();
      const started = Date.now();
      await assert.rejects(obtainDataset({ env: {}, destDir, url: server.url, timeoutMs: 300 }), (err: unknown) => {
        assert.ok(err instanceof DataAcquisitionError);
        assert.match(err.message, /timed out/);
        assert.ok(err.message.includes("--from"));
        return true;
      });
      assert.ok(Date.now() - started < 5000, "timeout was not honoured");
      assert.deepEqual(fs.readdirSync(destDir), []);
    } finally {
      await server.close();
    }
  });

  test("a connection dropped mid-body fails cleanly and leaves no partial file", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/csv", "content-length": clean.length });
      res.write(clean.subarray(0, Math.floor(clean.length / 3)));
      setTimeout(() => res.destroy(), 20);
    });
    try {
      const destDir = freshDir();
      await assert.rejects(obtainDataset({ env: {}, destDir, url: server.url, timeoutMs: 10_000 }), (err: unknown) => {
        assert.ok(err instanceof DataAcquisitionError);
        assert.match(err.message, /download/i);
        assert.ok(err.message.includes("--from"));
        return true;
      });
      assert.deepEqual(fs.readdirSync(destDir), []);
    } finally {
      await server.close();
    }
  });

  test("a corrupted cached file is replaced by a fresh download", async () => {
    const server = await serve(sendBytes(clean));
    try {
      const destDir = freshDir();
      const dest = path.join(destDir, IBM_TELCO.fileName);
      fs.writeFileSync(dest, clean.subarray(0, 1000));
      const lines: string[] = [];
      const res = await obtainDataset({ env: {}, destDir, url: server.url, timeoutMs: 10_000, log: (l) => lines.push(l) });
      assert.equal(res.source, "download");
      assert.ok(fs.readFileSync(dest).equals(clean));
      assert.ok(lines.some((l) => /corrupt/i.test(l)), `expected a corruption log line, got ${JSON.stringify(lines)}`);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(fs.readdirSync(destDir), [IBM_TELCO.fileName]);
    } finally {
      await server.close();
    }
  });

  test("from pointing at a missing file names the path and its origin", async () => {
    const destDir = freshDir();
    const missing = path.join(freshDir(), "no-such-file.csv");
    await assert.rejects(obtainDataset({ from: missing, env: {}, destDir }), (err: unknown) => {
      assert.ok(err instanceof DataAcquisitionError);
      assert.ok(err.message.includes(missing));
      assert.ok(err.message.includes("--from"));
      return true;
    });
    await assert.rejects(obtainDataset({ env: { CHURN_DATA_FILE: missing }, destDir }), (err: unknown) => {
      assert.ok(err instanceof DataAcquisitionError);
      assert.ok(err.message.includes(missing));
      assert.ok(err.message.includes("CHURN_DATA_FILE"));
      return true;
    });
    assert.deepEqual(fs.readdirSync(destDir), []);
  });

  test("from pointing at a modified file is refused with both hashes and nothing is copied", async () => {
    const dir = freshDir();
    const modified = path.join(dir, "modified.csv");
    const bytes = Buffer.concat([clean, Buffer.from("extra,row\n")]);
    fs.writeFileSync(modified, bytes);
    const destDir = path.join(dir, "raw");
    await assert.rejects(obtainDataset({ from: modified, env: {}, destDir }), (err: unknown) => {
      assert.ok(err instanceof DataAcquisitionError);
      assert.ok(err.message.includes(IBM_TELCO.sha256));
      assert.ok(err.message.includes(sha256Of(bytes)));
      assert.match(err.message, /not the unmodified IBM/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(destDir), []);
  });
});
