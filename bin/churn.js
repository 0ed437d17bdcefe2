#!/usr/bin/env node
// Entry point of the `churn` CLI: the logic lives in the compiled typed library (dist/lib/cli/).
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const cli = path.join(__dirname, "..", "dist", "lib", "cli", "index.js");
if (!fs.existsSync(cli)) {
  console.error("churn: the library is not built yet (dist/lib/cli/index.js is missing). Run `npm run build` first.");
  process.exit(2);
}
require(cli)
  .main(process.argv)
  .catch((err) => {
    // Usage errors were already printed by commander, with the command's help.
    if (!err?.printed) console.error(`churn: ${err && err.message ? err.message : err}`);
    process.exit(typeof err?.exitCode === "number" ? err.exitCode : 1);
  });
