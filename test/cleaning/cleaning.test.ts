// Holds cleaning to its contract on the real take-home export, the clean IBM file and seeded messy exports.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "csv-parse/sync";

import {
  ChurnTableError,
  type CleanResult,
  type QualityReport,
  cleanBytes,
  cleanFields,
  cleanFile,
  invalidValueRows,
  readCleanedCsv,
  writeCleanOutputs,
} from "../../lib/cleaning";
import {
  type CleanRecord,
  type ColumnCounts,
  type MessyExport,
  type MessyOptions,
  DISTURBED,
  EXTRA_COLUMN,
  PREAMBLE,
  makeMessyExport,
  makeMessyRecord,
  scoreCleaning,
  truthValue,
} from "../../lib/data/synthetic";
import { COLUMN_NAMES, type CellValue, type ColumnName, type Customer, FEATURE_COLUMNS, ID_COLUMN } from "../../lib/core/schema";

import { memo, rawFile } from "../support";

const CLEAN_NAME = "telco-customer-churn.csv";
const MESSY_NAME = "customer_churn_data.csv";

const cleanRecords = memo(() => parse<CleanRecord>(fs.readFileSync(rawFile(CLEAN_NAME)), { columns: true }));
const truthById = memo(() => new Map(cleanRecords().map((r) => [r[ID_COLUMN] ?? "", r])));
const cleanedIbm = memo(() => cleanFile(rawFile(CLEAN_NAME)));
const cleanedTakeHome = memo(() => cleanFile(rawFile(MESSY_NAME)));

function sameValue(actual: CellValue, expected: CellValue): boolean {
  if (typeof actual === "number" && typeof expected === "number") return Math.abs(actual - expected) < 1e-9;
  return actual === expected;
}

const cell = (customer: Customer, column: ColumnName): CellValue => customer[column];
const show = (v: unknown): string => (typeof v === "function" ? "<function>" : JSON.stringify(v));

function idsOf(customers: readonly Customer[]): string[] {
  return customers.map((c) => c.customerID).sort();
}

function assertSameCustomerIds(customers: readonly Customer[]): void {
  const expected = cleanRecords()
    .map((r) => r[ID_COLUMN] ?? "")
    .sort();
  const got = idsOf(customers);
  const gotSet = new Set(got);
  const expectedSet = new Set(expected);
  assert.deepEqual(
    {
      extra: got.filter((id) => !expectedSet.has(id)).slice(0, 10),
      lost: expected.filter((id) => !gotSet.has(id)).slice(0, 10),
    },
    { extra: [], lost: [] },
  );
  assert.equal(got.length, expected.length, "one row per customer");
}

function assertAccountingIdentity(report: QualityReport): void {
  const { input, blank, setAside, exactDuplicates, mergedDuplicates, output } = report.rows;
  assert.equal(
    input,
    blank + setAside + exactDuplicates + mergedDuplicates + output,
    `input ${input} != blank ${blank} + setAside ${setAside} + exact ${exactDuplicates}` +
      ` + merged ${mergedDuplicates} + output ${output}`,
  );
  assert.equal(report.setAside.length, setAside);
  assert.equal(report.customers.total, output);
}

// ---------------------------------------------------------------------------------------------------------------

describe("the take-home export, customer_churn_data.csv", () => {
  test("returns exactly the customer IDs of the clean IBM file: same set, no extras, no losses", () => {
    assertSameCustomerIds(cleanedTakeHome().customers);
  });

  test("every non-null value it keeps equals the clean file's value, and it keeps at least 97% of cells", () => {
    const { customers } = cleanedTakeHome();
    const truth = truthById();
    const wrong: string[] = [];
    let cells = 0;
    let kept = 0;
    const keptByColumn = new Map<ColumnName, number>();
    for (const customer of customers) {
      const record = truth.get(customer.customerID);
      if (!record) continue; // reported by the ID test
      for (const column of COLUMN_NAMES) {
        cells++;
        const value = cell(customer, column);
        if (value === null) continue;
        kept++;
        keptByColumn.set(column, (keptByColumn.get(column) ?? 0) + 1);
        // The one documented exception, TotalCharges 0 where the file is blank at tenure 0, is in truthValue.
        const expected = truthValue(record, column);
        if (!sameValue(value, expected)) {
          wrong.push(`${customer.customerID}.${column}: ${show(value)} != ${show(expected)}`);
        }
      }
    }
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} kept values differ from the clean file`);
    assert.ok(kept / cells >= 0.97, `only ${((100 * kept) / cells).toFixed(2)}% of cells kept`);
    for (const column of COLUMN_NAMES) {
      const share = (keptByColumn.get(column) ?? 0) / customers.length;
      assert.ok(share >= 0.95, `${column}: only ${(100 * share).toFixed(2)}% kept`);
    }
  });

  test("merges its duplicate rows without conflicts and reads every header", () => {
    const { report } = cleanedTakeHome();
    const lines = fs
      .readFileSync(rawFile(MESSY_NAME), "utf8")
      .split(/\r?\n/)
      .filter((l) => l !== "");
    assert.equal(report.rows.input, lines.length - 1);
    assert.equal(report.rows.exactDuplicates + report.rows.mergedDuplicates, lines.length - 1 - cleanRecords().length);
    assert.deepEqual(report.duplicates.conflicts, {});
    assert.deepEqual(report.absentColumns, []);
    assert.deepEqual(report.unknownColumns, []);
  });
});

describe("invalidValueRows, the impossible values a notebook shows", () => {
  test("one row per column with invalid values, in IBM order, counts and reasons as the report has them", () => {
    const { report } = cleanedTakeHome();
    const rows = invalidValueRows(report);
    const expected = COLUMN_NAMES.filter((c) => report.columns[c].invalid > 0);
    assert.ok(expected.length > 0, "the take-home export has impossible values");
    assert.deepEqual(
      rows.map((r) => r.column),
      expected,
    );
    for (const r of rows) {
      const q = report.columns[r.column as ColumnName];
      assert.equal(r.invalid, q.invalid);
      const reasons = Object.fromEntries(r.reasons.split("; ").map((part) => [part.replace(/ \d+$/, ""), Number(/\d+$/.exec(part)?.[0])]));
      assert.deepEqual(reasons, q.invalidReasons);
      assert.equal(r.examples, Object.keys(q.invalidExamples).join(", "));
    }
  });

  test("a clean file has none", () => {
    assert.deepEqual(invalidValueRows(cleanedIbm().report), []);
  });
});

describe("the clean IBM file, telco-customer-churn.csv", () => {
  test("cleans losslessly: every cell equal, nothing missing, invalid, unknown or normalized", () => {
    const { customers, report } = cleanedIbm();
    assertSameCustomerIds(customers);
    const truth = truthById();
    const wrong: string[] = [];
    for (const customer of customers) {
      const record = truth.get(customer.customerID);
      assert.ok(record, customer.customerID);
      for (const column of COLUMN_NAMES) {
        const value = cell(customer, column);
        const expected = truthValue(record, column);
        if (value === null || !sameValue(value, expected)) {
          wrong.push(`${customer.customerID}.${column}: ${show(value)} != ${show(expected)}`);
        }
      }
    }
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} cells differ`);
    for (const column of COLUMN_NAMES) {
      const q = report.columns[column];
      assert.deepEqual(
        { missing: q.missing, invalid: q.invalid, unknown: q.unknown, normalized: q.normalized },
        { missing: 0, invalid: 0, unknown: 0, normalized: 0 },
        column,
      );
    }
    assert.equal(report.customers.normalizedIds, 0);
    assert.deepEqual(report.inconsistencies, {});
    assert.deepEqual(report.unknownColumns, []);
  });

  test("deduces TotalCharges 0 exactly for the rows whose TotalCharges is blank, all at tenure 0", () => {
    const blanks = cleanRecords().filter((r) => (r["TotalCharges"] ?? "").trim() === "");
    assert.ok(blanks.length > 0, "the clean file has blank TotalCharges");
    assert.ok(
      blanks.every((r) => r["tenure"] === "0"),
      "every blank TotalCharges is at tenure 0",
    );
    const { report, customers } = cleanedIbm();
    for (const column of COLUMN_NAMES) {
      assert.equal(report.columns[column].deduced, column === "TotalCharges" ? blanks.length : 0, column);
    }
    const byId = new Map(customers.map((c) => [c.customerID, c]));
    for (const r of blanks) assert.equal(byId.get(r[ID_COLUMN] ?? "")?.TotalCharges, 0);
  });

  test("counts every row and no duplicates", () => {
    const { report } = cleanedIbm();
    const n = cleanRecords().length;
    const { input, blank, setAside, exactDuplicates, mergedDuplicates, output } = report.rows;
    assert.deepEqual(
      { input, blank, setAside, exactDuplicates, mergedDuplicates, output },
      { input: n, blank: 0, setAside: 0, exactDuplicates: 0, mergedDuplicates: 0, output: n },
    );
  });
});

test("accounting identity on both committed files: input = blank + setAside + exact + merged duplicates + output", () => {
  assertAccountingIdentity(cleanedIbm().report);
  assertAccountingIdentity(cleanedTakeHome().report);
});

// ---------------------------------------------------------------------------------------------------------------

const CONFIGS: { name: string; options: Omit<MessyOptions, "seed"> }[] = [
  { name: "comma, LF", options: {} },
  { name: "UTF-8 BOM, CRLF, preamble", options: { bom: true, crlf: true, preamble: true } },
  { name: "semicolon, decimal comma", options: { delimiter: ";", decimalComma: true } },
  {
    name: "UTF-16LE, tab, decimal comma, CRLF",
    options: { encoding: "utf-16le", delimiter: "\t", decimalComma: true, crlf: true },
  },
];
const SEEDS = [1, 20240501];

const generated = new Map<string, () => { messy: MessyExport; result: CleanResult }>();
function cleanedMessy(configName: string, options: MessyOptions): { messy: MessyExport; result: CleanResult } {
  const key = `${configName}/${options.seed}`;
  let get = generated.get(key);
  if (!get) {
    get = memo(() => {
      const messy = makeMessyExport(cleanRecords(), options);
      return { messy, result: cleanBytes(messy.bytes, { source: key }) };
    });
    generated.set(key, get);
  }
  return get();
}

function reportedCounts(report: QualityReport): Record<ColumnName, ColumnCounts> {
  return Object.fromEntries(
    COLUMN_NAMES.map((c) => {
      const q = report.columns[c];
      return [
        c,
        {
          // Deduced cells were written missing; cleaning moves them from missing to deduced.
          missing: q.missing + q.deduced,
          invalid: q.invalid,
          unknown: q.unknown,
          // IDs are counted apart from the column table.
          normalized: c === ID_COLUMN ? report.customers.normalizedIds : q.normalized,
        },
      ];
    }),
  ) as Record<ColumnName, ColumnCounts>;
}

describe("seeded messy exports", () => {
  for (const { name, options: configOptions } of CONFIGS) {
    for (const seed of SEEDS) {
      const options: MessyOptions = { seed, ...configOptions };
      describe(`${name}, seed ${seed}`, () => {
        test("all customers present; kept values as expected; disturbed cells null or the deduced original", () => {
          const { messy, result } = cleanedMessy(name, options);
          assertSameCustomerIds(result.customers);
          const score = scoreCleaning(result.customers, messy.expected, truthById());
          assert.deepEqual(score.wrong.slice(0, 20), [], `${score.wrong.length} cells wrong`);
          assert.equal(score.customersFound, score.customersExpected);
          assert.ok(score.disturbed > 0, "the export must lose some values");
          assert.ok(score.cellsChecked > score.disturbed, "most cells are checked exactly");
        });

        test("column counts match the generator's bookkeeping exactly", () => {
          const { messy, result } = cleanedMessy(name, options);
          assert.deepEqual(reportedCounts(result.report), messy.expected.columns);
          assert.deepEqual(result.report.duplicates.conflicts, {}, "copies never disagree");
          assert.deepEqual(result.report.inconsistencies, {}, "the export holds no contradictions");
        });

        test("rows, duplicates, set-aside rows, unknown columns and the file format match", () => {
          const { messy, result } = cleanedMessy(name, options);
          const { report } = result;
          const e = messy.expected;
          assert.deepEqual(
            {
              input: report.rows.input,
              blank: report.rows.blank,
              setAside: report.rows.setAside,
              exact: report.rows.exactDuplicates,
              merged: report.rows.mergedDuplicates,
              output: report.rows.output,
            },
            {
              input: e.inputRows,
              blank: e.blankRows,
              setAside: e.setAside,
              exact: e.exactDuplicates,
              merged: e.mergedDuplicates,
              output: e.customers.size,
            },
          );
          assertAccountingIdentity(report);
          assert.deepEqual(report.unknownColumns, [EXTRA_COLUMN]);
          assert.deepEqual(report.absentColumns, []);
          assert.deepEqual(report.repeatedColumns, []);
          const reasons = report.setAside.map((r) => r.reason).sort();
          assert.equal(reasons.filter((r) => r === "no customer ID").length, 1, reasons.join("; "));
          assert.equal(reasons.filter((r) => /fields where the header has/.test(r)).length, 1, reasons.join("; "));
          const src = report.source;
          assert.equal(src.encoding, options.encoding ?? "utf-8");
          assert.equal(src.byteOrderMark, options.bom ?? options.encoding === "utf-16le");
          assert.equal(src.delimiter, options.delimiter ?? ",");
          assert.equal(src.lineEndings, options.crlf ? "CRLF" : "LF");
          assert.equal(src.preambleLines, options.preamble ? 1 : 0);
          for (const column of COLUMN_NAMES) assert.equal(report.columns[column].sourceHeader, e.headerOf[column], column);
        });
      });
    }
  }

  test("the generator is deterministic per seed, differs across seeds and exercises every disturbance", () => {
    const records = cleanRecords();
    const a = makeMessyExport(records.slice(0, 500), { seed: 7 });
    const b = makeMessyExport(records.slice(0, 500), { seed: 7 });
    const c = makeMessyExport(records.slice(0, 500), { seed: 8 });
    assert.ok(a.bytes.equals(b.bytes), "same seed, same bytes");
    assert.ok(!a.bytes.equals(c.bytes), "other seed, other bytes");

    const { messy } = cleanedMessy(CONFIGS[0]?.name ?? "", { seed: SEEDS[0] ?? 1, ...CONFIGS[0]?.options });
    const e = messy.expected;
    for (const column of COLUMN_NAMES) {
      assert.ok(e.columns[column].normalized > 0, `${column} respelled`);
      if (column !== ID_COLUMN) assert.ok(e.columns[column].missing > 0, `${column} missing`);
    }
    for (const column of ["tenure", "MonthlyCharges", "TotalCharges"] as const) {
      assert.ok(e.columns[column].invalid > 0, `${column} invalid`);
    }
    for (const column of ["Contract", "InternetService", "PaymentMethod"] as const) {
      assert.ok(e.columns[column].unknown > 0, `${column} unknown`);
    }
    assert.ok(e.exactDuplicates > 0 && e.mergedDuplicates > 0);
    const canonical = new Set<string>([...COLUMN_NAMES, EXTRA_COLUMN]);
    assert.ok(
      e.headers.some((h) => !canonical.has(h)),
      "some headers renamed",
    );
    const preambled = makeMessyExport(records.slice(0, 20), { seed: 1, preamble: true, bom: true });
    assert.ok(preambled.bytes.subarray(3).toString("utf8").startsWith(`${PREAMBLE}\n`));
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("not a churn table", () => {
  const rejects = (bytes: Buffer, pattern: RegExp): void => {
    assert.throws(
      () => cleanBytes(bytes, { source: "upload" }),
      (err: unknown) => {
        assert.ok(err instanceof ChurnTableError, `expected ChurnTableError, got ${String(err)}`);
        assert.match(err.message, pattern);
        assert.match(err.message, /upload/, "the message names the input");
        return true;
      },
    );
  };

  test("JSON text: no customer ID column", () => {
    rejects(Buffer.from(JSON.stringify(cleanRecords().slice(0, 5), null, 2)), /customer ID/i);
    rejects(Buffer.from(JSON.stringify(cleanRecords().slice(0, 5))), /customer ID/i);
  });

  test("PNG bytes: binary, not CSV", () => {
    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
      0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    rejects(png, /binary/i);
    rejects(png, /CSV/);
  });

  test("empty file: says it is empty and what was expected", () => {
    rejects(Buffer.alloc(0), /empty/i);
    rejects(Buffer.alloc(0), /header/i);
  });

  test("customerID and three other columns: names every missing customer column", () => {
    const present: ColumnName[] = ["gender", "tenure", "Contract"];
    const rows = cleanRecords()
      .slice(0, 5)
      .map((r) => [ID_COLUMN, ...present].map((c) => r[c] ?? ""));
    const text = [[ID_COLUMN, ...present].join(","), ...rows.map((r) => r.join(","))].join("\n");
    assert.throws(
      () => cleanBytes(Buffer.from(text), { source: "upload" }),
      (err: unknown) => {
        assert.ok(err instanceof ChurnTableError);
        assert.match(err.message, new RegExp(`\\b${present.length} of ${FEATURE_COLUMNS.length}\\b`));
        for (const column of FEATURE_COLUMNS.filter((c) => !present.includes(c))) {
          assert.match(err.message, new RegExp(`\\b${column}\\b`), `names ${column}`);
        }
        return true;
      },
    );
  });

  test("every churn column but no customer ID: says the ID column is missing", () => {
    const columns = COLUMN_NAMES.filter((c) => c !== ID_COLUMN);
    const rows = cleanRecords()
      .slice(0, 5)
      .map((r) => columns.map((c) => r[c] ?? "").join(","));
    rejects(Buffer.from([columns.join(","), ...rows].join("\n")), /customer ID/i);
  });

  test("a file that does not exist: ChurnTableError naming the path", () => {
    const missing = path.join(os.tmpdir(), "no-such-dir-churn", "nothing.csv");
    assert.throws(
      () => cleanFile(missing),
      (err: unknown) => err instanceof ChurnTableError && err.message.includes(missing),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("cleanFields, the per-record path of the API", () => {
  test("canonicalizes generated messy records like the file path and reports the unknown field", () => {
    const records = cleanRecords().slice(0, 400);
    const truth = truthById();
    const wrong: string[] = [];
    records.forEach((record, i) => {
      const messy = makeMessyRecord(record, { seed: i, cellRate: 0.4, decimalComma: i % 2 === 1 });
      const { customer, outcomes, unknownFields, deduced } = cleanFields(messy.fields);
      assert.deepEqual(unknownFields, [EXTRA_COLUMN]);
      const original = truth.get(record[ID_COLUMN] ?? "");
      assert.ok(original);
      for (const column of COLUMN_NAMES) {
        const value = cell(customer, column);
        const want = messy.expected[column];
        const status = outcomes[column]?.status;
        if (status !== messy.statuses[column]) {
          wrong.push(`${i}.${column}: status ${String(status)} != ${messy.statuses[column]}`);
        }
        if (want === DISTURBED) {
          if (value !== null && !sameValue(value, truthValue(original, column))) {
            wrong.push(`${i}.${column}: ${show(value)}`);
          }
          if (value !== null && !deduced.includes(column)) wrong.push(`${i}.${column}: filled but not listed as deduced`);
        } else if (value === null || !sameValue(value, want)) {
          wrong.push(`${i}.${column}: ${show(value)} != ${show(want)}`);
        }
      }
    });
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} problems`);
  });

  test("canonicalizes hand-written messy spellings of 7590-VHVEG to its clean record", () => {
    const record = truthById().get("7590-VHVEG");
    assert.ok(record, "7590-VHVEG is in the clean file");
    const { customer, outcomes, unknownFields, deduced } = cleanFields({
      "Customer ID": " 7590-vhveg ",
      Sex: "F",
      "Senior Citizen": "No",
      "Has Partner": "y",
      dependents: "N",
      "Tenure (months)": "1 month",
      "Phone Service": "no",
      "Multiple Lines": "No phone",
      "Internet Type": "dsl",
      "Online Security": "NO",
      "Online Backup": "True",
      "Device Protection": "n",
      "Tech Support": " No ",
      "Streaming TV": "false",
      "Streaming Movies": "0",
      "Contract Type": "Month to month",
      "Paperless Billing": "YES",
      "Payment Method": "E-check",
      "Monthly Charges (USD)": "$29.85",
      TOTALCHARGES: "29,85 €",
      "Churn?": "Stayed",
      Region: "North",
      "Favourite colour": "blue",
    });
    for (const column of COLUMN_NAMES) {
      const value = cell(customer, column);
      assert.ok(sameValue(value, truthValue(record, column)), `${column}: ${show(value)}`);
      assert.equal(outcomes[column]?.status, "normalized", column);
    }
    assert.deepEqual(unknownFields, ["Region", "Favourite colour"]);
    assert.deepEqual(deduced, []);
  });

  test("JSON-typed values, unknown and impossible values, and deductions", () => {
    const { customer, outcomes, deduced } = cleanFields({
      customerID: "7590-VHVEG",
      SeniorCitizen: 1,
      Partner: true,
      tenure: 34,
      MonthlyCharges: 56.95,
      TotalCharges: null,
      Contract: "Three year",
      InternetService: "Satellite",
      PaymentMethod: "Bitcoin",
      PhoneService: "",
      MultipleLines: "No phone service",
      gender: "Other",
    });
    assert.equal(customer.SeniorCitizen, 1);
    assert.equal(customer.Partner, "Yes");
    assert.equal(customer.tenure, 34);
    assert.equal(customer.MonthlyCharges, 56.95);
    for (const column of ["Contract", "InternetService", "PaymentMethod", "gender"] as const) {
      assert.equal(customer[column], null, column);
      assert.equal(outcomes[column]?.status, "unknown", column);
    }
    assert.equal(outcomes.TotalCharges?.status, "missing");
    assert.equal(customer.TotalCharges, null, "tenure 34 implies nothing about TotalCharges");
    assert.equal(customer.PhoneService, "No", "no phone service implies PhoneService No");
    assert.deepEqual(deduced, ["PhoneService"]);
    assert.equal(cleanFields({ tenure: -3 }).outcomes.tenure?.status, "invalid");
    assert.equal(cleanFields({ MonthlyCharges: 99999 }).outcomes.MonthlyCharges?.status, "invalid");
    assert.equal(cleanFields({ tenure: 0, TotalCharges: " " }).customer.TotalCharges, 0);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("writeCleanOutputs round trip", () => {
  const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "churn-cleaning-test-"));

  test("cleanFile(cleaned.csv) returns the take-home export's customers unchanged, with nothing to fix", () => {
    const result = cleanedTakeHome();
    const dir = tempDir();
    try {
      const out = writeCleanOutputs(result, dir);
      const again = cleanFile(out.cleaned);
      assert.deepEqual(again.customers, result.customers);
      for (const column of COLUMN_NAMES) {
        const q = again.report.columns[column];
        assert.deepEqual(
          { normalized: q.normalized, invalid: q.invalid, unknown: q.unknown, deduced: q.deduced },
          { normalized: 0, invalid: 0, unknown: 0, deduced: 0 },
          column,
        );
      }
      assert.deepEqual(JSON.parse(fs.readFileSync(out.report, "utf8")), JSON.parse(JSON.stringify(result.report)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  // BUG (cleaning.ts readCleanedCsv): it is cleanFile(path), which re-runs reconcileRow. Cells the first pass left
  // null on purpose (an unknown InternetService such as "Satellite" next to add-ons that say "No internet service")
  // are written as blanks, read back as *missing* and then deduced, so the rows read back differ from those written.
  test("readCleanedCsv returns exactly the customers written, also after unknown values", () => {
    const { result, messy } = cleanedMessy(CONFIGS[0]?.name ?? "", { seed: SEEDS[0] ?? 1, ...CONFIGS[0]?.options });
    assert.ok(messy.expected.columns.InternetService.unknown > 0);
    const dir = tempDir();
    try {
      const out = writeCleanOutputs(result, dir);
      assert.ok(out.setAside && fs.existsSync(out.setAside), "set-aside.csv is written");
      const back = readCleanedCsv(out.cleaned);
      const changed: string[] = [];
      back.forEach((c, i) => {
        const before = result.customers[i];
        for (const column of COLUMN_NAMES) {
          const was = before ? cell(before, column) : undefined;
          if (!Object.is(was, cell(c, column))) changed.push(`${c.customerID}.${column}: ${show(was)} -> ${show(cell(c, column))}`);
        }
      });
      assert.equal(back.length, result.customers.length);
      assert.deepEqual(changed.slice(0, 10), [], `${changed.length} cells changed on the way back`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("re-cleaning cleaned.csv of a messy export keeps every customer and only fills null cells with the original", () => {
    for (const seed of SEEDS) {
      const { result } = cleanedMessy(CONFIGS[0]?.name ?? "", { seed, ...CONFIGS[0]?.options });
      const dir = tempDir();
      try {
        const again = cleanFile(writeCleanOutputs(result, dir).cleaned);
        assert.deepEqual(idsOf(again.customers), idsOf(result.customers));
        const truth = truthById();
        const wrong: string[] = [];
        again.customers.forEach((c, i) => {
          const before = result.customers[i];
          const record = truth.get(c.customerID);
          if (!before || !record) return;
          for (const column of COLUMN_NAMES) {
            const was = cell(before, column);
            const now = cell(c, column);
            if (was !== null ? !sameValue(now, was) : now !== null && !sameValue(now, truthValue(record, column))) {
              wrong.push(`${c.customerID}.${column}: ${show(was)} -> ${show(now)}`);
            }
          }
        });
        assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} cells changed`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

describe("file-level conventions and export artefacts", () => {
  const header = COLUMN_NAMES.join(";");
  const row = (id: string, tenure: string, monthly: string, total: string): string =>
    [
      id,
      "Female",
      "0",
      "Yes",
      "No",
      tenure,
      "No",
      "No phone service",
      "DSL",
      "No",
      "Yes",
      "No",
      "No",
      "No",
      "No",
      "Month-to-month",
      "Yes",
      "Electronic check",
      monthly,
      total,
      "No",
    ].join(";");

  test("a decimal-comma file reads '1.889' as 1889 and '29,85' as 29.85; a decimal-point file reads '1,889' as 1889", () => {
    const comma = Buffer.from([header, row("0001-AAAAA", "34", "56,95", "1.889"), row("0002-BBBBB", "2", "53,85", "108,15")].join("\n"));
    const a = cleanBytes(comma);
    assert.equal(a.report.source.decimalSeparator, "comma");
    assert.deepEqual(
      a.customers.map((c) => [c.MonthlyCharges, c.TotalCharges]),
      [
        [56.95, 1889],
        [53.85, 108.15],
      ],
    );
    const point = Buffer.from([header, row("0001-AAAAA", "34", "56.95", "1,889"), row("0002-BBBBB", "2", "53.85", "1.5")].join("\n"));
    const b = cleanBytes(point);
    assert.equal(b.report.source.decimalSeparator, "point");
    assert.deepEqual(
      b.customers.map((c) => c.TotalCharges),
      [1889, 1.5],
    );
  });

  test("a repeated header line (concatenated exports) is set aside, not read as a customer", () => {
    const text = [header, row("0001-AAAAA", "34", "56,95", "1889,50"), header, row("0002-BBBBB", "2", "53,85", "108,15")].join("\n");
    const { customers, report } = cleanBytes(Buffer.from(text));
    assert.deepEqual(
      customers.map((c) => c.customerID),
      ["0001-AAAAA", "0002-BBBBB"],
    );
    assert.deepEqual(
      report.setAside.map((r) => [r.line, r.reason]),
      [[3, "repeated header line"]],
    );
    assertAccountingIdentity(report);
  });

  test("Excel text markers and zero-width characters do not hide a value or split a customer", () => {
    const text = [header, row("0001-AAAAA", "34", "56,95", "1889,50"), row('="0001-aaaaa"', "'34", "\u200b56,95", "1889,50")].join("\n");
    const { customers, report } = cleanBytes(Buffer.from(text));
    assert.equal(customers.length, 1);
    assert.equal(report.duplicates.mergedCopies, 1);
    assert.deepEqual(report.duplicates.conflicts, {});
    assert.equal(customers[0]?.tenure, 34);
    assert.equal(customers[0]?.MonthlyCharges, 56.95);
  });
});
