// `churn serve --workers 2` on loopback: /metrics answers the whole cluster's counts on every scrape, whichever worker
// takes it, so Prometheus never sees a counter go back.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as http from "node:http";
import * as path from "node:path";
import { fixture } from "../fixtures";
import { exampleCustomer, freePort, memo, repoRoot } from "../support";

const trained = memo(async () => path.join(await fixture("telco"), "model.json"));

const CUSTOMER = JSON.stringify(exampleCustomer());

/** One request on a fresh connection (so the kernel spreads them over the workers). */
function send(port: number, method: string, urlPath: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: urlPath, agent: false, headers: body ? { "content-type": "application/json" } : {} },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The value of one sample line of an exposition, or null. */
function sample(exposition: string, name: string, labels: string): number | null {
  const line = exposition
    .split("\n")
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && labels.split(",").every((kv) => l.includes(kv)));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : null;
}

describe("churn serve --workers 2", () => {
  test("every scrape of /metrics counts every request once, summed over the workers", async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        path.join(repoRoot, "bin", "churn.js"),
        "serve",
        "--model",
        await trained(),
        "--port",
        String(port),
        "--workers",
        "2",
        "--log-level",
        "warn",
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const readyBy = Date.now() + 20_000;
      // Both workers must be up before the count starts, or the test would not tell summing from one worker's view.
      for (;;) {
        assert.equal(child.exitCode, null, `serve exited early: ${stderr}`);
        assert.ok(Date.now() < readyBy, `two workers not ready after 20 s: ${stderr}`);
        const r = await send(port, "GET", "/metrics").catch(() => null);
        if (r?.status === 200 && sample(r.text, "churn_server_processes", "") === 2) break;
        await sleep(100);
      }
      for (let i = 0; i < 20; i++) assert.equal((await send(port, "POST", "/predict", CUSTOMER)).status, 200);
      const counts: (number | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const scrape = await send(port, "GET", "/metrics");
        assert.equal(scrape.status, 200);
        counts.push(sample(scrape.text, "churn_http_requests_total", 'route="/predict",method="POST",status="200"'));
        assert.equal(sample(scrape.text, "churn_model_info", "model_version"), 1, "the model's info gauge is one worker's, not the sum");
      }
      assert.deepEqual(counts, [20, 20, 20]);
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
    }
  });
});
