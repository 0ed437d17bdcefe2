// Example customers with different leading reasons: drawn from the riskiest, one per leading field, deterministic.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import seedrandom from "seedrandom";

import { cleanFile } from "../../lib/cleaning";
import { distinctReasonExamples, explainCustomer } from "../../lib/inspection";
import { PipelineScorer } from "../../lib/artifact/scorer";
import type { Customer } from "../../lib/core/schema";
import { shuffled } from "../../lib/core/split";
import { rawFile } from "../support";

/** A scored customer whose reasons lead with the given fields. */
const item = (id: string, score: number, ...fields: string[]): { id: string; score: number; reasons: { field: string }[] } => ({
  id,
  score,
  reasons: fields.map((field) => ({ field })),
});

const ids = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id);

describe("distinctReasonExamples", () => {
  const scored = [
    item("a", 0.91, "Contract", "tenure"),
    item("b", 0.97, "Contract", "PaymentMethod"),
    item("c", 0.95, "tenure", "Contract"),
    item("d", 0.93, "Contract"),
    item("e", 0.6, "InternetService"),
    item("f", 0.94, "tenure"),
    item("g", 0.92, "MonthlyCharges", "Contract"),
  ];

  test("walks down the ranking and takes a customer only when its leading field is new", () => {
    // Ranking: b .97 Contract, c .95 tenure, f .94 tenure, d .93 Contract, g .92 MonthlyCharges, a .91, e .60.
    assert.deepEqual(ids(distinctReasonExamples(scored, 3)), ["b", "c", "g"]);
    assert.deepEqual(ids(distinctReasonExamples(scored, 4)), ["b", "c", "g", "e"]);
    assert.deepEqual(ids(distinctReasonExamples(scored, 1)), ["b"]);
    assert.deepEqual(distinctReasonExamples(scored, 0), []);
  });

  test("stays among the riskiest: the pool bounds where examples come from, and repeats fill what it lacks", () => {
    // The 4 riskiest lead with only Contract and tenure: the third place goes to the riskiest not taken (f).
    assert.deepEqual(ids(distinctReasonExamples(scored, 3, { pool: 4 })), ["b", "c", "f"]);
    assert.deepEqual(ids(distinctReasonExamples(scored, 3, { pool: 2 })), ["b", "c"]);
    const same = [item("x", 0.5, "Contract"), item("y", 0.7, "Contract"), item("z", 0.6, "Contract"), item("w", 0.4, "Contract")];
    assert.deepEqual(ids(distinctReasonExamples(same, 3)), ["y", "z", "x"], "no variety: the riskiest, in order");
  });

  test("customers without reasons only fill places; equal scores keep input order", () => {
    const list = [item("p", 0.9), item("q", 0.8, "tenure"), item("r", 0.8, "tenure"), item("s", 0.7, "Contract")];
    assert.deepEqual(ids(distinctReasonExamples(list, 2)), ["q", "s"]);
    assert.deepEqual(ids(distinctReasonExamples(list, 3)), ["p", "q", "s"]);
    const tied = [item("t1", 0.5, "tenure"), item("t2", 0.5, "tenure"), item("t3", 0.5, "Contract")];
    assert.deepEqual(ids(distinctReasonExamples(tied, 2)), ["t1", "t3"]);
  });

  test("is deterministic: the same examples whatever order the customers come in (distinct scores)", () => {
    const want = ids(distinctReasonExamples(scored, 3));
    const rng = seedrandom("examples");
    for (let r = 0; r < 20; r++) assert.deepEqual(ids(distinctReasonExamples(shuffled(scored, rng), 3)), want);
  });

  test("refuses a bad count, pool or score, naming it", () => {
    assert.throws(() => distinctReasonExamples(scored, -1), /n must be an integer of at least 0, got -1/);
    assert.throws(() => distinctReasonExamples(scored, 1.5), /n must be an integer/);
    assert.throws(() => distinctReasonExamples(scored, 2, { pool: 0 }), /pool must be an integer of at least 1, got 0/);
    assert.throws(
      () => distinctReasonExamples([item("a", 0.5, "tenure"), item("b", Number.NaN, "tenure")], 1),
      /scored customer 1 has score NaN/,
    );
  });

  test("on real explanations: the riskiest customers' examples lead with different raw fields", () => {
    const customers = shuffled(cleanFile(rawFile("telco-customer-churn.csv")).customers, seedrandom("examples-test"));
    const train = customers.slice(0, 400);
    const label = (c: Customer): number => (c.Churn === "Yes" ? 1 : 0);
    const lr = PipelineScorer.fit("lr", "logistic_regression", {}, { scale: "all" }, train, train.map(label));
    const probe = customers.slice(400, 700);
    const explained = probe.map((customer) => ({
      customer,
      score: lr.scoreOne(customer),
      reasons: explainCustomer(lr, customer, 3).reasons,
    }));
    const examples = distinctReasonExamples(explained, 3);
    assert.equal(examples.length, 3);
    const leading = examples.map((e) => e.reasons[0]?.field);
    assert.equal(new Set(leading).size, 3, `leading fields ${leading.join(", ")}`);
    // Each example is among the 30 riskiest (the default pool, 10 x n), and the riskiest customer is the first.
    const cutoff = [...explained].sort((a, b) => b.score - a.score)[29]?.score as number;
    for (const e of examples) assert.ok(e.score >= cutoff);
    assert.equal(examples[0]?.score, Math.max(...explained.map((e) => e.score)));
    assert.deepEqual(distinctReasonExamples(explained, 3), examples, "same input, same examples");
  });
});
