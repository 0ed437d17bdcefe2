// Decoding, header finding and the raw-spelling profile: byte-order marks and UTF-16 read whole and chunk by chunk
// alike, the header found under a preamble with any delimiter, and the profile's counts adding up to the export's rows.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";

import {
  ChurnTableError,
  byteOrderMark,
  chunkDecoder,
  cleanBytes,
  decodeTable,
  findHeader,
  nonCanonicalSpellings,
  numericFormats,
  profileExport,
} from "../../lib/cleaning";
import { rawFile } from "../support";

const TEXT = "customerID,tenure\nA-1,\u00e9t\u00e9 \u20ac \ud83d\ude00\n";

/** The text in each encoding the decoder knows, with its byte-order mark. */
function encodings(text: string): { name: "utf-8" | "utf-16le" | "utf-16be"; bytes: Buffer }[] {
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.from(le);
  be.swap16();
  return [
    { name: "utf-8", bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]) },
    { name: "utf-16le", bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), le]) },
    { name: "utf-16be", bytes: Buffer.concat([Buffer.from([0xfe, 0xff]), be]) },
  ];
}

describe("decoding", () => {
  for (const { name, bytes } of encodings(TEXT)) {
    test(`${name} with a byte-order mark decodes to the same text whole and in chunks split anywhere`, () => {
      const { encoding, bom } = byteOrderMark(bytes);
      assert.equal(encoding, name);
      const whole = decodeTable(bytes, "the test");
      assert.deepEqual(whole, { text: TEXT, encoding: name, byteOrderMark: true });
      for (let size = 1; size <= 5; size++) {
        const d = chunkDecoder(encoding);
        let text = "";
        for (let at = bom; at < bytes.length; at += size) text += d.write(bytes.subarray(at, at + size));
        text += d.end();
        assert.equal(text, TEXT, `chunks of ${size} bytes`);
      }
    });
  }

  test("without a byte-order mark the text is UTF-8", () => {
    assert.deepEqual(byteOrderMark(Buffer.from("customerID")), { encoding: "utf-8", bom: 0 });
    assert.deepEqual(decodeTable(Buffer.from(TEXT), "x"), { text: TEXT, encoding: "utf-8", byteOrderMark: false });
  });

  test("empty and binary input are refused by name", () => {
    assert.throws(
      () => decodeTable(Buffer.alloc(0), "empty.csv"),
      (err: Error) => err instanceof ChurnTableError && /empty\.csv is empty/.test(err.message),
    );
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]);
    assert.throws(() => decodeTable(zip, "book.xlsx"), /book\.xlsx is not a CSV text file \(it contains binary data\)/);
  });
});

describe("findHeader", () => {
  const header = [
    "customerID",
    "gender",
    "SeniorCitizen",
    "Partner",
    "Dependents",
    "tenure",
    "PhoneService",
    "MultipleLines",
    "InternetService",
    "OnlineSecurity",
    "Contract",
  ];

  for (const delimiter of [",", ";", "\t", "|"]) {
    test(`finds a ${JSON.stringify(delimiter)}-separated header under a two-line preamble, with its offset`, () => {
      const preamble = "CRM export, generated nightly\r\nconfidential\r\n";
      const text = `${preamble}${header.join(delimiter)}\r\n${["X-1", "Male", "0", "Yes", "No", "5", "Yes", "No", "DSL", "No", "One year"].join(delimiter)}\r\n`;
      const found = findHeader(text, "the export");
      assert.equal(found.delimiter, delimiter);
      assert.equal(found.headerRecord, 2);
      assert.equal(found.offset, preamble.length);
      assert.ok(text.slice(found.offset).startsWith("customerID"));
      assert.equal(found.mapping.index.get("tenure"), 5);
    });
  }

  test("a header that names too few churn columns is refused, naming what is missing", () => {
    assert.throws(
      () => findHeader("customerID,tenure\nA,1\n", "short.csv"),
      (err: Error) => err instanceof ChurnTableError && /short\.csv is not a churn table: only 1 of/.test(err.message),
    );
    assert.throws(() => findHeader("name,age\nA,1\n", "people.csv"), /no customer ID column/);
  });

  test("an unclosed quote in the first lines does not hide a header above it", () => {
    const text = `${header.join(",")}\nX-1,Male,0,Yes,No,5,Yes,No,DSL,No,"One year\n`;
    assert.equal(findHeader(text, "x").headerRecord, 0);
  });
});

describe("profileExport on the take-home export", () => {
  const bytes = fs.readFileSync(rawFile("customer_churn_data.csv"));
  const profile = profileExport(bytes, "customer_churn_data.csv");
  const { report } = cleanBytes(bytes);

  test("every mapped column's spellings count every data row once", () => {
    const columns = new Set(profile.spellings.map((s) => s.column));
    assert.ok(columns.has("tenure") && columns.has("Contract"));
    const dataRows = report.rows.input;
    for (const column of columns) {
      const total = profile.spellings.filter((s) => s.column === column).reduce((a, s) => a + s.count, 0);
      assert.ok(total <= dataRows && total >= dataRows - report.rows.blank - report.rows.setAside, `${column}: ${total} of ${dataRows}`);
    }
    assert.deepEqual(
      profile.headers
        .filter((h) => h.column !== "(ignored)")
        .map((h) => h.column)
        .sort(),
      [...new Set(profile.headers.filter((h) => h.column !== "(ignored)").map((h) => h.column))].sort(),
      "no column is mapped twice",
    );
  });

  test("non-canonical spellings are those cleaning changes, and numeric shapes add up to the column's spellings", () => {
    const changed = nonCanonicalSpellings(profile, "tenure");
    assert.ok(changed.length > 0);
    assert.ok(changed.every((s) => s.column === "tenure" && s.status !== "ok"));
    const shapes = numericFormats(profile, "tenure");
    const spelled = profile.spellings.filter((s) => s.column === "tenure").reduce((a, s) => a + s.count, 0);
    assert.equal(
      shapes.reduce((a, s) => a + s.count, 0),
      spelled,
    );
    assert.ok(
      shapes.some((s) => s.status === "invalid" && s.shape.startsWith("-")),
      "negative tenures have their own shape",
    );
  });
});
