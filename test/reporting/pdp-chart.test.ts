// The partial-dependence caveat: named for a shown field with a strongly correlated partner, silent otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pdpCorrelationCaveats } from "../../lib/reporting";
import { testCustomer } from "../support";

test("a caveat names the correlated partner and its r; uncorrelated or categorical fields get none", () => {
  // TotalCharges = tenure x 70 exactly: r = 1 with tenure; MonthlyCharges alternates, uncorrelated with both.
  const customers = Array.from({ length: 40 }, (_, i) =>
    testCustomer({ tenure: i + 1, MonthlyCharges: i % 2 ? 30 : 90, TotalCharges: (i + 1) * 70 }),
  );
  const [caveat, ...rest] = pdpCorrelationCaveats(customers, ["TotalCharges", "Contract"]);
  assert.equal(rest.length, 0);
  assert.match(caveat ?? "", /^TotalCharges correlates 1\.00 with tenure:/);
  assert.deepEqual(pdpCorrelationCaveats(customers, ["MonthlyCharges"]), []);
  assert.deepEqual(pdpCorrelationCaveats(customers, ["TotalCharges"], 1.01), []);
});
