// Checks `churn drift`: PSI and the KS bound by hand, the tests' p-values against @stdlib's public kstest, a plain
// sample of the IBM data not flagged, a shifted one flagged where it was shifted, unseen levels, empty columns, the CLI.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { stringify } from "csv-stringify/sync";
import seedrandom from "seedrandom";
import kstest from "@stdlib/stats-kstest";
import { ChurnTableError, cleanFile, customersToRecords } from "../../lib/cleaning";
import {
  type DriftReport,
  driftFromFiles,
  driftReport,
  formatDrift,
  jsDistance,
  ksAgainstQuantiles,
  ksPValue,
  psi,
  shiftSample,
  twoProportionTest,
} from "../../lib/monitoring";
import { ModelFileError, loadModelFile } from "../../lib/artifact/model-file";
import { REFERENCE_QUANTILES } from "../../lib/artifact/reference";
import { COLUMN_NAMES, type Customer } from "../../lib/core/schema";
import { shuffled } from "../../lib/core/split";
import { ss } from "../../lib/core/stats";
import { fixtureCopy } from "../fixtures";
import { memo, rawFile } from "../support";
import { registerMonitor } from "../../lib/cli/monitor";

const ibm = memo(() => cleanFile(rawFile("telco-customer-churn.csv")).customers);

const trained = memo(async () => {
  const out = await fixtureCopy("telco");
  const modelPath = path.join(out, "model.json");
  return { dir: out, modelPath, ...loadModelFile(modelPath) };
});

async function reportFor(customers: readonly Customer[]): Promise<DriftReport> {
  const { file, scorer } = await trained();
  return driftReport(file.reference, customers, scorer.score(customers));
}

/** A seeded random half of the IBM customers: the same population the model was trained on. */
const plainHalf = (seed: number): Customer[] => {
  const all = ibm();
  return shuffled(all, seedrandom(`plain:${seed}`)).slice(0, Math.floor(all.length / 2));
};

function writeCsv(customers: readonly Customer[], file: string): string {
  fs.writeFileSync(file, stringify(customersToRecords(customers), { header: true, columns: [...COLUMN_NAMES] }));
  return file;
}

describe("drift building blocks", () => {
  test("PSI: 0 for identical shares, 0.25 ln 3 for (1/2, 1/2) against (1/4, 3/4), epsilon for an empty bucket", () => {
    assert.equal(psi([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]), 0);
    // (0.5 - 0.25) ln 2 + (0.5 - 0.75) ln(2/3) = 0.25 (ln 2 + ln 1.5) = 0.25 ln 3
    assert.ok(Math.abs(psi([0.5, 0.5], [0.25, 0.75]) - 0.25 * Math.log(3)) < 1e-12);
    // an empty reference bucket counts as 1e-4: (0.1 - 1e-4) ln(1000) + (0.9 - 1) ln(0.9)
    assert.ok(Math.abs(psi([0.1, 0.9], [0, 1]) - ((0.1 - 1e-4) * Math.log(1000) + -0.1 * Math.log(0.9))) < 1e-12);
    assert.ok(Number.isFinite(psi([0, 1], [1, 0])));
  });

  test("Jensen-Shannon distance: 0 for identical, 1 for disjoint supports, symmetric", () => {
    assert.equal(jsDistance([0.3, 0.7], [0.3, 0.7]), 0);
    assert.ok(Math.abs(jsDistance([1, 0], [0, 1]) - 1) < 1e-12);
    assert.equal(jsDistance([0.1, 0.9], [0.6, 0.4]), jsDistance([0.6, 0.4], [0.1, 0.9]));
  });

  test("KS against a quantile table: the smallest gap the table allows, worked by hand", () => {
    // A uniform(0, 1) reference known at REFERENCE_QUANTILES; ten customers all at 0.5. Between the stored 0.4 and 0.5
    // the reference CDF may be anything in [0.4, 0.5], so the smallest possible gap is 0.4 (the exact uniform gap is 0.5).
    const uniform = [...REFERENCE_QUANTILES];
    assert.ok(Math.abs(ksAgainstQuantiles(new Array(10).fill(0.5), uniform, REFERENCE_QUANTILES) - 0.4) < 1e-12);
    // An atom: the table says 80% at 0 and 20% at 1; a sample with 50% ones is 0.3 away whatever happens in between.
    const binary = REFERENCE_QUANTILES.map((q) => (q <= 0.8 ? 0 : 1));
    assert.ok(Math.abs(ksAgainstQuantiles([0, 0, 1, 1], binary, REFERENCE_QUANTILES) - 0.3) < 1e-12);
    assert.equal(ksAgainstQuantiles([0, 1, 0, 0, 0], binary, REFERENCE_QUANTILES), 0);
  });

  test("KS bound never exceeds the exact two-sample gap to the training rows (tenure, charges of the IBM file)", () => {
    const all = ibm();
    const half = plainHalf(3);
    for (const col of ["tenure", "MonthlyCharges", "TotalCharges"] as const) {
      const ref = all
        .map((c) => c[col])
        .filter((v): v is number => v !== null)
        .sort((a, b) => a - b);
      const table = REFERENCE_QUANTILES.map((q) => ss.quantile(ref, q));
      const x = half
        .map((c) => c[col])
        .filter((v): v is number => v !== null)
        .sort((a, b) => a - b);
      const cdf = (s: number[], v: number): number => s.filter((y) => y <= v).length / s.length;
      let exact = 0;
      for (const v of new Set([...ref, ...x])) exact = Math.max(exact, Math.abs(cdf(x, v) - cdf(ref, v)));
      const bound = ksAgainstQuantiles(x, table, REFERENCE_QUANTILES);
      assert.ok(bound <= exact + 1e-12, `${col}: bound ${bound} > exact ${exact}`);
    }
  });

  test("the KS p-value equals @stdlib's public kstest one-sample p-value", () => {
    const rng = seedrandom("ks-p");
    for (const n of [20, 200, 1500]) {
      const x = Array.from({ length: n }, () => rng() ** 1.2);
      const r = kstest(x, "uniform", 0, 1);
      assert.ok(Math.abs(ksPValue(r.statistic, n) - r.pValue) < 1e-12, `n=${n}: ${ksPValue(r.statistic, n)} vs ${r.pValue}`);
    }
    assert.equal(ksPValue(0, 100), 1);
    // the reference is a sample too: a finite reference size gives a larger p-value than an exact reference
    assert.ok(ksPValue(0.04, 2000, 3000) > ksPValue(0.04, 2000));
  });

  test("two-proportion z test: 30/100 against 20/100 is z = 1.633, p = 0.1025 (normal table)", () => {
    const r = twoProportionTest(30, 100, 20, 100);
    assert.ok(Math.abs(r.z - 0.1 / Math.sqrt(0.25 * 0.75 * 0.02)) < 1e-12);
    assert.ok(Math.abs(r.p_value - 0.1025) < 5e-4, String(r.p_value));
    assert.ok(twoProportionTest(0, 100, 0, 100).p_value === 1);
  });

  test("shiftSample: seeded, shifts contracts and charges, keeps TotalCharges consistent with the bill", () => {
    const all = ibm();
    const a = shiftSample(all, { seed: 5, size: 2000 });
    assert.deepEqual(a, shiftSample(all, { seed: 5, size: 2000 }));
    assert.notDeepEqual(a, shiftSample(all, { seed: 6, size: 2000 }));
    assert.equal(new Set(a.map((c) => c.customerID)).size, a.length);
    const m2m = a.filter((c) => c.Contract === "Month-to-month").length / a.length;
    assert.ok(Math.abs(m2m - 0.8) < 0.03, `month-to-month share ${m2m}`);
    const byId = new Map(all.map((c) => [c.customerID, c]));
    for (const c of a.slice(0, 200)) {
      const orig = byId.get(c.customerID.replace(/-S\d+$/, "")) as Customer;
      assert.ok(Math.abs((c.MonthlyCharges as number) - (orig.MonthlyCharges as number) * 1.15) <= 0.006);
      if (orig.TotalCharges !== null && orig.TotalCharges > 0) {
        const ratio = (c.TotalCharges as number) / (c.MonthlyCharges as number);
        assert.ok(Math.abs(ratio - orig.TotalCharges / (orig.MonthlyCharges as number)) < 1e-3 * Math.max(1, ratio));
      }
    }
  });
});

describe("drift on the IBM data with a trained model", () => {
  test("a plain random half of the IBM data is not flagged; every PSI is small", async () => {
    for (const seed of [1, 2]) {
      const r = await reportFor(plainHalf(seed));
      assert.equal(r.drift_detected, false, r.summary.join("\n"));
      for (const [name, f] of Object.entries(r.features)) {
        assert.ok(f.psi < 0.05, `${name} psi ${f.psi}`);
        assert.equal(f.drift, false, name);
      }
      assert.equal(r.prediction.drift, false);
      assert.ok(r.prediction.psi < 0.05);
      assert.ok(r.label !== null && !r.label.drift);
      assert.ok(r.label.churn_rate_ci95[0] <= r.label.churn_rate && r.label.churn_rate <= r.label.churn_rate_ci95[1]);
    }
  });

  test("a shifted sample is flagged on Contract, MonthlyCharges, the scores and the churn rate", async () => {
    const shifted = shiftSample(ibm(), { seed: 1, size: 3000 });
    const r = await reportFor(shifted);
    assert.equal(r.drift_detected, true);
    for (const name of ["Contract", "MonthlyCharges"] as const) {
      const f = r.features[name];
      assert.ok(f?.drift, `${name} not flagged: ${JSON.stringify(f)}`);
      assert.ok((f.p_value as number) < r.thresholds.alpha_per_test);
    }
    assert.equal(r.features.Contract?.largest_change?.level, "Month-to-month");
    assert.ok((r.features.MonthlyCharges?.mean as number) > (r.features.MonthlyCharges?.reference_mean as number) * 1.1);
    // gender is unrelated to contracts and prices: not flagged
    assert.equal(r.features.gender?.drift, false);
    assert.equal(r.prediction.drift, true);
    assert.ok(r.prediction.mean > r.prediction.reference_mean);
    assert.ok(r.label?.drift, "more month-to-month customers churn more");
    assert.ok(r.label?.difference_ci95[0] > 0);
    assert.match(formatDrift(r), /Contract.*DRIFT/);
  });

  test("drift needs both: a trivial shift in a huge sample and noise in a tiny one are not flagged", async () => {
    // 30,000 customers with 59% month-to-month instead of 55%: the chi-square test is sure, the shift is small.
    const big = await reportFor(shiftSample(ibm(), { seed: 3, size: 30000, chargeIncrease: 0, monthToMonthShare: 0.59 }));
    const contract = big.features.Contract;
    assert.ok(contract?.significant && (contract.p_value as number) < 1e-6, JSON.stringify(contract));
    assert.ok(contract.psi < 0.1);
    assert.equal(contract.drift, false);
    assert.equal(big.drift_detected, false, big.summary.join("\n"));
    // 40 customers drawn from the training population: PSI alone would call several features major, the tests do not.
    const tiny = await reportFor(shiftSample(ibm(), { seed: 4, size: 40, chargeIncrease: 0, monthToMonthShare: 0.55 }));
    const noisy = Object.values(tiny.features).filter((f) => f.psi >= 0.25);
    assert.ok(noisy.length > 0, "PSI on 40 rows is noisy");
    assert.equal(tiny.drift_detected, false, tiny.summary.join("\n"));
  });

  test("an unseen level gets its own bucket and is flagged; a column entirely missing is flagged, not a crash", async () => {
    const half = plainHalf(4);
    const unseen = half.map((c, i) => (i % 5 === 0 ? { ...c, Contract: "Four year" as unknown as Customer["Contract"] } : c));
    const r = await reportFor(unseen);
    const contract = r.features.Contract;
    assert.ok(contract && contract.drift && contract.test === "chi_square");
    assert.ok(Math.abs((contract.shares?.["(unseen level)"] as number) - 0.2) < 0.01);
    assert.equal(contract.reference_shares?.["(unseen level)"], 0);

    const empty = half.map((c) => ({ ...c, MonthlyCharges: null, gender: null }));
    const e = await reportFor(empty);
    const mc = e.features.MonthlyCharges;
    assert.ok(mc);
    assert.equal(mc.statistic, null);
    assert.equal(mc.p_value, null);
    assert.equal(mc.missing_share, 1);
    assert.equal(mc.drift, true);
    assert.equal(mc.severity, "major");
    assert.equal(e.features.gender?.drift, true);
    assert.equal(e.features.gender?.p_value, null);
    assert.equal(e.features.gender?.cause, "missing_rate");
    assert.equal(e.features.gender?.missing_share, 1);
    assert.doesNotThrow(() => JSON.stringify(e));
  });

  test("the take-home's messy export (same customers, ~2% of values missing or invalid): missing rates flagged, values and scores stable", async () => {
    const { modelPath } = await trained();
    const r = driftFromFiles(modelPath, rawFile("customer_churn_data.csv"));
    const drifted = Object.entries(r.features).filter(([, f]) => f.drift);
    assert.ok(drifted.length > 0, "missing rates from 0% to ~2% are flagged");
    for (const [name, f] of drifted) {
      assert.equal(f.cause, "missing_rate", name);
      assert.ok(f.missing_share > f.reference_missing_share && f.missing_p_value < r.thresholds.alpha_per_test, name);
      assert.ok((f.psi_present as number) < 0.05, `${name}: present values moved (${f.psi_present})`);
    }
    assert.equal(r.prediction.drift, false);
    assert.equal(r.label?.drift, false);
    assert.match(r.summary.join("\n"), /data-quality change upstream/);
  });

  test("churn drift: summary to stdout, JSON with the required keys to --out, --json to stdout, bad files exit code 2", async () => {
    const { modelPath, dir } = await trained();
    const csv = writeCsv(shiftSample(ibm(), { seed: 2, size: 1500 }), path.join(dir, "shifted.csv"));
    const outFile = path.join(dir, "drift.json");
    const run = async (args: string[]): Promise<string[]> => {
      const lines: string[] = [];
      const program = new Command("churn").exitOverride();
      registerMonitor(program, (l) => lines.push(l));
      await program.parseAsync(["node", "churn", "drift", ...args]);
      return lines;
    };
    const lines = await run(["--model", modelPath, "--data", csv, "--out", outFile]);
    assert.match(lines.join("\n"), /^DRIFT/);
    const json = JSON.parse(fs.readFileSync(outFile, "utf8")) as DriftReport;
    for (const key of ["drift_detected", "model", "data", "thresholds", "features", "prediction", "label", "summary"])
      assert.ok(key in json, key);
    assert.equal(json.drift_detected, true);
    assert.equal(json.data.rows, 1500, "resampled copies stay distinct customers through cleaning");
    assert.equal(json.data.file, csv);
    assert.equal(json.model?.checksum, loadModelFile(modelPath).file.checksum);
    for (const f of Object.values(json.features)) {
      for (const key of ["drift", "psi", "test", "statistic", "p_value", "missing_share", "reference_missing_share", "severity"])
        assert.ok(key in f, key);
    }
    for (const key of ["drift", "psi", "ks", "p_value", "mean", "reference_mean"]) assert.ok(key in json.prediction, key);
    const printed = JSON.parse((await run(["--model", modelPath, "--data", csv, "--json"])).join("\n")) as DriftReport;
    assert.deepEqual(printed, json);
    assert.deepEqual(driftFromFiles(modelPath, csv), json);

    await assert.rejects(
      run(["--model", path.join(dir, "nope.json"), "--data", csv]),
      (err: unknown) => err instanceof ModelFileError && err.exitCode === 2,
    );
    await assert.rejects(
      run(["--model", modelPath, "--data", path.join(dir, "nope.csv")]),
      (err: unknown) => err instanceof ChurnTableError && err.exitCode === 2,
    );
    fs.writeFileSync(path.join(dir, "not-churn.csv"), "a,b\n1,2\n");
    await assert.rejects(
      run(["--model", modelPath, "--data", path.join(dir, "not-churn.csv")]),
      (err: unknown) => err instanceof ChurnTableError,
    );
  });
});
