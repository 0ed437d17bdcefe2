// Checks the README figures' specifications: deterministic, non-empty, alt texts with their numbers, digests that move
// with the data; and scripts/render-figures.js's --check bookkeeping (no browser needed).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { type DocFigure, docFigures, figureDigest } from "../../lib/reporting/doc-figures";
import { fixtureCopy } from "../fixtures";
import { memo, rawFile, repoRoot } from "../support";

const data = (): string => rawFile("customer_churn_data.csv");

/** The quick export fixture (model and study) in a private copy, with a small serving benchmark added. */
const artifacts = memo(async () => {
  const dir = await fixtureCopy("export");
  fs.mkdirSync(path.join(dir, "bench"));
  fs.writeFileSync(
    path.join(dir, "bench", "bench-serve.json"),
    JSON.stringify({
      machine: { cpus: 2 },
      http: [
        { label: "ours workers=1 log=info reasons=3", rps: 9000.5 },
        { label: "ours workers=2 log=warn reasons=0", rps: 12000.25 },
      ],
      peer: { label: "peer FastAPI (xgboost)", rps: 150 },
    }),
  );
  return dir;
});

const figuresOnce = memo(async () => docFigures({ artifactsDir: await artifacts(), exportFile: data() }));

const traceValues = (f: DocFigure): unknown[] => f.figure.data.flatMap((t) => [t["x"], t["y"]]).filter((v) => Array.isArray(v));

describe("README figures", () => {
  test("are deterministic: two calls give the same digests and the same JSON", async () => {
    const first = await figuresOnce();
    const second = docFigures({ artifactsDir: await artifacts(), exportFile: data() });
    assert.deepEqual(
      second.map((f) => [f.name, figureDigest(f.figure)]),
      first.map((f) => [f.name, figureDigest(f.figure)]),
    );
    assert.equal(JSON.stringify(second), JSON.stringify(first));
  });

  test("every figure has a unique file-safe name, a title, data to draw and an alt text with a number", async () => {
    const figures = await figuresOnce();
    const names = figures.map((f) => f.name);
    for (const expected of [
      "churn-by-contract",
      "churn-by-tenure",
      "model-comparison",
      "permutation-importance",
      "test-gains",
      "value-by-top-share",
      "serving-throughput",
    ]) {
      assert.ok(names.includes(expected), `${expected} missing from ${names.join(", ")}`);
    }
    assert.equal(new Set(names).size, names.length);
    for (const f of figures) {
      assert.match(f.name, /^[a-z0-9-]+$/);
      assert.ok(f.title.trim().length > 0, `${f.name} has no title`);
      const layoutTitle = (f.figure.layout["title"] as { text?: string } | undefined)?.text ?? "";
      assert.ok(layoutTitle.trim().length > 0, `${f.name}'s figure has no title`);
      assert.ok(f.figure.data.length > 0, `${f.name} has no traces`);
      const values = traceValues(f);
      assert.ok(values.length > 0 && values.every((v) => (v as unknown[]).length > 0), `${f.name} has an empty trace`);
      assert.match(f.alt, /\d/, `${f.name}'s alt text has no number: ${f.alt}`);
      assert.ok(f.alt.endsWith("."), `${f.name}'s alt text is not a sentence: ${f.alt}`);
      assert.equal(f.measured === true, f.name === "serving-throughput", `${f.name}: only the benchmark is measured`);
    }
    const throughput = figures.find((f) => f.name === "serving-throughput") as DocFigure;
    assert.match(throughput.alt, /12,000/);
    assert.match(throughput.alt, /80x/);
  });

  test("figureDigest ignores key order and changes when the data or the layout changes", async () => {
    const f = (await figuresOnce())[0] as DocFigure;
    const digest = figureDigest(f.figure);
    assert.match(digest, /^[0-9a-f]{64}$/);
    const reordered = { layout: Object.fromEntries(Object.entries(f.figure.layout).reverse()), data: f.figure.data };
    assert.equal(figureDigest(reordered), digest);
    const copy = JSON.parse(JSON.stringify(f.figure)) as DocFigure["figure"];
    const trace = copy.data[0] as { y: number[] };
    trace.y[0] = (trace.y[0] as number) + 1e-9;
    assert.notEqual(figureDigest(copy), digest);
    assert.notEqual(figureDigest({ ...f.figure, layout: { ...f.figure.layout, width: 901 } }), digest);
  });

  test("refuses an export the artifacts were not trained on, and leaves out the benchmark when there is none", async () => {
    const dir = await artifacts();
    assert.throws(() => docFigures({ artifactsDir: dir, exportFile: rawFile("telco-customer-churn.csv") }), /not the file the artifacts/);
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), "churn-docfigs-bare-"));
    for (const name of ["metrics.json", "model.json", "split.json"]) fs.copyFileSync(path.join(dir, name), path.join(bare, name));
    const names = docFigures({ artifactsDir: bare, exportFile: data() }).map((f) => f.name);
    assert.ok(!names.includes("serving-throughput") && !names.includes("permutation-importance"), names.join(", "));
    assert.ok(names.includes("test-gains"));
  });

  test("render-figures --check lists missing PNGs and changed digests, and accepts an up-to-date folder", async () => {
    // A plain CommonJS script outside the TypeScript project, loaded by path at run time.
    const { renderFigures } = createRequire(__filename)(path.join(repoRoot, "scripts", "render-figures.js")) as {
      renderFigures: (o: Record<string, unknown>) => Promise<{ written: string[]; stale: string[] }>;
    };
    const dir = await artifacts();
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "churn-docfigs-out-"));
    const check = (): Promise<{ stale: string[] }> => renderFigures({ artifactsDir: dir, exportFile: data(), outDir, check: true });
    const figures = await figuresOnce();
    assert.equal((await check()).stale.length, figures.length);
    // A manifest and PNGs as the renderer would leave them (PNG content is not checked).
    const entries = figures.map((f) => ({
      name: f.name,
      title: f.title,
      alt: f.alt,
      file: `${f.name}.png`,
      digest: figureDigest(f.figure),
      measured: f.measured === true,
    }));
    for (const f of figures) fs.writeFileSync(path.join(outDir, `${f.name}.png`), "png");
    const writeManifest = (): void => fs.writeFileSync(path.join(outDir, "manifest.json"), JSON.stringify({ figures: entries }));
    writeManifest();
    assert.deepEqual((await check()).stale, []);
    // A measured figure's digest may differ; a seeded one's may not.
    for (const e of entries) e.digest = e.measured ? "0".repeat(64) : e.digest;
    (entries[0] as { digest: string }).digest = "f".repeat(64);
    writeManifest();
    const stale = (await check()).stale;
    assert.equal(stale.length, 1, stale.join("; "));
    assert.match(stale[0] as string, new RegExp(`^${(entries[0] as { name: string }).name}: digest`));
  });
});
