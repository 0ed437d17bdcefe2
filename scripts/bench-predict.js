#!/usr/bin/env node
// Streams a large generated CSV through `predictStream` and shows that memory stays flat.
// The input is generated on the fly by cycling the rows of the IBM file (each cycle's customer IDs get a suffix, so
// every row is a distinct customer, the worst case for the duplicate-ID set); the output goes to a counting Writable.
// Nothing is written to disk.
//
//   npm run build && node scripts/bench-predict.js [--rows 1000000] [--data CSV] [--model artifacts/model.json]
//                                                 [--reasons K] [--same-ids]
// Run with `node --expose-gc` to measure heap used after a full collection at each mark (retained memory only).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { Readable, Writable } = require("node:stream");
const { predictStream } = require("./lib/dist").lib("serving/batch");
const { PredictionService } = require("./lib/dist").lib("serving/service");

const { values: opts } = require("./lib/args").scriptArgs(
  "bench-predict",
  "node scripts/bench-predict.js [--rows N] [--data CSV] [--model FILE] [--reasons K] [--same-ids]",
  {
    rows: { type: "integer", default: 1_000_000, min: 1 },
    data: { type: "string", default: path.join(__dirname, "..", "data", "raw", "telco-customer-churn.csv") },
    model: { type: "string", default: path.join(__dirname, "..", "artifacts", "model.json") },
    reasons: { type: "integer", default: 0, min: 0 },
    "same-ids": { type: "boolean", default: false },
  },
);
const { rows, data, model, reasons } = opts;
const sameIds = opts["same-ids"];

const lines = fs
  .readFileSync(data, "utf8")
  .split(/\r?\n/)
  .filter((l) => l.trim() !== "");
const header = lines.shift();
const idIndex = header.split(",").findIndex((h) => h.trim().toLowerCase() === "customerid");

/** Yields `rows` data lines in chunks of ~64 KiB, on demand (Readable.from pulls only as fast as scoring consumes). */
function* generate() {
  yield `${header}\n`;
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const cycle = Math.floor(i / lines.length);
    let line = lines[i % lines.length];
    if (!sameIds && cycle > 0 && idIndex === 0) {
      const comma = line.indexOf(",");
      line = `${line.slice(0, comma)}-${cycle}${line.slice(comma)}`;
    }
    chunk += `${line}\n`;
    if (chunk.length >= 65536) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const marks = [0.1, 0.5, 1].map((share) => ({
  share,
  at: Math.max(1, Math.round(rows * share)),
  rss: null,
  heap: null,
  buffers: null,
  seconds: null,
}));
let outRows = -1; // the header line is not a row
let outBytes = 0;
let pending = "";
const t0 = process.hrtime.bigint();
const sink = new Writable({
  write(chunk, _enc, done) {
    outBytes += chunk.length;
    const text = pending + chunk.toString("utf8");
    const cut = text.lastIndexOf("\n");
    pending = text.slice(cut + 1);
    for (let i = text.indexOf("\n"); i >= 0 && i <= cut; i = text.indexOf("\n", i + 1)) {
      outRows++;
      for (const m of marks) {
        if (m.rss === null && outRows === m.at) {
          // With node --expose-gc, heap used is measured after a full collection: what is really retained.
          if (typeof global.gc === "function") global.gc();
          const mem = process.memoryUsage();
          m.rss = mem.rss;
          m.heap = mem.heapUsed;
          m.buffers = mem.arrayBuffers;
          m.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        }
      }
    }
    done();
  },
});

(async () => {
  const service = PredictionService.load(model);
  const startRss = process.memoryUsage().rss;
  console.log(
    `bench-predict: ${rows} rows cycled from ${path.basename(data)} (${lines.length} customers), model ${service.version}, reasons ${reasons}, ${sameIds ? "IDs repeat every cycle" : "distinct IDs"}`,
  );
  console.log(`  RSS before scoring: ${mib(startRss)}`);
  const summary = await predictStream(Readable.from(generate(), { objectMode: false }), sink, service, { reasons, label: "generated" });
  for (const m of marks) {
    console.log(
      `  ${String(Math.round(m.share * 100)).padStart(3)}% (${m.at} rows, ${m.seconds?.toFixed(1)} s): RSS ${mib(m.rss ?? 0)}, heap used ${mib(m.heap ?? 0)}, array buffers ${mib(m.buffers ?? 0)}`,
    );
  }
  console.log(`  output: ${outRows} rows, ${mib(outBytes)}`);
  console.log(
    `  ${Math.round(summary.rowsPerSecond)} rows/s, ${summary.elapsedSeconds.toFixed(1)} s, peak RSS ${mib(summary.peakRssBytes)} (sampled every 2048 rows)`,
  );
  console.log(`  scored ${summary.scored}, refused ${summary.refused}, warnings ${JSON.stringify(summary.warnings)}`);
  if (outRows !== rows) throw new Error(`expected ${rows} output rows, got ${outRows}`);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
