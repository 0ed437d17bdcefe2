// How the scripts reach the compiled library: `lib("serving/service")` requires dist/lib/serving/service.js, with an
// error that says to build when dist/ is missing. One place, so a moved module is fixed once.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const distLib = path.join(root, "dist", "lib");

function lib(modulePath) {
  const file = path.join(distLib, modulePath);
  if (!fs.existsSync(`${file}.js`) && !fs.existsSync(path.join(file, "index.js"))) {
    throw new Error(`dist/lib/${modulePath} is missing: run \`npm run build\` first`);
  }
  return require(file);
}

module.exports = { root, distLib, lib };
