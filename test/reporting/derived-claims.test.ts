// Notebook 02's check of each derived feature against its rationale's claim.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Customer } from "../../lib/core/schema";
import { claimSentence, derivedFeatureClaims } from "../../lib/reporting/eda";
import { testCustomer } from "../support";

/** `n` labeled customers with the overrides, `churners` of them churned. */
function group(n: number, churners: number, overrides: Partial<Customer>): Customer[] {
  return Array.from({ length: n }, (_, i) =>
    testCustomer({ ...overrides, customerID: `${JSON.stringify(overrides)}-${i}`, Churn: i < churners ? "Yes" : "No" }),
  );
}

test("a claim holds when churn moves the claimed way and fails when a step goes against it with intervals apart", () => {
  // Auto-pay customers churning far more than manual payers contradicts "auto-pay customers should churn less".
  const against = [
    ...group(200, 20, { PaymentMethod: "Electronic check" }),
    ...group(200, 120, { PaymentMethod: "Credit card (automatic)" }),
  ];
  const autoPay = derivedFeatureClaims(against).find((c) => c.feature === "auto_pay");
  assert.ok(autoPay);
  assert.equal(autoPay.holds, false);
  assert.deepEqual(autoPay.against, ["0 → 1"]);
  assert.deepEqual(
    autoPay.rows.map((r) => [r.level, r.churnRate]),
    [
      ["0", 0.1],
      ["1", 0.6],
    ],
  );
  assert.match(
    claimSentence(autoPay),
    /^\*\*auto_pay\*\* does not behave as its rationale claims \(churn falling along its levels\): 0: 10\.0%, 1: 60\.0%; against the claim/,
  );

  const along = [
    ...group(200, 120, { PaymentMethod: "Electronic check" }),
    ...group(200, 20, { PaymentMethod: "Bank transfer (automatic)" }),
  ];
  const holds = derivedFeatureClaims(along).find((c) => c.feature === "auto_pay");
  assert.equal(holds?.holds, true);
  assert.deepEqual(holds?.against, []);
  assert.match(claimSentence(holds), /behaves as its rationale claims/);
});

test("a difference inside the intervals does not count against a claim, and small levels are left out", () => {
  const close = [
    ...group(100, 30, { PaymentMethod: "Electronic check" }),
    ...group(100, 33, { PaymentMethod: "Credit card (automatic)" }),
    ...group(10, 10, { PaymentMethod: "Mailed check" }),
  ];
  const autoPay = derivedFeatureClaims(close).find((c) => c.feature === "auto_pay");
  assert.equal(autoPay?.holds, true);
  // The 10 mailed-check churners join level 0 (manual payment): 40 of 110.
  assert.deepEqual(
    autoPay?.rows.map((r) => r.customers),
    [110, 100],
  );
});

test("levels are checked in the feature's order, and a highest-level claim names the level that must lead", () => {
  const rows = derivedFeatureClaims([
    ...group(100, 10, { Contract: "Month-to-month", PaymentMethod: "Electronic check" }),
    ...group(100, 50, { Contract: "One year", PaymentMethod: "Mailed check" }),
  ]);
  const cp = rows.find((c) => c.feature === "contract_payment");
  assert.deepEqual(
    cp?.rows.map((r) => r.level),
    ["monthly/echeck", "term/mailed"],
  );
  assert.equal(cp?.holds, false);
  assert.match(claimSentence(cp), /the highest churn at monthly\/echeck/);
  // Features whose rationale claims no direction are not checked.
  assert.equal(
    rows.some((c) => c.feature === "avg_monthly_bill"),
    false,
  );
});
