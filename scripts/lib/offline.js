// Whether a generated HTML page works offline: the script and stylesheet sources it still loads from elsewhere.
// Used by scripts/slides.js (the reveal.js deck) and scripts/run-notebooks.js (the HTML report).
"use strict";

/** Script and stylesheet sources in the HTML that are not relative paths (http(s), protocol-relative, file:). */
function externalSources(html) {
  const found = new Set();
  const re = /<(script|link)\b[^>]*?\b(src|href)\s*=\s*["']([^"']*)["']/gi;
  let m;
  while ((m = re.exec(html)) !== null) {
    if (/^(https?:|\/\/|file:)/i.test(m[3])) found.add(`<${m[1]} ${m[2]}="${m[3]}">`);
  }
  return [...found];
}

module.exports = { externalSources };
