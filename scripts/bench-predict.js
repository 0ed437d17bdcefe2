#!/usr/bin/env node
// Streams a large generated CSV through `predictStream` with each scoring engine in turn (the model's TypeScript
// scorer, and its exported ONNX graph in ONNX Runtime) and shows that memory stays flat; then times the engines alone
// on the cleaned customers (no CSV, no cleaning or checks), batch by batch and in one batch. --out writes the numbers.
// The input is generated on the fly by cycling the rows of the IBM file (each cycle's customer IDs get a suffix, so
// every row is a distinct customer, the worst case for the duplicate-ID set); the output goes to a counting Writable.
// Nothing is written to disk.
//
//   npm run build && node scripts/bench-predict.js [--rows 1000000] [--data CSV] [--model artifacts/model.json]
//                                                 [--reasons K] [--same-ids] [--engines js,onnx] [--out FILE]
// Run with `node --expose-gc` to measure heap used after a full collection at each mark (retained memory only).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { Readable, Writable } = require("node:stream");
const { predictStream } = require("./lib/dist").lib("serving/batch");
const { PredictionService } = require("./lib/dist").lib("serving/service");
const { createEngine, ENGINES } = require("./lib/dist").lib("serving/engine");
const { SCORE_BATCH_ROWS } = require("./lib/dist").lib("serving/batch");
const { cleanFile } = require("./lib/dist").lib("cleaning/table");

const { values: opts } = require("./lib/args").scriptArgs(
  "bench-predict",
  "node scripts/bench-predict.js [--rows N] [--data CSV] [--model FILE] [--reasons K] [--same-ids] [--engines js,onnx] [--out FILE]",
  {
    rows: { type: "integer", default: 1_000_000, min: 1 },
    data: { type: "string", default: path.join(__dirname, "..", "data", "raw", "telco-customer-churn.csv") },
    model: { type: "string", default: path.join(__dirname, "..", "artifacts", "model.json") },
    reasons: { type: "integer", default: 0, min: 0 },
    "same-ids": { type: "boolean", default: false },
    engines: { type: "string", default: ENGINES.join(",") },
    out: { type: "string", default: "" },
  },
);
const engines = opts.engines.split(",").map((e) => e.trim());
for (const e of engines) {
  if (!ENGINES.includes(e)) {
    console.error(`bench-predict: --engines: unknown engine ${JSON.stringify(e)}; known: ${ENGINES.join(", ")}`);
    process.exit(2);
  }
}
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

/** Streams the generated rows through predictStream with one engine; returns its summary and memory marks. */
async function streamWith(service, engine) {
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
  const summary = await predictStream(Readable.from(generate(), { objectMode: false }), sink, service, {
    reasons,
    label: "generated",
    engine,
  });
  if (outRows !== rows) throw new Error(`expected ${rows} output rows, got ${outRows}`);
  return { summary, marks, outRows, outBytes };
}

/** The engine alone on cleaned customers: batches of the batch scorer's size, then all in one batch (best of 3 each). */
async function scoreOnly(engine, customers) {
  const time = async (fn) => {
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t = process.hrtime.bigint();
      await fn();
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    return best;
  };
  await engine.score(customers.slice(0, SCORE_BATCH_ROWS)); // warm-up
  const batched = await time(async () => {
    for (let i = 0; i < customers.length; i += SCORE_BATCH_ROWS) await engine.score(customers.slice(i, i + SCORE_BATCH_ROWS));
  });
  const whole = await time(() => engine.score(customers));
  return {
    customers: customers.length,
    batch_rows: SCORE_BATCH_ROWS,
    batched_rows_per_s: customers.length / batched,
    one_batch_rows_per_s: customers.length / whole,
  };
}

(async () => {
  const service = PredictionService.load(model);
  const startRss = process.memoryUsage().rss;
  console.log(
    `bench-predict: ${rows} rows cycled from ${path.basename(data)} (${lines.length} customers), model ${service.version}, reasons ${reasons}, ${sameIds ? "IDs repeat every cycle" : "distinct IDs"}, engines ${engines.join(", ")}`,
  );
  console.log(`  RSS before scoring: ${mib(startRss)}`);
  const customers = cleanFile(data).customers;
  const results = [];
  for (const name of engines) {
    const engine = await createEngine(name, service);
    try {
      const rssBefore = process.memoryUsage().rss;
      const { summary, marks, outRows, outBytes } = await streamWith(service, engine);
      console.log(`  engine ${name}: ${engine.description}`);
      for (const m of marks) {
        console.log(
          `    ${String(Math.round(m.share * 100)).padStart(3)}% (${m.at} rows, ${m.seconds?.toFixed(1)} s): RSS ${mib(m.rss ?? 0)}, heap used ${mib(m.heap ?? 0)}, array buffers ${mib(m.buffers ?? 0)}`,
        );
      }
      console.log(`    output: ${outRows} rows, ${mib(outBytes)}`);
      console.log(
        `    ${Math.round(summary.rowsPerSecond)} rows/s, ${summary.elapsedSeconds.toFixed(1)} s, peak RSS ${mib(summary.peakRssBytes)} (sampled every 2048 rows)`,
      );
      console.log(`    scored ${summary.scored}, refused ${summary.refused}, warnings ${JSON.stringify(summary.warnings)}`);
      const alone = await scoreOnly(engine, customers);
      console.log(
        `    scoring alone (${alone.customers} cleaned customers): ${Math.round(alone.batched_rows_per_s)} rows/s in batches of ${alone.batch_rows}, ` +
          `${Math.round(alone.one_batch_rows_per_s)} rows/s in one batch`,
      );
      results.push({
        engine: name,
        description: engine.description,
        rows_per_s: summary.rowsPerSecond,
        seconds: summary.elapsedSeconds,
        peak_rss_mb: summary.peakRssBytes / 2 ** 20,
        rss_before_mb: rssBefore / 2 ** 20,
        scored: summary.scored,
        refused: summary.refused,
        scoring_alone: alone,
      });
    } finally {
      await engine.close();
    }
  }
  if (opts.out) {
    const os = require("node:os");
    fs.mkdirSync(path.dirname(opts.out), { recursive: true });
    const cpus = os.cpus();
    const report = {
      bench: "bench-predict",
      rows,
      data: path.basename(data),
      model: { path: model, model_version: service.version, name: service.file.name },
      reasons,
      machine: {
        cpus: cpus.length,
        cpu_model: cpus[0]?.model ?? "unknown",
        arch: process.arch,
        node: process.version,
        date: new Date().toISOString(),
      },
      engines: results,
    };
    fs.writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`  wrote ${opts.out}`);
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
