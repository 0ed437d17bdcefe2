// Derived features: hand-built rows pin each rule down; the real IBM file checks coverage, purity and signal.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";

import { cleanFile } from "../../lib/cleaning";
import {
  DERIVED_FEATURES,
  type DerivedFeature,
  type DerivedValue,
  TENURE_BANDS,
  deriveFeatures,
  tenureBand,
} from "../../lib/features/derived";
import { COLUMN_NAMES, type Customer, ID_COLUMN, LABEL_COLUMN } from "../../lib/core/schema";
import { repoRoot, testCustomer } from "../support";

const rawDir = path.join(repoRoot, "data", "raw");
const cleanIbmFile = path.join(rawDir, "telco-customer-churn.csv");

const customer = testCustomer;

/** A customer without internet: every internet add-on reads "No internet service", as in the IBM file. */
function noInternet(overrides: Partial<Customer> = {}): Customer {
  return customer({
    InternetService: "No",
    OnlineSecurity: "No internet service",
    OnlineBackup: "No internet service",
    DeviceProtection: "No internet service",
    TechSupport: "No internet service",
    StreamingTV: "No internet service",
    StreamingMovies: "No internet service",
    ...overrides,
  });
}

function feature(name: string): DerivedFeature {
  const f = DERIVED_FEATURES.find((d) => d.name === name);
  assert.ok(f, `feature ${name} is declared`);
  return f;
}

const compute = (name: string, c: Customer): DerivedValue => feature(name).compute(c);

describe("services_count", () => {
  test("a phone-only customer has one service", () => {
    assert.equal(compute("services_count", noInternet()), 1);
  });

  test("multiple lines count as a second service", () => {
    assert.equal(compute("services_count", noInternet({ MultipleLines: "Yes" })), 2);
  });

  test("fiber with phone, multiple lines and three add-ons counts every product", () => {
    const c = customer({
      MultipleLines: "Yes",
      InternetService: "Fiber optic",
      OnlineSecurity: "Yes",
      StreamingTV: "Yes",
      StreamingMovies: "Yes",
    });
    // phone + second line + internet + 3 add-ons
    assert.equal(compute("services_count", c), 6);
  });

  test("internet-only with every add-on counts internet plus six add-ons", () => {
    const c = customer({
      PhoneService: "No",
      MultipleLines: "No phone service",
      OnlineSecurity: "Yes",
      OnlineBackup: "Yes",
      DeviceProtection: "Yes",
      TechSupport: "Yes",
      StreamingTV: "Yes",
      StreamingMovies: "Yes",
    });
    assert.equal(compute("services_count", c), 7);
  });

  test("null when PhoneService or InternetService is unknown", () => {
    assert.equal(compute("services_count", customer({ PhoneService: null })), null);
    assert.equal(compute("services_count", customer({ InternetService: null })), null);
  });

  test("null when an add-on of an internet customer is unknown", () => {
    for (const col of ["OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV", "StreamingMovies"] as const) {
      assert.equal(compute("services_count", customer({ [col]: null })), null, `${col} null`);
    }
  });

  test("null when MultipleLines of a phone customer is unknown (a partial count would understate)", () => {
    // PhoneService=Yes, MultipleLines unknown: the customer has 1 or 2 phone products; 1 would silently understate.
    assert.equal(compute("services_count", customer({ MultipleLines: null })), null);
    assert.equal(compute("services_count", noInternet({ MultipleLines: null })), null);
  });
});

describe("tenure_band", () => {
  const edges: [number, string][] = [
    [0, "0-6"],
    [6, "0-6"],
    [7, "7-12"],
    [12, "7-12"],
    [13, "13-24"],
    [24, "13-24"],
    [25, "25-48"],
    [48, "25-48"],
    [49, "49+"],
    [72, "49+"],
  ];
  for (const [months, band] of edges) {
    test(`tenure ${months} is band ${band}`, () => {
      assert.equal(compute("tenure_band", customer({ tenure: months })), band);
      assert.equal(tenureBand(months), band);
    });
  }

  test("null tenure gives a null band", () => {
    assert.equal(compute("tenure_band", customer({ tenure: null })), null);
  });

  test("declared levels are the bands in order", () => {
    assert.deepEqual(
      feature("tenure_band").levels,
      TENURE_BANDS.map((b) => b.label),
    );
    assert.deepEqual(feature("tenure_band").levels, ["0-6", "7-12", "13-24", "25-48", "49+"]);
  });
});

describe("avg_monthly_bill", () => {
  test("a customer in month 0 is billed their current MonthlyCharges", () => {
    assert.equal(compute("avg_monthly_bill", customer({ tenure: 0, TotalCharges: 0, MonthlyCharges: 70.35 })), 70.35);
  });

  test("otherwise TotalCharges / tenure", () => {
    assert.equal(compute("avg_monthly_bill", customer({ tenure: 10, TotalCharges: 550, MonthlyCharges: 99 })), 55);
    assert.equal(compute("avg_monthly_bill", customer({ tenure: 4, TotalCharges: 201, MonthlyCharges: 49 })), 50.25);
  });

  test("null when tenure or TotalCharges is unknown", () => {
    assert.equal(compute("avg_monthly_bill", customer({ tenure: null })), null);
    assert.equal(compute("avg_monthly_bill", customer({ TotalCharges: null })), null);
    assert.equal(compute("avg_monthly_bill", customer({ tenure: 0, TotalCharges: 0, MonthlyCharges: null })), null);
  });
});

describe("charge_increase", () => {
  test("positive when today's bill is above the historical average", () => {
    const v = compute("charge_increase", customer({ tenure: 10, TotalCharges: 600, MonthlyCharges: 80 }));
    assert.equal(v, 20);
  });

  test("negative when today's bill is below the historical average", () => {
    const v = compute("charge_increase", customer({ tenure: 10, TotalCharges: 600, MonthlyCharges: 50 }));
    assert.equal(v, -10);
  });

  test("zero when unchanged and for a customer in month 0", () => {
    assert.equal(compute("charge_increase", customer({ tenure: 10, TotalCharges: 600, MonthlyCharges: 60 })), 0);
    assert.equal(compute("charge_increase", customer({ tenure: 0, TotalCharges: 0, MonthlyCharges: 75 })), 0);
  });

  test("null when any input is unknown", () => {
    assert.equal(compute("charge_increase", customer({ MonthlyCharges: null })), null);
    assert.equal(compute("charge_increase", customer({ TotalCharges: null })), null);
    assert.equal(compute("charge_increase", customer({ tenure: null })), null);
  });
});

describe("protection_gaps", () => {
  test("0 for a customer without internet, whatever the add-on cells say", () => {
    assert.equal(compute("protection_gaps", noInternet()), 0);
    assert.equal(compute("protection_gaps", noInternet({ OnlineSecurity: null, TechSupport: null })), 0);
  });

  test("counts the missing protection/support add-ons of an internet customer", () => {
    assert.equal(compute("protection_gaps", customer()), 4);
    assert.equal(compute("protection_gaps", customer({ OnlineSecurity: "Yes", TechSupport: "Yes" })), 2);
    assert.equal(
      compute("protection_gaps", customer({ OnlineSecurity: "Yes", OnlineBackup: "Yes", DeviceProtection: "Yes", TechSupport: "Yes" })),
      0,
    );
  });

  test("streaming add-ons are not protection", () => {
    assert.equal(compute("protection_gaps", customer({ StreamingTV: "Yes", StreamingMovies: "Yes" })), 4);
    assert.equal(compute("protection_gaps", customer({ StreamingTV: null, StreamingMovies: null })), 4);
  });

  test("null when InternetService or a protection add-on of an internet customer is unknown", () => {
    assert.equal(compute("protection_gaps", customer({ InternetService: null })), null);
    for (const col of ["OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport"] as const) {
      assert.equal(compute("protection_gaps", customer({ InternetService: "Fiber optic", [col]: null })), null, col);
    }
  });
});

describe("auto_pay", () => {
  test("1 for the two automatic methods, 0 for checks, null when unknown", () => {
    assert.equal(compute("auto_pay", customer({ PaymentMethod: "Bank transfer (automatic)" })), 1);
    assert.equal(compute("auto_pay", customer({ PaymentMethod: "Credit card (automatic)" })), 1);
    assert.equal(compute("auto_pay", customer({ PaymentMethod: "Electronic check" })), 0);
    assert.equal(compute("auto_pay", customer({ PaymentMethod: "Mailed check" })), 0);
    assert.equal(compute("auto_pay", customer({ PaymentMethod: null })), null);
  });
});

describe("contract_payment", () => {
  const contracts = ["Month-to-month", "One year", "Two year"] as const;
  const payments = ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"] as const;
  const expectedPayment: Record<(typeof payments)[number], string> = {
    "Electronic check": "echeck",
    "Mailed check": "mailed",
    "Bank transfer (automatic)": "auto",
    "Credit card (automatic)": "auto",
  };

  test("every contract x payment combination maps to its declared level", () => {
    const levels = feature("contract_payment").levels;
    assert.ok(levels && levels.length > 0);
    const produced = new Set<DerivedValue>();
    for (const Contract of contracts) {
      for (const PaymentMethod of payments) {
        const v = compute("contract_payment", customer({ Contract, PaymentMethod }));
        const expected = `${Contract === "Month-to-month" ? "monthly" : "term"}/${expectedPayment[PaymentMethod]}`;
        assert.equal(v, expected, `${Contract} + ${PaymentMethod}`);
        assert.ok(levels.includes(v), `${String(v)} is a declared level`);
        produced.add(v);
      }
    }
    // every declared level is reachable: no dead level in one-hot encodings
    assert.deepEqual([...produced].sort(), [...levels].sort());
  });

  test("null when Contract or PaymentMethod is unknown", () => {
    assert.equal(compute("contract_payment", customer({ Contract: null })), null);
    assert.equal(compute("contract_payment", customer({ PaymentMethod: null })), null);
  });
});

describe("has_family", () => {
  const cases: [Customer["Partner"], Customer["Dependents"], DerivedValue][] = [
    ["Yes", "No", 1],
    ["No", "Yes", 1],
    ["Yes", "Yes", 1],
    ["No", "No", 0],
    ["Yes", null, 1],
    [null, "Yes", 1],
    ["No", null, null],
    [null, "No", null],
    [null, null, null],
  ];
  for (const [Partner, Dependents, expected] of cases) {
    test(`Partner=${String(Partner)} Dependents=${String(Dependents)} -> ${String(expected)}`, () => {
      assert.equal(compute("has_family", customer({ Partner, Dependents })), expected);
    });
  }
});

describe("streaming_only", () => {
  test("0 without internet", () => {
    assert.equal(compute("streaming_only", noInternet()), 0);
  });

  test("1 for an internet customer who streams (TV or movies) and has no protection add-on", () => {
    assert.equal(compute("streaming_only", customer({ StreamingTV: "Yes" })), 1);
    assert.equal(compute("streaming_only", customer({ StreamingMovies: "Yes" })), 1);
    assert.equal(compute("streaming_only", customer({ InternetService: "Fiber optic", StreamingTV: "Yes", StreamingMovies: "Yes" })), 1);
  });

  test("0 when the customer streams but has any protection add-on, or does not stream", () => {
    assert.equal(compute("streaming_only", customer({ StreamingTV: "Yes", TechSupport: "Yes" })), 0);
    assert.equal(compute("streaming_only", customer({ StreamingMovies: "Yes", OnlineBackup: "Yes" })), 0);
    assert.equal(compute("streaming_only", customer()), 0);
  });

  test("null when InternetService or a protection add-on is unknown", () => {
    assert.equal(compute("streaming_only", customer({ InternetService: null, StreamingTV: "Yes" })), null);
    assert.equal(compute("streaming_only", customer({ StreamingTV: "Yes", OnlineSecurity: null })), null);
  });

  test("known 1 when one streaming cell is Yes even if the other is unknown", () => {
    assert.equal(compute("streaming_only", customer({ StreamingTV: "Yes", StreamingMovies: null })), 1);
  });

  test("null, not 0, when streaming is unknown for an unprotected internet customer", () => {
    // StreamingTV unknown, StreamingMovies No, no protection: the answer is 1 if TV is Yes, 0 otherwise.
    assert.equal(compute("streaming_only", customer({ StreamingTV: null, StreamingMovies: "No" })), null);
    assert.equal(compute("streaming_only", customer({ StreamingTV: null, StreamingMovies: null })), null);
  });
});

test("deriveFeatures returns every declared feature by name", () => {
  const out = deriveFeatures(customer());
  assert.deepEqual(
    Object.keys(out),
    DERIVED_FEATURES.map((f) => f.name),
  );
  for (const f of DERIVED_FEATURES) assert.deepEqual(out[f.name], f.compute(customer()), f.name);
});

describe("feature declarations", () => {
  test("names are unique snake_case", () => {
    const names = DERIVED_FEATURES.map((f) => f.name);
    assert.equal(new Set(names).size, names.length);
    for (const n of names) assert.match(n, /^[a-z][a-z0-9_]*$/);
  });

  test("every feature has a non-empty one-line rationale", () => {
    for (const f of DERIVED_FEATURES) {
      assert.equal(typeof f.rationale, "string", f.name);
      assert.ok(f.rationale.trim().length > 0, `${f.name}: rationale is empty`);
      assert.ok(!/[\r\n]/.test(f.rationale), `${f.name}: rationale spans several lines`);
    }
  });

  test("every feature has non-empty inputs that are real, distinct, non-ID, non-label columns", () => {
    for (const f of DERIVED_FEATURES) {
      assert.ok(f.inputs.length > 0, `${f.name}: no inputs`);
      assert.equal(new Set(f.inputs).size, f.inputs.length, `${f.name}: repeated input`);
      for (const col of f.inputs) {
        assert.ok(COLUMN_NAMES.includes(col), `${f.name}: ${col} is not a column`);
        assert.notEqual(col, LABEL_COLUMN, `${f.name} reads the label`);
        assert.notEqual(col, ID_COLUMN, `${f.name} reads the ID`);
      }
    }
  });

  test("category features declare non-empty distinct levels", () => {
    for (const f of DERIVED_FEATURES.filter((d) => d.kind === "category")) {
      assert.ok(f.levels && f.levels.length > 0, `${f.name}: no levels`);
      assert.equal(new Set(f.levels).size, f.levels.length, `${f.name}: repeated level`);
    }
  });
});

describe("derived features on the clean IBM file", () => {
  let customers: Customer[] = [];

  before(() => {
    customers = cleanFile(cleanIbmFile).customers;
  });

  test("the file loads as 7043 labeled customers", () => {
    assert.equal(customers.length, 7043);
    assert.ok(customers.every((c) => c.Churn !== null));
  });

  test("every feature is non-null for every customer", () => {
    for (const f of DERIVED_FEATURES) {
      const nulls = customers.filter((c) => f.compute(c) === null).map((c) => c.customerID);
      assert.deepEqual(nulls.slice(0, 5), [], `${f.name} is null for ${nulls.length} customers`);
    }
  });

  test("numeric and binary features are finite numbers; binary ones are 0 or 1", () => {
    for (const f of DERIVED_FEATURES.filter((d) => d.kind !== "category")) {
      for (const c of customers) {
        const v = f.compute(c);
        assert.ok(typeof v === "number" && Number.isFinite(v), `${f.name} = ${String(v)} for ${c.customerID}`);
        if (f.kind === "binary") assert.ok(v === 0 || v === 1, `${f.name} = ${v} for ${c.customerID}`);
      }
    }
  });

  test("count features are integers in range", () => {
    for (const c of customers) {
      const services = compute("services_count", c) as number;
      const gaps = compute("protection_gaps", c) as number;
      assert.ok(Number.isInteger(services) && services >= 0 && services <= 9, `services_count ${services}`);
      assert.ok(Number.isInteger(gaps) && gaps >= 0 && gaps <= 4, `protection_gaps ${gaps}`);
    }
  });

  test("category features only take declared levels", () => {
    for (const f of DERIVED_FEATURES.filter((d) => d.kind === "category")) {
      const levels = new Set(f.levels);
      const seen = new Set<DerivedValue>();
      for (const c of customers) seen.add(f.compute(c));
      for (const v of seen) assert.ok(typeof v === "string" && levels.has(v), `${f.name} produced ${String(v)}`);
    }
  });

  test("features are pure: equal results twice and the (frozen) row is not mutated", () => {
    for (const c of customers) {
      const snapshot = structuredClone(c);
      const frozen = Object.freeze({ ...c });
      const first = deriveFeatures(frozen);
      const second = deriveFeatures(frozen);
      assert.deepEqual(second, first, c.customerID);
      assert.deepEqual(frozen, snapshot, c.customerID);
      assert.deepEqual(deriveFeatures(c), first, c.customerID);
      assert.deepEqual(c, snapshot, c.customerID);
    }
  });

  test("each feature reads only its declared inputs (blanking any other column changes nothing)", () => {
    const sample = customers.filter((_, i) => i % 7 === 0);
    for (const f of DERIVED_FEATURES) {
      const others = COLUMN_NAMES.filter((col) => col !== ID_COLUMN && !f.inputs.includes(col));
      for (const c of sample) {
        const expected = f.compute(c);
        for (const col of others) {
          const blanked = { ...c, [col]: null };
          assert.deepEqual(f.compute(blanked), expected, `${f.name} changes when ${col} is blank (${c.customerID})`);
        }
      }
    }
  });

  const churnRate = (rows: readonly Customer[]): number => rows.filter((c) => c.Churn === "Yes").length / rows.length;
  const mean = (rows: readonly Customer[], name: string): number =>
    rows.reduce((s, c) => s + (compute(name, c) as number), 0) / rows.length;

  test("signal: month-to-month e-check payers churn more than term auto-payers", () => {
    const risky = customers.filter((c) => compute("contract_payment", c) === "monthly/echeck");
    const safe = customers.filter((c) => compute("contract_payment", c) === "term/auto");
    assert.ok(risky.length > 100 && safe.length > 100, "both groups are populated");
    const riskyRate = churnRate(risky);
    const safeRate = churnRate(safe);
    assert.ok(riskyRate > safeRate, `monthly/echeck ${riskyRate} vs term/auto ${safeRate}`);
  });

  test("signal: churners have more protection gaps and fewer services than non-churners", () => {
    const churners = customers.filter((c) => c.Churn === "Yes");
    const stayers = customers.filter((c) => c.Churn === "No");
    assert.ok(churners.length > 0 && stayers.length > 0);
    const gapsChurn = mean(churners, "protection_gaps");
    const gapsStay = mean(stayers, "protection_gaps");
    assert.ok(gapsChurn > gapsStay, `protection_gaps churners ${gapsChurn} vs non-churners ${gapsStay}`);
    const servicesChurn = mean(churners, "services_count");
    const servicesStay = mean(stayers, "services_count");
    assert.ok(servicesChurn < servicesStay, `services_count churners ${servicesChurn} vs non-churners ${servicesStay}`);
  });

  test("signal: auto-pay and family accounts churn less; streaming-only churns more", () => {
    const churners = customers.filter((c) => c.Churn === "Yes");
    const stayers = customers.filter((c) => c.Churn === "No");
    assert.ok(mean(churners, "auto_pay") < mean(stayers, "auto_pay"), "auto_pay");
    assert.ok(mean(churners, "has_family") < mean(stayers, "has_family"), "has_family");
    assert.ok(mean(churners, "streaming_only") > mean(stayers, "streaming_only"), "streaming_only");
  });
});
