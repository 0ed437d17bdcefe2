#!/usr/bin/env node
// Registers the tslab (TypeScript) and jslab (JavaScript) Jupyter kernels project-locally:
// kernelspecs go to <repo>/.jupyter/share/jupyter/kernels/{tslab,jslab}, nothing is written to
// ~/.local or /usr. Jupyter finds them through JUPYTER_PATH=<repo>/.jupyter/share/jupyter.
//
//   npm run setup:jupyter            # idempotent; re-registers only when out of date
//   npm run setup:jupyter -- --force # re-register anyway
//
// Works with a pip install (requirements-dev.txt: JupyterLab, nbconvert, ...) and with Debian's
// packages (apt-get install jupyter-nbconvert python3-nbclient jupyter-client jupyter-notebook).
// Set JUPYTER_PYTHON=/path/to/python to choose the interpreter explicitly.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const PREFIX = path.join(ROOT, ".jupyter");
const JUPYTER_DATA = path.join(PREFIX, "share", "jupyter");
const KERNELS_DIR = path.join(JUPYTER_DATA, "kernels");
const IS_WIN = process.platform === "win32";
const TSLAB_BIN = path.join(ROOT, "node_modules", ".bin", IS_WIN ? "tslab.cmd" : "tslab");

const INSTALL_HINT =
  "Install Jupyter first, either with pip (in a virtualenv):\n" +
  "    pip install -r requirements-dev.txt\n" +
  "or on Debian/Ubuntu:\n" +
  "    sudo apt-get install -y jupyter-nbconvert python3-nbclient jupyter-client jupyter-notebook\n" +
  "or point JUPYTER_PYTHON at a Python that has jupyter_client installed.";

/** Finds an executable on PATH (POSIX; on Windows also tries PATHEXT). */
function whichSync(name, env = process.env) {
  const exts = IS_WIN ? (env.PATHEXT || ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        /* not here */
      }
    }
  }
  return null;
}

/**
 * The interpreter named by a script's shebang. Handles `#!/path/python`, `#!/usr/bin/env [-S] python3`
 * and pip's long-path form (`#!/bin/sh` + `'''exec' "/long/path/python" "$0" "$@"`).
 */
function shebangInterpreter(file) {
  let head;
  try {
    const fd = fs.openSync(file, "r");
    try {
      const buf = Buffer.alloc(1024);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      head = buf.subarray(0, n).toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return null;
  }
  if (!head.startsWith("#!")) return null;
  const lines = head.split(/\r?\n/);
  const first = (lines[0] || "").slice(2).trim();
  if (/^\/bin\/(ba)?sh$/.test(first)) {
    const m = /'''exec'\s+"([^"]+)"/.exec(lines[1] || "") || /'''exec'\s+(\S+)/.exec(lines[1] || "");
    return m ? m[1] : null;
  }
  const parts = first.split(/\s+/).filter(Boolean);
  if (parts.length === 0) return null;
  if (path.basename(parts[0]) === "env") {
    const rest = parts.slice(1).filter((p) => !p.startsWith("-") && !p.includes("="));
    return rest[0] || null;
  }
  return parts[0];
}

function canImport(python, modules, env = process.env) {
  const code = modules.map((m) => `import ${m}`).join("; ");
  const r = spawnSync(python, ["-c", code], { stdio: "ignore", env, timeout: 60_000 });
  return !r.error && r.status === 0;
}

/**
 * The first Python that can import `modules` (default: jupyter_client), trying in order:
 * $JUPYTER_PYTHON, the interpreter in the shebang of `jupyter` on PATH, `python3`, `/usr/bin/python3`.
 * Returns { python, source, tried } or null (tried lists the candidates that were checked).
 */
function findJupyterPython({ modules = ["jupyter_client"], env = process.env } = {}) {
  const candidates = [];
  if (env.JUPYTER_PYTHON) candidates.push({ python: env.JUPYTER_PYTHON, source: "$JUPYTER_PYTHON" });
  const jupyter = whichSync("jupyter", env);
  if (jupyter) {
    const py = shebangInterpreter(jupyter);
    if (py) candidates.push({ python: py, source: `shebang of ${jupyter}` });
  }
  candidates.push({ python: IS_WIN ? "python" : "python3", source: "PATH" });
  if (!IS_WIN) candidates.push({ python: "/usr/bin/python3", source: "system" });

  const tried = [];
  const seen = new Set();
  for (const c of candidates) {
    if (seen.has(c.python)) continue;
    seen.add(c.python);
    tried.push(c.python);
    if (canImport(c.python, modules, env)) return { ...c, tried };
  }
  const err = new Error(`No Python with ${modules.join(", ")} found (tried: ${tried.join(", ")}).\n${INSTALL_HINT}`);
  err.code = "ENOJUPYTER";
  err.tried = tried;
  throw err;
}

/** `env` (default process.env) with the project's Jupyter data dir first on JUPYTER_PATH. */
function jupyterEnv(env = process.env) {
  const parts = (env.JUPYTER_PATH || "").split(path.delimiter).filter((p) => p && p !== JUPYTER_DATA);
  return { ...env, JUPYTER_PATH: [JUPYTER_DATA, ...parts].join(path.delimiter) };
}

function expectedKernelJson(jsKernel) {
  const argv = [TSLAB_BIN, "kernel", "--config-path", "{connection_file}"];
  if (jsKernel) argv.push("--js");
  return {
    argv,
    display_name: jsKernel ? "JavaScript" : "TypeScript",
    language: jsKernel ? "javascript" : "typescript",
  };
}

function kernelJsonPath(name) {
  return path.join(KERNELS_DIR, name, "kernel.json");
}

/** True if both kernelspecs exist and start this checkout's tslab. */
function isRegistered() {
  for (const [name, js] of [
    ["tslab", false],
    ["jslab", true],
  ]) {
    try {
      const spec = JSON.parse(fs.readFileSync(kernelJsonPath(name), "utf8"));
      if (JSON.stringify(spec.argv) !== JSON.stringify(expectedKernelJson(js).argv)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Registers the kernels under <repo>/.jupyter with `tslab install --prefix`. Idempotent: does
 * nothing when the kernelspecs are already there and point at this checkout (unless force).
 * Returns { python, prefix, jupyterPath, kernelsDir, changed }.
 */
function setupJupyter({ force = false, quiet = false, env = process.env } = {}) {
  const log = quiet ? () => {} : (msg) => console.log(msg);
  if (!fs.existsSync(TSLAB_BIN)) {
    throw new Error(`${path.relative(ROOT, TSLAB_BIN)} is missing: run \`npm install\` first (tslab is a devDependency).`);
  }
  const found = findJupyterPython({ env });
  log(`setup-jupyter: using Python ${found.python} (${found.source})`);
  const result = { python: found.python, prefix: PREFIX, jupyterPath: JUPYTER_DATA, kernelsDir: KERNELS_DIR, changed: false };

  if (!force && isRegistered()) {
    log(`setup-jupyter: tslab kernel already registered in ${path.relative(ROOT, KERNELS_DIR)}/`);
    return result;
  }

  const tslabMain = require.resolve("tslab/bin/tslab", { paths: [ROOT] });
  const args = [tslabMain, "install", `--python=${found.python}`, `--binary=${TSLAB_BIN}`, `--prefix=${PREFIX}`];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: "utf8" });
  if (!quiet) {
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stderr.write(r.stderr);
  }
  if (r.error || r.status !== 0 || !isRegistered()) {
    // tslab's install.py also imports IPython, which a bare jupyter_client install may lack.
    // The kernelspec is just a kernel.json, so write the identical files ourselves.
    log("setup-jupyter: `tslab install` failed; writing the kernelspecs directly");
    for (const [name, js] of [
      ["tslab", false],
      ["jslab", true],
    ]) {
      fs.mkdirSync(path.dirname(kernelJsonPath(name)), { recursive: true });
      fs.writeFileSync(kernelJsonPath(name), JSON.stringify(expectedKernelJson(js), null, 1) + "\n");
    }
  }
  if (!isRegistered()) throw new Error(`setup-jupyter: could not register the kernels in ${KERNELS_DIR}`);
  result.changed = true;
  log(`setup-jupyter: registered tslab (TypeScript) and jslab (JavaScript) in ${path.relative(ROOT, KERNELS_DIR)}/`);
  return result;
}

function main(argv) {
  const force = argv.includes("--force");
  try {
    const res = setupJupyter({ force });
    console.log("\nTo use the kernels, set in your shell:");
    console.log(`  export JUPYTER_PATH=${res.jupyterPath}`);
    console.log("then start `jupyter lab` or `jupyter notebook` from the repo and pick the TypeScript kernel,");
    console.log("or run all notebooks headless with `npm run notebooks`.");
  } catch (err) {
    console.error(err && err.message ? err.message : err);
    process.exit(1);
  }
}

module.exports = { setupJupyter, jupyterEnv, findJupyterPython, isRegistered, shebangInterpreter, JUPYTER_DATA, KERNELS_DIR, ROOT };

if (require.main === module) main(process.argv.slice(2));
