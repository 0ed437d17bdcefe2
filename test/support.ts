// Shared test support: the repository's raw data, memoization, the check of a reason list, and a quick Telco design
// matrix for learner tests.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { cleanFile } from "../lib/cleaning";
import { type Customer, FEATURE_COLUMNS } from "../lib/core/schema";
import { ALL_DERIVED } from "../lib/features/pipeline";
import { fieldOf } from "../lib/inspection/reasons";
import { stratifiedSplit } from "../lib/core/split";

/** The repository root (tests run from dist/test). */
export const repoRoot = path.resolve(__dirname, "../..");

/** The committed raw data (data/raw): the tests read only these copies. */
export const rawDir = path.join(repoRoot, "data", "raw");

/** A committed raw data file; a missing file is a failure, never a skip. */
export function rawFile(name: string): string {
  const file = path.join(rawDir, name);
  assert.ok(fs.existsSync(file), `${file} is missing: it is committed under data/raw; restore it with \`git checkout -- data/raw\``);
  return file;
}

/** One customer as an API client sends it (IBM field names, no ID, no label): the committed docs/customer.json. */
export function exampleCustomer(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, "docs", "customer.json"), "utf8")) as Record<string, unknown>;
}

const RAW_FIELDS = new Set<string>(FEATURE_COLUMNS);
const DERIVED_NAMES = new Set(ALL_DERIVED);

/**
 * What is wrong with a reason list, each problem named: a field that is a derived feature, a one-hot level or anything
 * but a raw customer field, a field named twice, a reason stronger than the one before it. Empty when all is well.
 */
export function reasonProblems(reasons: readonly { field: string; contribution: number }[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  reasons.forEach((r, i) => {
    if (DERIVED_NAMES.has(fieldOf(r.field))) problems.push(`${r.field} is a derived feature`);
    if (r.field.includes("=")) problems.push(`${r.field} is a one-hot level`);
    if (!RAW_FIELDS.has(r.field)) problems.push(`${r.field} is not a raw customer field`);
    if (seen.has(r.field)) problems.push(`${r.field} appears twice`);
    seen.add(r.field);
    const prev = reasons[i - 1];
    if (prev && Math.abs(prev.contribution) < Math.abs(r.contribution))
      problems.push(`${r.field} is stronger than ${prev.field} before it`);
  });
  return problems;
}

/**
 * A full, valid, internally consistent cleaned customer: a DSL + phone month-to-month electronic-check payer with no
 * add-ons, 12 months in, not churned; `overrides` change any field.
 */
export function testCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    customerID: "0000-TESTA",
    gender: "Female",
    SeniorCitizen: 0,
    Partner: "No",
    Dependents: "No",
    tenure: 12,
    PhoneService: "Yes",
    MultipleLines: "No",
    InternetService: "DSL",
    OnlineSecurity: "No",
    OnlineBackup: "No",
    DeviceProtection: "No",
    TechSupport: "No",
    StreamingTV: "No",
    StreamingMovies: "No",
    Contract: "Month-to-month",
    PaperlessBilling: "Yes",
    PaymentMethod: "Electronic check",
    MonthlyCharges: 50,
    TotalCharges: 600,
    Churn: "No",
    ...overrides,
  };
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function memo<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

const NUMERIC = ["tenure", "MonthlyCharges", "TotalCharges", "SeniorCitizen"] as const;
const CATEGORICAL = [
  "gender",
  "Partner",
  "Dependents",
  "PhoneService",
  "MultipleLines",
  "InternetService",
  "OnlineSecurity",
  "OnlineBackup",
  "DeviceProtection",
  "TechSupport",
  "StreamingTV",
  "StreamingMovies",
  "Contract",
  "PaperlessBilling",
  "PaymentMethod",
] as const;

export interface Part {
  X: Float64Array[];
  y: number[];
}

/**
 * Train/test of the 60/20/20 split with seed 42 of the clean IBM file: every category level one-hot, numbers as they
 * are or every column standardized on train. Built independently of lib/features/pipeline.ts on purpose, so the learners'
 * tests (and their scikit-learn reference numbers, computed on this very matrix) do not move with the pipeline.
 */
export function telcoMatrix(standardize: boolean): { train: Part; test: Part } {
  const customers = cleanFile(rawFile("telco-customer-churn.csv")).customers;
  const byId = new Map(customers.map((c) => [c.customerID, c]));
  const label = (c: Customer): 0 | 1 => (c.Churn === "Yes" ? 1 : 0);
  const split = stratifiedSplit([...byId.keys()], (id) => label(byId.get(id) as Customer), 42);
  const levels = CATEGORICAL.map((col) => [...new Set(customers.map((c) => String(c[col])))].sort());
  const raw = (c: Customer): number[] => [
    ...NUMERIC.map((col) => {
      const v = c[col];
      assert.ok(typeof v === "number", `${c.customerID}.${col} is missing`);
      return v;
    }),
    ...CATEGORICAL.flatMap((col, j) => (levels[j] as string[]).map((level) => (String(c[col]) === level ? 1 : 0))),
  ];
  let transform = (r: number[]): Float64Array => Float64Array.from(r);
  if (standardize) {
    const trainRaw = split.train.map((id) => raw(byId.get(id) as Customer));
    const d = (trainRaw[0] as number[]).length;
    const mean = new Array<number>(d).fill(0);
    const sd = new Array<number>(d).fill(0);
    for (const r of trainRaw) r.forEach((v, j) => (mean[j] = (mean[j] as number) + v / trainRaw.length));
    for (const r of trainRaw) r.forEach((v, j) => (sd[j] = (sd[j] as number) + (v - (mean[j] as number)) ** 2 / trainRaw.length));
    transform = (r) => Float64Array.from(r, (v, j) => ((sd[j] as number) > 0 ? (v - (mean[j] as number)) / Math.sqrt(sd[j] as number) : 0));
  }
  const part = (ids: string[]): Part => ({
    X: ids.map((id) => transform(raw(byId.get(id) as Customer))),
    y: ids.map((id) => label(byId.get(id) as Customer)),
  });
  return { train: part(split.train), test: part(split.test) };
}
