// Notebook 02's evidence: the null tokens of an export, and cleaning scored on generated messy exports.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { parse } from "csv-parse/sync";
import type { ExportProfile } from "../../lib/cleaning/profile";
import { cleaningRobustness, nullTokenCounts } from "../../lib/reporting/preprocessing";
import { rawFile } from "../support";

test("nullTokenCounts adds up the missing spellings of every column by token, most cells first", () => {
  const profile: ExportProfile = {
    headers: [],
    spellings: [
      { column: "tenure", raw: "", count: 5, status: "missing", canonical: "" },
      { column: "tenure", raw: "N/A", count: 2, status: "missing", canonical: "" },
      { column: "tenure", raw: "12", count: 40, status: "ok", canonical: "12" },
      { column: "Contract", raw: "", count: 4, status: "missing", canonical: "" },
      { column: "Contract", raw: "null", count: 3, status: "missing", canonical: "" },
      { column: "Contract", raw: "N/A", count: 2, status: "missing", canonical: "" },
      { column: "Contract", raw: "Crypto", count: 9, status: "unknown", canonical: "" },
    ],
  };
  assert.deepEqual(nullTokenCounts(profile), [
    { token: '""', cells: 9 },
    { token: '"N/A"', cells: 4 },
    { token: '"null"', cells: 3 },
  ]);
  assert.deepEqual(nullTokenCounts({ headers: [], spellings: [] }), []);
});

test("cleaningRobustness cleans each generated export and scores it against the generator", () => {
  const ibm = parse<Record<string, string>>(fs.readFileSync(rawFile("telco-customer-churn.csv")), { columns: true }).slice(0, 300);
  const { rows, wrongCells } = cleaningRobustness(ibm, [
    { name: "comma", options: { seed: 3 } },
    { name: "semicolon, decimal comma", options: { seed: 3, delimiter: ";", decimalComma: true, preamble: true } },
  ]);
  assert.deepEqual(
    rows.map((r) => r.export),
    ["comma", "semicolon, decimal comma"],
  );
  for (const r of rows) {
    assert.equal(r.customers, "300 of 300", r.export);
    assert.ok(r["rows in"] >= 300, `${r.export}: ${r["rows in"]} rows in`);
    assert.ok(r["cells checked"] > 0 && r["disturbed cells"] > 0, r.export);
    assert.ok(r["restored by deduction"] <= r["disturbed cells"], r.export);
  }
  assert.deepEqual(
    rows.map((r) => r["decimal separator"]),
    ["point", "comma"],
  );
  assert.equal(wrongCells, rows[0]!["cells wrong"] + rows[1]!["cells wrong"]);
  assert.equal(wrongCells, 0);
});
