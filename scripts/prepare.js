#!/usr/bin/env node
// npm's prepare step: compile lib/ to dist/ when TypeScript is installed. A production install (`npm ci --omit=dev`)
// has no TypeScript: it then keeps a dist/ built beforehand (the Dockerfile copies one from its build stage) and
// says how to get one otherwise, instead of failing the install.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.join(__dirname, "..");
let tsc;
try {
  tsc = require.resolve("typescript/bin/tsc", { paths: [root] });
} catch {
  const built = fs.existsSync(path.join(root, "dist", "lib", "cli", "index.js"));
  console.log(
    built
      ? "prepare: TypeScript is not installed (production install); using the dist/ already built."
      : "prepare: TypeScript is not installed (production install), so dist/ is not built: run `npm ci` (with dev dependencies) and `npm run build`, or copy dist/ from a build.",
  );
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json")], { stdio: "inherit" });
process.exit(r.status ?? 1);
