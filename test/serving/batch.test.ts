// Checks `churn predict`'s streaming batch scorer: one output row per input row, the API's probabilities, the file
// cleaner's robustness (messy export, BOM, CRLF, semicolons, preamble), refused rows kept, constant memory.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable, Writable } from "node:stream";
import { Command } from "commander";
import { parse } from "csv-parse/sync";
import { BATCH_COLUMNS, type BatchSummary, formatReasons, predictFile, predictStream } from "../../lib/serving/batch";
import { registerMonitor } from "../../lib/cli/monitor";
import { ChurnTableError, cleanFile } from "../../lib/cleaning";
import { PredictionService } from "../../lib/serving/service";
import { fixture } from "../fixtures";
import { memo, rawFile, reasonProblems } from "../support";

const trained = memo(async () => path.join(await fixture("telco"), "model.json"));
const service = memo(async () => PredictionService.load(await trained()));

type OutRow = Record<(typeof BATCH_COLUMNS)[number], string>;

/** Collects everything written, as text. */
class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
  rows(): OutRow[] {
    return parse<OutRow>(this.text, { columns: true });
  }
}

async function score(input: string | Buffer, reasons = 0): Promise<{ rows: OutRow[]; summary: BatchSummary }> {
  const sink = new Collect();
  const summary = await predictStream(Readable.from([Buffer.from(input)]), sink, await service(), { reasons });
  return { rows: sink.rows(), summary };
}

const ibmText = memo(() => fs.readFileSync(rawFile("telco-customer-churn.csv"), "utf8"));
const ibmRecords = memo(() => parse(ibmText(), { relax_column_count: true }));
const toRecord = (header: readonly string[], cells: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));

describe("churn predict (streaming batch scoring)", () => {
  test("every row of the IBM file is written once, in order, with the API's probability, decision and reasons", async () => {
    const svc = await service();
    const [header = [], ...data] = ibmRecords();
    const { rows, summary } = await score(ibmText(), 2);
    assert.deepEqual(Object.keys(rows[0] ?? {}), [...BATCH_COLUMNS]);
    assert.equal(rows.length, data.length);
    assert.equal(summary.rowsRead, data.length);
    assert.equal(summary.scored + summary.refused, data.length);
    rows.forEach((row, i) => {
      assert.equal(row.row, String(i + 1));
      const outcome = svc.predict(toRecord(header, data[i] ?? []), { reasons: 2 });
      if (!outcome.ok) {
        assert.equal(row.churn_probability, "");
        assert.notEqual(row.error, "");
        return;
      }
      const p = outcome.prediction;
      assert.equal(row.customerID, p.customerID);
      assert.equal(row.churn_probability, p.churn_probability.toFixed(6));
      assert.equal(row.churn, p.churn ? "Yes" : "No");
      assert.equal(row.risk_band, p.risk_band);
      assert.equal(row.reasons, formatReasons(p));
      // "field=value (+0.12); ...": raw fields, each once, as the API's reasons.
      const listed = row.reasons.split("; ").map((text) => ({
        field: text.slice(0, text.indexOf("=")),
        contribution: Number(/\(([^()]+)\)$/.exec(text)?.[1]),
      }));
      assert.ok(listed.length === 2 && listed.every((r) => Number.isFinite(r.contribution)), row.reasons);
      assert.deepEqual(reasonProblems(listed), [], row.reasons);
      assert.equal(row.warnings, p.warnings.map((w) => (w.field ? `${w.code}:${w.field}` : w.code)).join(";"));
      assert.equal(row.error, "");
    });
    assert.equal(summary.duplicateIds, 0);
    assert.equal(summary.headerLine, 1);
    assert.equal(summary.delimiter, ",");
  });

  test("the messy export scores every customer as cleaning the file then scoring does (customers without copies)", async () => {
    const svc = await service();
    const data = rawFile("customer_churn_data.csv");
    const { rows, summary } = await score(fs.readFileSync(data));
    assert.equal(summary.rowsRead, rows.length + summary.blank);
    const copies = new Map<string, number>();
    for (const r of rows) copies.set(r.customerID, (copies.get(r.customerID) ?? 0) + 1);
    const cleaned = new Map(cleanFile(data).customers.map((c) => [c.customerID, c]));
    let compared = 0;
    for (const r of rows) {
      if (copies.get(r.customerID) !== 1 || r.error !== "") continue;
      const customer = cleaned.get(r.customerID);
      assert.ok(customer, `${r.customerID} is in the cleaned table`);
      assert.equal(r.churn_probability, svc.scorer.scoreOne(customer).toFixed(6), r.customerID);
      compared++;
    }
    assert.ok(compared > 6500, `compared ${compared} customers`);
    // Repeated IDs are scored row by row and flagged, never merged.
    const flagged = rows.filter((r) => r.warnings.split(";").includes("duplicate_id:customerID"));
    assert.equal(flagged.length, summary.duplicateIds);
    assert.equal(summary.warnings["duplicate_id"], summary.duplicateIds);
    assert.ok(summary.duplicateIds > 0);
    assert.equal(flagged.length, rows.length - copies.size);
  });

  test("bad rows are written with their error and counted; nothing is dropped", async () => {
    const [header = [], a = [], b = [], c = []] = ibmRecords();
    const col = (name: string): number => header.indexOf(name);
    const negTenure = [...b];
    negTenure[col("tenure")] = "-5";
    const badCharge = [...c];
    badCharge[col("MonthlyCharges")] = "abc";
    const tooWide = [...a, "x", "y"];
    const text = [header, a, negTenure, [], badCharge, tooWide, header].map((r) => r.join(",")).join("\n") + "\n";
    const { rows, summary } = await score(text);
    assert.deepEqual(
      rows.map((r) => r.row),
      ["1", "2", "4", "5", "6"],
    );
    assert.equal(summary.rowsRead, 6);
    assert.equal(summary.blank, 1);
    assert.equal(summary.scored, 1);
    assert.equal(summary.refused, 4);
    const [ok, tenure, charge, wide, repeated] = rows as [OutRow, OutRow, OutRow, OutRow, OutRow];
    assert.equal(ok.error, "");
    assert.match(tenure.error, /^tenure: "-5" is not a valid tenure/);
    assert.equal(tenure.customerID, negTenure[col("customerID")]);
    assert.equal(tenure.churn_probability, "");
    assert.match(charge.error, /^MonthlyCharges: "abc" is not a valid MonthlyCharges/);
    assert.match(wide.error, /fields where the header has/);
    assert.match(repeated.error, /repeated header line/);
    assert.equal(wide.warnings, "", "a refused copy is not counted as a duplicate");
  });

  test("a file that is not a churn table is refused with ChurnTableError before anything is written", async () => {
    const svc = await service();
    for (const text of ["name,age,city\nAnn,31,Oslo\n", "customerID,gender,tenure\nX-1,Male,5\n", ""]) {
      const sink = new Collect();
      await assert.rejects(predictStream(Readable.from([Buffer.from(text)]), sink, svc), (err: unknown) => {
        assert.ok(err instanceof ChurnTableError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, text === "" ? /is empty/ : /not a churn table.*Found columns: "/);
        return true;
      });
      assert.equal(sink.text, "");
    }
    // A quote left open runs to the end of the file: an error naming the place, not a silently merged row.
    const [header = [], a = []] = ibmRecords();
    const broken = `${header.join(",")}\n${a.join(",")}\n"7590-VHVEG,Female\n`;
    await assert.rejects(
      score(broken),
      (err: unknown) => err instanceof ChurnTableError && /could not be parsed as CSV after data row 1: Quote Not Closed/.test(err.message),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-batch-refuse-"));
    fs.writeFileSync(path.join(dir, "bad.csv"), "name,age\nAnn,31\n");
    await assert.rejects(
      predictFile({ model: await trained(), data: path.join(dir, "bad.csv"), out: path.join(dir, "out.csv") }),
      ChurnTableError,
    );
    assert.deepEqual(fs.readdirSync(dir), ["bad.csv"], "no output, no partial file");
  });

  test("semicolons, BOM, CRLF, a preamble and messy headers give the same scores as the clean file; UTF-16 too", async () => {
    const [header = [], ...data] = ibmRecords().slice(0, 301);
    const plain = await score([header, ...data].map((r) => r.join(",")).join("\n"));
    const messyHeader = header.map((h) =>
      h === "customerID" ? "Customer ID" : h === "MonthlyCharges" ? "Monthly Charges" : h.toUpperCase(),
    );
    const body = ["CRM export;;", "generated 2024-01-01", "", messyHeader.join(";"), ...data.map((r) => r.join(";"))].join("\r\n") + "\r\n";
    const messy = await score(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, "utf8")]));
    assert.equal(messy.summary.delimiter, ";");
    assert.equal(messy.summary.byteOrderMark, true);
    assert.equal(messy.summary.headerLine, 4);
    assert.deepEqual(messy.rows, plain.rows);
    const utf16 = await score(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, "utf16le")]));
    assert.equal(utf16.summary.encoding, "utf-16le");
    assert.deepEqual(utf16.rows, plain.rows);
    // Split into tiny chunks (a multi-byte character and CRLF cut in two): same result.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body.replace("generated", "généré"), "utf8")]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7));
    const sink = new Collect();
    await predictStream(Readable.from(chunks), sink, await service());
    assert.deepEqual(sink.rows(), plain.rows);
  });

  test("50k generated rows stream through: output is consumed while input is still being produced", async () => {
    const [header = [], ...data] = ibmRecords();
    const total = 50_000;
    let produced = 0;
    let consumed = 0;
    let maxLag = 0;
    function* generate(): Generator<string> {
      yield `${header.join(",")}\n`;
      let chunk = "";
      for (let i = 0; i < total; i++) {
        chunk += `${(data[i % data.length] ?? []).join(",")}\n`;
        produced++;
        if (chunk.length > 16384) {
          maxLag = Math.max(maxLag, produced - consumed);
          yield chunk;
          chunk = "";
        }
      }
      yield chunk;
    }
    const sink = new Writable({
      write(chunk: Buffer, _enc, done): void {
        for (const byte of chunk) if (byte === 0x0a) consumed++;
        done();
      },
    });
    const rssBefore = process.memoryUsage.rss();
    const summary = await predictStream(Readable.from(generate()), sink, await service());
    assert.equal(consumed, total + 1, "header plus one line per row");
    assert.equal(summary.rowsRead, total);
    assert.equal(summary.duplicateIds, total - data.length, "IDs repeat once the IBM rows cycle");
    // Backpressure: the producer never runs far ahead of the consumer (the whole input is 50k rows).
    assert.ok(maxLag < 5_000, `producer ran ${maxLag} rows ahead`);
    assert.ok(summary.peakRssBytes - rssBefore < 300 * 2 ** 20, "memory does not grow with the input");
  });

  test("registerPredictCommand: churn predict writes the scored CSV and the summary JSON", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-batch-cli-"));
    const data = path.join(dir, "in.csv");
    fs.writeFileSync(
      data,
      ibmRecords()
        .slice(0, 21)
        .map((r) => r.join(","))
        .join("\n"),
    );
    const lines: string[] = [];
    const program = new Command("churn").exitOverride();
    registerMonitor(program, (l) => lines.push(l));
    const out = path.join(dir, "scored.csv");
    const summaryFile = path.join(dir, "summary.json");
    await program.parseAsync(
      ["predict", "--model", await trained(), "--data", data, "--out", out, "--reasons", "1", "--summary", summaryFile],
      { from: "user" },
    );
    const rows = parse<OutRow>(fs.readFileSync(out, "utf8"), { columns: true });
    assert.equal(rows.length, 20);
    assert.ok(rows.every((r) => r.reasons.split("; ").length === 1));
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as BatchSummary;
    assert.equal(summary.rowsRead, 20);
    assert.match(lines[0] ?? "", /^predict \(js engine\): 20 rows read, \d+ scored, \d+ refused; warnings: .* rows\/s, peak RSS \d+ MiB/);
    assert.ok(!fs.existsSync(`${out}.partial`));
  });
});
