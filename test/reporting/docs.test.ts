// Generated documentation: sections are regenerated between markers, --check catches a stale number, and generation
// from the same artifacts is reproducible.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { applySections, generateSections, markdownTable, type DocSection } from "../../lib/reporting/docs";
import { fixtureCopy } from "../fixtures";
import { memo, rawFile } from "../support";

const artifacts = memo(() => fixtureCopy("export"));

const section = (name: string, markdown: string, measured = false): DocSection => ({ name, markdown, measured });

describe("generated sections", () => {
  test("applySections replaces marker contents, reports changes, and flags only deterministic ones as stale", () => {
    const doc =
      "# T\n<!-- generated:a -->\nold\n<!-- /generated:a -->\ntext\n<!-- generated:m -->\nold m\n<!-- /generated:m -->\n<!-- generated:zzz -->\nx\n<!-- /generated:zzz -->\n";
    const r = applySections(doc, [section("a", "new a"), section("m", "new m", true)]);
    assert.match(r.text, /<!-- generated:a -->\nnew a\n<!-- \/generated:a -->/);
    assert.match(r.text, /<!-- generated:m -->\nnew m\n<!-- \/generated:m -->/);
    assert.match(r.text, /text\n/);
    assert.deepEqual(r.changed, ["a", "m"]);
    assert.deepEqual(r.stale, ["a"], "a measured section may differ by machine");
    assert.deepEqual(r.unknown, ["zzz"]);
    const again = applySections(r.text, [section("a", "new a"), section("m", "new m", true)]);
    assert.equal(again.text, r.text);
    assert.deepEqual(again.changed, []);
  });

  test("markdownTable escapes pipes and formats numbers", () => {
    assert.equal(markdownTable([{ a: 1, b: 0.123456, c: "x|y" }]), "| a | b | c |\n|---|---|---|\n| 1 | 0.1235 | x\\|y |");
  });

  test("every section is generated from the artifacts, reproducibly, and a changed artifact changes the text", async () => {
    const dir = await artifacts();
    const inputs = { artifactsDir: dir, exportFile: rawFile("customer_churn_data.csv") };
    const first = generateSections(inputs);
    const names = first.map((s) => s.name);
    for (const n of ["data-quality", "eda-findings", "model-comparison", "evaluation", "drift-demo", "serving-performance"])
      assert.ok(names.includes(n), n);
    const second = generateSections(inputs);
    assert.deepEqual(
      second.filter((s) => !s.measured),
      first.filter((s) => !s.measured),
    );
    const metricsPath = path.join(dir, "metrics.json");
    const metrics = JSON.parse(fs.readFileSync(metricsPath, "utf8")) as { models: Record<string, { test: { roc_auc: number } }> };
    const original = fs.readFileSync(metricsPath, "utf8");
    for (const m of Object.values(metrics.models)) m.test.roc_auc = 0.5;
    fs.writeFileSync(metricsPath, JSON.stringify(metrics));
    try {
      const doc = first.map((s) => `<!-- generated:${s.name} -->\n${s.markdown}\n<!-- /generated:${s.name} -->`).join("\n");
      const check = applySections(doc, generateSections(inputs));
      assert.deepEqual(check.stale, ["model-comparison"]);
    } finally {
      fs.writeFileSync(metricsPath, original);
    }
  });
});
