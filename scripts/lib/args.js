// The scripts' command-line options: node:util parseArgs (unknown options and missing values are errors), plus
// numeric options checked and converted, so `--rows abc` stops with a message instead of becoming NaN.
"use strict";
const { parseArgs } = require("node:util");

/**
 * `spec` maps an option name to { type: "string" | "boolean" | "integer" | "number" | "list", default, min, max }
 * ("list": comma-separated numbers). Returns { values, positionals }; on a bad command line prints
 * `<script>: <what is wrong>` and the usage line, and exits 2.
 */
function scriptArgs(script, usage, spec, argv = process.argv.slice(2)) {
  const options = {};
  for (const [name, o] of Object.entries(spec)) options[name] = { type: o.type === "boolean" ? "boolean" : "string" };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    const out = {};
    for (const [name, o] of Object.entries(spec)) out[name] = convert(name, values[name], o);
    return { values: out, positionals };
  } catch (err) {
    console.error(`${script}: ${err.message}\nusage: ${usage}`);
    process.exit(2);
  }
}

function convert(name, raw, o) {
  if (raw === undefined) return o.default;
  if (o.type === "string" || o.type === "boolean") return raw;
  const parts = o.type === "list" ? raw.split(",") : [raw];
  const numbers = parts.map((part) => {
    const v = Number(part);
    const ok =
      part.trim() !== "" &&
      Number.isFinite(v) &&
      (o.type === "number" || Number.isInteger(v)) &&
      (o.min === undefined || v >= o.min) &&
      (o.max === undefined || v <= o.max);
    if (!ok) {
      const kind = o.type === "number" ? "a number" : "an integer";
      const range = o.min !== undefined && o.max !== undefined ? ` in [${o.min}, ${o.max}]` : o.min !== undefined ? ` >= ${o.min}` : "";
      throw new Error(`--${name} must be ${kind}${range}, got ${JSON.stringify(part)}`);
    }
    return v;
  });
  return o.type === "list" ? numbers : numbers[0];
}

module.exports = { scriptArgs };
