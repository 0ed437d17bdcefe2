// The system Chromium, for the scripts that render pages (figures, the slide deck's PDF): where it is, and a
// puppeteer-core browser on it. puppeteer-core never downloads a browser; it drives the one found here.
//
// Where: env CHROMIUM (a path), else the first of chromium / chromium-browser / google-chrome(-stable) on PATH.
// Flags: headless, no sandbox (CI runs as root), and no background networking, component updates or sync, so
// Chromium makes no connection of its own on a machine without network.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

const QUIET_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The Chromium binary: env CHROMIUM, else the first known name on PATH; null when none. */
function findChromium(env = process.env) {
  const given = env.CHROMIUM && env.CHROMIUM.trim();
  if (given) return fs.existsSync(given) ? given : null;
  for (const dir of (env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    for (const name of CHROMIUM_NAMES) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Why no Chromium was found, as a sentence that says what to do. */
function missingChromium(env = process.env) {
  const given = env.CHROMIUM && env.CHROMIUM.trim();
  const where = given ? `CHROMIUM=${given} does not exist` : `none of ${CHROMIUM_NAMES.join(", ")} is on PATH`;
  return `Chromium not found (${where}): install it (apt-get install chromium) or set CHROMIUM to its path`;
}

/**
 * Runs `use(browser)` with a headless puppeteer-core browser on the system Chromium and a throw-away profile, and
 * closes both afterwards, whatever `use` does. `launch` adds puppeteer launch options (e.g. handleSIGINT: false for a
 * caller that stops other processes of its own on a signal before exiting).
 */
async function withBrowser(chromium, use, launch = {}) {
  const puppeteer = require("puppeteer-core");
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-chromium-"));
  // A process.exit() before the finally below (a signal handler's) would leave the profile behind; puppeteer kills
  // the browser on exit itself.
  const removeProfile = () => fs.rmSync(userDataDir, { recursive: true, force: true });
  process.once("exit", removeProfile);
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, userDataDir, args: QUIET_FLAGS, ...launch });
  try {
    return await use(browser);
  } finally {
    await browser.close();
    process.removeListener("exit", removeProfile);
    removeProfile();
  }
}

module.exports = { CHROMIUM_NAMES, QUIET_FLAGS, findChromium, missingChromium, withBrowser };
