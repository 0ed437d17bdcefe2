// The notebook and slide number formatters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatInteger, formatInterval, formatSigned, formatUsd } from "../../lib/core/format";

test("formatInteger rounds to a whole number with thousands separators", () => {
  assert.equal(formatInteger(12345.6), "12,346");
  assert.equal(formatInteger(999.4), "999");
  assert.equal(formatInteger(1_000_000), "1,000,000");
  assert.equal(formatInteger(-1234.5), "-1,234"); // Math.round rounds half toward +Infinity
  assert.equal(formatInteger(0), "0");
});

test("formatUsd puts the sign before the dollar and rounds the magnitude", () => {
  assert.equal(formatUsd(1234.5), "$1,235");
  assert.equal(formatUsd(-1234.5), "-$1,235");
  assert.equal(formatUsd(50), "$50");
  assert.equal(formatUsd(0), "$0");
  assert.equal(formatUsd(-0.2), "-$0");
});

test("formatInterval prints the value and both bounds with the same digits", () => {
  assert.equal(formatInterval(0.8123, [0.79, 0.834]), "0.812 [0.790, 0.834]");
  assert.equal(formatInterval(-0.05, [-0.1234, 0.02], 2), "-0.05 [-0.12, 0.02]");
  assert.equal(formatInterval(1, [1, 1], 0), "1 [1, 1]");
});

test("formatSigned always shows the sign of a change", () => {
  assert.equal(formatSigned(0.0123), "+0.0123");
  assert.equal(formatSigned(-0.5), "-0.5000");
  assert.equal(formatSigned(0), "+0.0000");
  assert.equal(formatSigned(2.345, 1), "+2.3");
});
