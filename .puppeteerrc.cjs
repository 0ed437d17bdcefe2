// puppeteer (the peer @mermaid-js/mermaid-cli imports) never downloads a browser of its own: the scripts drive the
// system Chromium (scripts/lib/chromium.js), and the download would fail offline wherever npm runs its install script.
module.exports = { skipDownload: true };
