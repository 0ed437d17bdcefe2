// The EDA charts' data: levels shared by every dimension drawn once, and log-axis ticks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { churnRatePanels } from "../../lib/reporting/charts";
import type { RateRow } from "../../lib/reporting/eda";
import { logTicks } from "../../lib/reporting/modeling-report";

const row = (level: string, customers: number, churners: number): RateRow => ({
  level,
  customers,
  churners,
  churnRate: churners / customers,
  ci95: [churners / customers - 0.01, churners / customers + 0.01],
});

test("churnRatePanels draws a level holding the same customers in every dimension once, as a reference line", () => {
  const panels = [
    { name: "OnlineSecurity", rows: [row("Yes", 100, 15), row("No", 200, 80), row("No internet service", 50, 4)] },
    { name: "TechSupport", rows: [row("Yes", 120, 18), row("No", 180, 75), row("No internet service", 50, 4)] },
  ];
  const fig = churnRatePanels(panels, "add-ons", 0.25);
  const bars = fig.data.filter((t) => t["type"] === "bar");
  assert.deepEqual(
    bars.map((t) => t["name"]),
    ["Yes", "No"],
  );
  assert.deepEqual(bars[0]?.["x"], ["OnlineSecurity", "TechSupport"]);
  assert.deepEqual(bars[1]?.["y"], [0.4, 75 / 180]);
  const lines = fig.data.filter((t) => t["type"] === "scatter");
  assert.deepEqual(
    lines.map((t) => t["y"]),
    [
      [0.08, 0.08],
      [0.25, 0.25],
    ],
  );
  assert.match(String(lines[0]?.["name"]), /^No internet service: 8\.0% of 50/);
  assert.match(String(lines[1]?.["name"]), /^all customers: 25\.0%/);

  // When the level's customers differ between dimensions it stays a bar in each.
  const differ = churnRatePanels(
    [
      panels[0] as (typeof panels)[number],
      { name: "TechSupport", rows: [row("Yes", 120, 18), row("No", 180, 75), row("No internet service", 49, 4)] },
    ],
    "add-ons",
  );
  assert.deepEqual(
    differ.data.map((t) => t["name"]),
    ["Yes", "No", "No internet service"],
  );
});

test("logTicks gives 1-2-5 steps over the range and nothing for an empty or non-positive one", () => {
  assert.deepEqual(logTicks(0.45, 7), [0.5, 1, 2, 5, 10]);
  assert.deepEqual(logTicks(12, 30), [10, 20]);
  assert.deepEqual(logTicks(12, 40), [10, 20, 50]);
  assert.deepEqual(logTicks(0, 5), []);
  assert.deepEqual(logTicks(5, 1), []);
});
