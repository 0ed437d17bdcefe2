// The architecture diagram's checks: the labels its Mermaid source defines, and whether a rendered SVG reaches
// outside itself. scripts/render-diagram.js refuses an SVG that is not self-contained; the tests check that the
// committed SVG shows every label of docs/architecture.mmd.

/** XML namespace names: identifiers that are never fetched, so the only `http` strings an SVG may hold. */
export const XML_NAMESPACES: readonly string[] = [
  "http://www.w3.org/2000/svg",
  "http://www.w3.org/1999/xhtml",
  "http://www.w3.org/1999/xlink",
  "http://www.w3.org/XML/1998/namespace",
];

/** A node, subgraph or edge label of a Mermaid flowchart, with where it was defined. */
export interface DiagramLabel {
  /** The node's or subgraph's id; empty for an edge label. */
  id: string;
  /** The label as written, `<br/>` included. */
  text: string;
  /** The label's lines as the rendered diagram shows them (split at `<br/>`, entities decoded). */
  lines: string[];
  /** 1-based line of the source. */
  line: number;
}

// A node definition: an id followed by one of Mermaid's shapes. Longer delimiters come first so that `[[x]]` is not
// read as `[` + `[x]`. Quoted labels (`["a (b)"]`) may contain the closing delimiters.
const SHAPES: readonly (readonly [string, string])[] = [
  ["[[", "]]"],
  ["[(", ")]"],
  ["((", "))"],
  ["{{", "}}"],
  ["[/", "/]"],
  ["[\\", "\\]"],
  ["([", "])"],
  ["[", "]"],
  ["(", ")"],
  ["{", "}"],
  [">", "]"],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

const NODE = new RegExp(
  `(?<![\\w-])([A-Za-z_][\\w-]*)\\s*(?:${SHAPES.map(
    ([open, close]) => `${escapeRegExp(open)}(?:"([^"]*)"|([^"]*?))${escapeRegExp(close)}`,
  ).join("|")})`,
  "g",
);
const EDGE_LABEL = /\|([^|]+)\|/g;
const DOTTED_LABEL = /-\.\s+([^.>][^>]*?)\s+\.->/g;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** Decodes the entities Mermaid labels and SVG text use (named ones above, `#NN;` and `#xNN;`). */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function labelOf(id: string, text: string, line: number): DiagramLabel {
  const lines = text
    .split(/<br\s*\/?>/i)
    .map((l) => decodeEntities(l).trim())
    .filter((l) => l.length > 0);
  return { id, text, lines, line };
}

/** Removes the quoted and bracketed parts of a line, so edge labels are looked for between nodes only. */
function withoutNodes(line: string): string {
  return line.replace(NODE, (_m, id: string) => id);
}

/**
 * The labels a Mermaid flowchart defines: every `ID[label]`-style node (all of Mermaid's shapes), every
 * `subgraph ID[label]` title (a bare `subgraph Name` is its own title) and every edge label (`-->|label|`,
 * `-. label .->`). Comments (`%%`) and `accTitle:`/`accDescr:` lines are skipped; a node defined twice counts once, with
 * its first label.
 */
export function mermaidLabels(source: string): DiagramLabel[] {
  const labels: DiagramLabel[] = [];
  const seen = new Set<string>();
  source.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim();
    // Accessibility title and description go to the SVG's <title> and <desc>, not into the picture.
    if (text === "" || text.startsWith("%%") || /^acc(?:Title|Descr)\s*:/.test(text)) return;
    const subgraph = /^subgraph\s+([A-Za-z_][\w-]*)\s*$/.exec(text);
    if (subgraph?.[1]) {
      labels.push(labelOf(subgraph[1], subgraph[1], i + 1));
      return;
    }
    for (const m of text.matchAll(NODE)) {
      const id = m[1] ?? "";
      const label = m.slice(2).find((g) => g !== undefined) ?? "";
      if (seen.has(id)) continue;
      seen.add(id);
      labels.push(labelOf(id, label, i + 1));
    }
    const links = withoutNodes(text);
    for (const m of links.matchAll(EDGE_LABEL)) labels.push(labelOf("", m[1] ?? "", i + 1));
    for (const m of links.matchAll(DOTTED_LABEL)) labels.push(labelOf("", m[1] ?? "", i + 1));
  });
  return labels;
}

/**
 * What a rendered SVG would load from elsewhere: `http(s)` URLs other than XML namespace names, `href`s that are
 * neither in-file fragments (`#id`) nor data URLs, CSS `url(...)` and `@import` outside the file, and scripts. An
 * empty list means the file shows the same with no network.
 */
export function svgExternalReferences(svg: string): string[] {
  const found = new Set<string>();
  for (const m of svg.matchAll(/https?:\/\/[^\s"'()<>]+/gi)) {
    if (!XML_NAMESPACES.includes(m[0])) found.add(m[0]);
  }
  for (const m of svg.matchAll(/\b(?:xlink:)?href\s*=\s*["']([^"']*)["']/gi)) {
    const ref = m[1] ?? "";
    if (!ref.startsWith("#") && !ref.startsWith("data:")) found.add(`href="${ref}"`);
  }
  for (const m of svg.matchAll(/url\(\s*["']?([^"')]*)["']?\s*\)/gi)) {
    const ref = m[1] ?? "";
    if (!ref.startsWith("#") && !ref.startsWith("data:")) found.add(`url(${ref})`);
  }
  for (const m of svg.matchAll(/@import\b[^;]*;?/gi)) found.add(m[0]);
  if (/<script\b/i.test(svg)) found.add("<script>");
  return [...found];
}

/**
 * The text of each <text> element of an SVG, in document order: the character data of the element and its <tspan>s
 * joined as a browser lays it out on one line (entities decoded, runs of whitespace one space, trimmed).
 */
export function svgTexts(svg: string): string[] {
  const texts: string[] = [];
  for (const m of svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/gi)) {
    const inner = (m[1] ?? "").replace(/<[^>]*>/g, (tag) => (/^<\/?tspan\b[^>]*\bclass="[^"]*\brow\b/i.test(tag) ? " " : ""));
    texts.push(decodeEntities(inner).replace(/\s+/g, " ").trim());
  }
  return texts;
}

/**
 * The labels of a Mermaid flowchart that a rendered SVG does not show, each with the source line that defines it
 * (`TRAIN (line 9): churn train<br/>CV tuning`). A label is shown when one <text> element of the SVG reads its lines
 * in order, whatever rows Mermaid wrapped them into. Empty when every node, subgraph and edge label is there.
 */
export function missingDiagramLabels(source: string, svg: string): string[] {
  const shown = new Set(svgTexts(svg));
  return mermaidLabels(source)
    .filter((label) => !shown.has(label.lines.join(" ").replace(/\s+/g, " ")))
    .map((label) => `${label.id || "edge label"} (line ${label.line}): ${label.text}`);
}
