// The summaries notebooks 01 and 02 and the deck quote: class balance, correlations with a target, churn rates by a
// derived feature, the derived feature with the widest spread.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { CorrelationMatrix, FeatureSignal } from "../../lib/reporting/eda";
import { churnRateByDerived, classBalance, correlationOf, correlationsWith, widestSpread } from "../../lib/reporting/eda-summary";
import { testCustomer } from "../support";

const customer = testCustomer;

test("classBalance counts labeled customers and churners and the stayers per churner", () => {
  const cs = [
    ...Array.from({ length: 3 }, () => customer({ Churn: "Yes" })),
    ...Array.from({ length: 9 }, () => customer({ Churn: "No" })),
    ...Array.from({ length: 5 }, () => customer({ Churn: null })),
  ];
  assert.deepEqual(classBalance(cs), { labeled: 12, churners: 3, churnRate: 0.25, imbalance: 3 });
  const none = classBalance([customer({ Churn: null })]);
  assert.equal(none.labeled, 0);
  assert.ok(Number.isNaN(none.churnRate) && Number.isNaN(none.imbalance));
  assert.ok(Number.isNaN(classBalance([customer({ Churn: "No" })]).imbalance));
});

const matrix: CorrelationMatrix = {
  names: ["tenure", "MonthlyCharges", "TotalCharges", "churn"],
  values: [
    [1, 0.25, 0.83, -0.35],
    [0.25, 1, 0.65, 0.19],
    [0.83, 0.65, 1, -0.2],
    [-0.35, 0.19, -0.2, 1],
  ],
};

test("correlationsWith lists the other variables, strongest |r| first", () => {
  assert.deepEqual(correlationsWith(matrix, "churn"), [
    { feature: "tenure", r: -0.35 },
    { feature: "TotalCharges", r: -0.2 },
    { feature: "MonthlyCharges", r: 0.19 },
  ]);
  assert.throws(() => correlationsWith(matrix, "gender"), /no variable gender/);
});

test("correlationOf reads one pair, in either order", () => {
  assert.equal(correlationOf(matrix, "tenure", "TotalCharges"), 0.83);
  assert.equal(correlationOf(matrix, "TotalCharges", "tenure"), 0.83);
  assert.throws(() => correlationOf(matrix, "tenure", "nope"), /no variable nope/);
});

test("churnRateByDerived groups labeled customers by a derived feature's level or numeric bin", () => {
  const cs = [
    customer({ Churn: "Yes" }), // services_count: phone + DSL = 2
    customer({ Churn: "No" }),
    customer({ Churn: "Yes", OnlineSecurity: "Yes", TechSupport: "Yes" }), // 4
    customer({ Churn: "No", OnlineSecurity: "Yes", TechSupport: "Yes" }),
    customer({ Churn: "No", OnlineSecurity: "Yes", TechSupport: "Yes" }),
    customer({ Churn: null, OnlineSecurity: "Yes", TechSupport: "Yes" }),
  ];
  const rows = churnRateByDerived(cs, "services_count", ["2", "4"]);
  assert.deepEqual(
    rows.map((r) => [r.level, r.customers, r.churners]),
    [
      ["2", 2, 1],
      ["4", 3, 1],
    ],
  );
  assert.equal(rows[1]?.churnRate, 1 / 3);
  // Numeric features are read in binNumeric's bins: avg_monthly_bill in $20 steps.
  const bills = churnRateByDerived(
    [customer({ Churn: "Yes", tenure: 10, TotalCharges: 450 }), customer({ Churn: "No", tenure: 10, TotalCharges: 470 })],
    "avg_monthly_bill",
  );
  assert.deepEqual(
    bills.map((r) => r.level),
    ["40-60"],
  );
});

test("widestSpread picks the feature whose churn rate varies most across its levels", () => {
  const signal = (feature: string, lowestRate: number, highestRate: number): FeatureSignal => ({
    feature,
    kind: "category",
    rationale: "",
    defined: 10,
    lowestRate,
    highestRate,
    correlation: null,
  });
  assert.equal(widestSpread([signal("a", 0.1, 0.3), signal("b", 0.05, 0.5), signal("c", 0.4, 0.6)])?.feature, "b");
  // A tie (spreads exactly 0.25 in binary) goes to the first.
  assert.equal(widestSpread([signal("a", 0, 0.25), signal("b", 0.25, 0.5)])?.feature, "a");
  assert.equal(widestSpread([]), undefined);
});
