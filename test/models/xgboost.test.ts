// Holds the XGBoost learner to its contract on Telco: accuracy, determinism, JS trees == WASM, WASM-free reloading, gain importance.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { cleanFile } from "../../lib/cleaning";
import { rocAuc } from "../../lib/evaluation/metrics";
import type { Customer } from "../../lib/core/schema";
import { stratifiedSplit } from "../../lib/core/split";
import type { SerializedClassifier } from "../../lib/models/classifier";
import { CompiledEnsemble, gainImportance } from "../../lib/models/trees";
import {
  type WasmPredictor,
  XGBoostClassifier,
  createWasmPredictor,
  createXGBoost,
  float32LessBoundary,
  loadXGBoost,
  parseXGBoostModel,
  resolveXGBoostParams,
  xgboostReady,
} from "../../lib/models";
import { repoRoot } from "../support";

const rawDir = path.join(repoRoot, "data", "raw");
const TELCO = path.join(rawDir, "telco-customer-churn.csv");
/** Test ROC-AUC of the scikit-learn/XGBoost peer on the same split and settings. */
const PEER_TEST_AUC = 0.846;
const TELCO_PARAMS = { nRounds: 300, eta: 0.05, maxDepth: 4, subsample: 0.8, colsampleByTree: 0.8, seed: 0 };

// A quick one-hot design matrix for these tests only (the real pipeline lives in lib/features/pipeline.ts).
const NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"] as const;
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

interface Design {
  names: string[];
  encode(c: Customer): Float64Array;
}

function oneHotDesign(customers: readonly Customer[]): Design {
  const levels = CATEGORICAL.map((col) =>
    [...new Set(customers.map((c) => c[col]).filter((v): v is NonNullable<typeof v> => v !== null))].map(String).sort(),
  );
  const names = [...NUMERIC, ...CATEGORICAL.flatMap((col, i) => (levels[i] as string[]).map((l) => `${col}=${l}`))];
  return {
    names,
    encode(c: Customer): Float64Array {
      const x = new Float64Array(names.length);
      let k = 0;
      for (const col of NUMERIC) x[k++] = c[col] ?? Number.NaN;
      CATEGORICAL.forEach((col, i) => {
        for (const l of levels[i] as string[]) x[k++] = c[col] === l ? 1 : 0;
      });
      return x;
    },
  };
}

interface Part {
  X: Float64Array[];
  y: Float64Array;
}

let design: Design;
let train: Part;
let test_: Part;
let model: XGBoostClassifier;
let wasm: WasmPredictor;
let tmp: string;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

before(async () => {
  const customers = cleanFile(TELCO).customers.filter((c) => c.Churn !== null);
  design = oneHotDesign(customers);
  const byId = new Map(customers.map((c) => [c.customerID, c]));
  const label = (id: string): 0 | 1 => (byId.get(id)?.Churn === "Yes" ? 1 : 0);
  const split = stratifiedSplit([...byId.keys()], label, 42);
  const part = (ids: string[]): Part => ({
    X: ids.map((id) => design.encode(byId.get(id) as Customer)),
    y: Float64Array.from(ids, label),
  });
  train = part(split.train);
  test_ = part(split.test);
  await xgboostReady();
  model = createXGBoost(TELCO_PARAMS);
  model.fit(train.X, train.y);
  wasm = createWasmPredictor(model);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xgboost-test-"));
});

after(() => {
  wasm?.free();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("float32 thresholds as float64 boundaries", () => {
  test("Math.fround(x) < t exactly when x < float32LessBoundary(t)", () => {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    let state = 12345;
    const rand = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const specials = [0, -0, 1, -1, 0.5, 29.85, -1e-40, 1e-45, 3.4e38, Math.fround(-1 + 2 ** -24)];
    for (let trial = 0; trial < 4000; trial++) {
      const t =
        trial < specials.length ? Math.fround(specials[trial] as number) : Math.fround((rand() - 0.5) * 10 ** Math.floor(rand() * 12 - 6));
      const b = float32LessBoundary(t);
      f32[0] = t;
      const bits = u32[0] as number;
      // Probe doubles around t, around both float32 neighbours and the midpoints where rounding flips.
      const probes: number[] = [t, b];
      for (const db of [-1, 1]) {
        u32[0] = (bits + db) >>> 0;
        const n = f32[0];
        if (Number.isFinite(n)) probes.push(n, (n + t) / 2);
      }
      for (const p of [...probes]) for (const eps of [1 - 2 ** -52, 1 + 2 ** -52]) probes.push(p * eps);
      for (const x of probes) {
        if (!Number.isFinite(x)) continue;
        assert.equal(Math.fround(x) < t, x < b, `t=${t} x=${x} b=${b}`);
      }
    }
  });
});

describe("parameters", () => {
  test("defaults, validation and unknown keys", () => {
    assert.equal(resolveXGBoostParams({}).nRounds, 300);
    assert.throws(() => createXGBoost({ eta: 0 }), RangeError);
    assert.throws(() => createXGBoost({ maxDepth: 2.5 }), RangeError);
    assert.throws(() => createXGBoost({ subsample: 1.5 }), RangeError);
    assert.throws(() => createXGBoost({ baseScore: 1 }), RangeError);
    assert.throws(() => createXGBoost({ max_depth: 3 }), /unknown parameter "max_depth"/);
    const m = createXGBoost({ nRounds: 10 });
    assert.equal(m.kind, "xgboost");
    assert.equal(m.params["nRounds"], 10);
    assert.deepEqual(m.capabilities, { sampleWeights: false, needsScaling: false });
    assert.throws(() => m.predictOne(new Float64Array(3)), /not fitted/);
    assert.throws(() => m.toJSON(), /unfitted/);
  });

  test("bad inputs are refused before they reach the WASM", () => {
    const m = createXGBoost({ nRounds: 5 });
    const X = [Float64Array.of(1, 2), Float64Array.of(3, 4)];
    assert.throws(() => m.fit(X, [0, 2]), /not 0 or 1/);
    assert.throws(() => m.fit(X, [0]), /labels/);
    assert.throws(() => m.fit([Float64Array.of(1, 2), Float64Array.of(3)], [0, 1]), /columns/);
    assert.throws(() => m.fit(X, [0, 1], { sampleWeights: [1, 0] }), /positive/);
  });
});

describe("xgboost on Telco", () => {
  test("test ROC-AUC is within 0.01 of the scikit-learn/XGBoost peer", () => {
    const auc = rocAuc(test_.y, model.predictProba(test_.X));
    assert.ok(Math.abs(auc - PEER_TEST_AUC) <= 0.01, `test AUC ${auc.toFixed(4)} vs peer ${PEER_TEST_AUC}`);
    const p = model.predictProba(test_.X);
    assert.ok(
      p.every((v) => v > 0 && v < 1),
      "probabilities in (0, 1)",
    );
  });

  test("base_score is stored as a margin: the training churn rate's log-odds", () => {
    const info = model.modelInfo();
    let pos = 0;
    for (const v of train.y) pos += v;
    const rate = pos / train.y.length;
    assert.equal(info.objective, "binary:logistic");
    assert.equal(info.nTrees, 300);
    assert.equal(info.nFeatures, design.names.length);
    assert.ok(Math.abs(info.baseMargin - Math.log(rate / (1 - rate))) < 1e-6, `base margin ${info.baseMargin}`);
    const half = createXGBoost({ ...TELCO_PARAMS, nRounds: 2, baseScore: 0.5 });
    half.fit(train.X, train.y);
    assert.ok(half.modelInfo().baseMargin === 0, `base margin ${half.modelInfo().baseMargin}`);
  });

  test("deterministic: same data and params give the same model; another seed a different one", () => {
    const again = createXGBoost(TELCO_PARAMS);
    again.fit(train.X, train.y);
    assert.deepEqual(again.modelBytes(), model.modelBytes());
    assert.deepEqual(again.predictProba(test_.X), model.predictProba(test_.X));
    const other = createXGBoost({ ...TELCO_PARAMS, seed: 7 });
    other.fit(train.X, train.y);
    assert.ok(maxAbsDiff(other.predictProba(test_.X), model.predictProba(test_.X)) > 1e-4);
  });

  test("pure-JS trees predict what XGBoost's WASM predicts (to 1e-6), missing and -1 values included", () => {
    const js = model.predictProba(test_.X);
    const native = wasm.predictProba(test_.X);
    const d = maxAbsDiff(js, native);
    assert.ok(d < 1e-6, `max |JS - WASM| = ${d}`);
    for (let i = 0; i < 50; i++) assert.ok(Math.abs(model.predictOne(test_.X[i] as Float64Array) - (native[i] as number)) < 1e-6);
    // Missing values follow each split's default direction; a genuine -1 is an ordinary value (not ml-xgboost's missing marker).
    const edited = test_.X.slice(0, 300).map((x, i) => {
      const z = Float64Array.from(x);
      z[3] = i % 3 === 0 ? Number.NaN : (z[3] as number); // TotalCharges
      z[1] = i % 3 === 1 ? Number.NaN : i % 3 === 2 ? -1 : (z[1] as number); // tenure
      if (i % 5 === 0) z[2] = Number.NaN; // MonthlyCharges
      return z;
    });
    const de = maxAbsDiff(model.predictProba(edited), wasm.predictProba(edited));
    assert.ok(de < 1e-6, `with NaN/-1 edits: max |JS - WASM| = ${de}`);
  });

  test("toJSON -> JSON -> loadXGBoost predicts identically, in a process that never loads the WASM", () => {
    const json = JSON.stringify(model.toJSON());
    const restored = loadXGBoost(JSON.parse(json) as SerializedClassifier);
    assert.deepEqual(restored.predictProba(test_.X), model.predictProba(test_.X));
    assert.deepEqual(restored.nativeImportance(), model.nativeImportance());
    assert.equal(restored.params["nRounds"], 300);

    const modelFile = path.join(tmp, "model.json");
    const rowsFile = path.join(tmp, "rows.json");
    fs.writeFileSync(modelFile, json);
    const rows = test_.X.slice(0, 200).map((x) => Array.from(x, (v) => (Number.isNaN(v) ? null : v)));
    fs.writeFileSync(rowsFile, JSON.stringify(rows));
    const lib = path.join(repoRoot, "dist", "lib", "models");
    const script = `
      const fs = require("fs");
      const { loadXGBoost, createXGBoost } = require(${JSON.stringify(path.join(lib, "xgboost.js"))});
      const { isXGBoostReady } = require(${JSON.stringify(path.join(lib, "xgboost-wasm.js"))});
      const m = loadXGBoost(JSON.parse(fs.readFileSync(${JSON.stringify(modelFile)}, "utf8")));
      const rows = JSON.parse(fs.readFileSync(${JSON.stringify(rowsFile)}, "utf8")).map((r) => Float64Array.from(r, (v) => (v === null ? NaN : v)));
      const p = Array.from(m.predictProba(rows));
      const one = m.predictOne(rows[0]);
      const wasmModules = Object.keys(require.cache).filter((k) => k.includes("ml-xgboost"));
      let fitError = "";
      try { createXGBoost({ nRounds: 1 }).fit(rows, rows.map((_, i) => i % 2)); } catch (e) { fitError = e.message; }
      process.stdout.write(JSON.stringify({ p, one, wasmModules, ready: isXGBoostReady(), fitError }));`;
    const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout) as { p: number[]; one: number; wasmModules: string[]; ready: boolean; fitError: string };
    assert.deepEqual(out.wasmModules, [], "the serving process must not load ml-xgboost");
    assert.equal(out.ready, false);
    assert.match(out.fitError, /await xgboostReady\(\)/, "fitting without the WASM is a clear error");
    const expected = Array.from(model.predictProba(test_.X.slice(0, 200)));
    assert.deepEqual(out.p, expected);
    assert.equal(out.one, expected[0]);
    assert.throws(() => loadXGBoost({ kind: "logistic", params: {}, state: {} }), /not an xgboost model/);
  });

  test("gain importance sums to 1 and ranks contract and tenure-like columns high", () => {
    const imp = model.nativeImportance();
    assert.ok(imp);
    assert.equal(imp.length, design.names.length);
    const sum = imp.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
    const ranked = [...imp].map((v, i) => ({ name: design.names[i] as string, v })).sort((a, b) => b.v - a.v);
    const top5 = ranked.slice(0, 5).map((r) => r.name);
    assert.match(ranked[0]?.name ?? "", /^Contract=|^tenure$/, `top: ${top5.join(", ")}`);
    assert.ok(top5.includes("tenure"), `top5: ${top5.join(", ")}`);
    assert.ok(
      top5.some((n) => n.startsWith("Contract=")),
      `top5: ${top5.join(", ")}`,
    );
    assert.deepEqual(imp, gainImportance(model.treeStructure()));
  });

  test("tree structure: pre-order nodes, covers add up, node values are cover-weighted leaf means", () => {
    const e = model.treeStructure();
    assert.equal(e.trees.length, 300);
    assert.equal(e.link, "logistic");
    for (const t of e.trees.slice(0, 50)) {
      for (let i = 0; i < t.left.length; i++) {
        const l = t.left[i] as number;
        if (l < 0) {
          assert.equal(t.feature[i], -1);
          continue;
        }
        const r = t.right[i] as number;
        assert.equal(l, i + 1, "left child follows its parent");
        assert.ok(r > l);
        assert.ok(Number.isFinite(t.threshold[i]));
        assert.ok((t.gain[i] as number) >= 0);
        const cl = t.cover[l] as number;
        const cr = t.cover[r] as number;
        assert.ok(Math.abs(cl + cr - (t.cover[i] as number)) < 1e-3 * (t.cover[i] as number), "children cover their parent");
        const mean = ((t.value[l] as number) * cl + (t.value[r] as number) * cr) / (cl + cr);
        assert.ok(Math.abs(mean - (t.value[i] as number)) < 1e-12);
      }
    }
  });

  test("class-constant sample weights equal scale_pos_weight; per-row weights are refused", () => {
    const small = { ...TELCO_PARAMS, nRounds: 60 };
    const spw = createXGBoost({ ...small, scalePosWeight: 3 });
    spw.fit(train.X, train.y);
    const w13 = createXGBoost(small);
    w13.fit(train.X, train.y, { sampleWeights: Array.from(train.y, (v) => (v === 1 ? 3 : 1)) });
    assert.deepEqual(w13.modelBytes(), spw.modelBytes());
    // Weights (2, 6) are not (1, 3): the regularization is relatively weaker. Check one stump against the closed form
    // leaf = -G / (H + lambda) with G, H the weighted gradient and hessian sums of the rows reaching the leaf.
    const lambda = 100;
    const stumpParams = { nRounds: 1, eta: 1, maxDepth: 1, subsample: 1, colsampleByTree: 1, lambda };
    const weights = Array.from(train.y, (v) => (v === 1 ? 6 : 2));
    const stump = createXGBoost(stumpParams);
    stump.fit(train.X, train.y, { sampleWeights: weights });
    const tree = stump.treeStructure().trees[0];
    assert.ok(tree && tree.left.length === 3, "one split");
    const p0 = 1 / (1 + Math.exp(-stump.modelInfo().baseMargin));
    const G = [0, 0, 0];
    const H = [0, 0, 0];
    const compiled = new CompiledEnsemble(stump.treeStructure());
    train.X.forEach((x, i) => {
      const leaf = compiled.leafIndices(x)[0] as number;
      const w = weights[i] as number;
      G[leaf] = (G[leaf] as number) + w * (p0 - (train.y[i] as number));
      H[leaf] = (H[leaf] as number) + w * p0 * (1 - p0);
    });
    for (const leaf of [1, 2]) {
      const g = G[leaf] as number;
      const h = H[leaf] as number;
      const expected = -g / (h + lambda);
      const got = tree.value[leaf] as number;
      assert.ok(Math.abs(got - expected) < 1e-5 * Math.abs(expected), `leaf ${leaf}: ${got} vs closed form ${expected}`);
      // Treating the weights as 1:3 (i.e. dropping the common factor 2) would give a clearly different leaf.
      const asOneToThree = -(g / 2) / (h / 2 + lambda);
      assert.ok(Math.abs(asOneToThree - expected) > 100 * 1e-5 * Math.abs(expected));
    }
    let wsum = 0;
    let wpos = 0;
    train.y.forEach((v, i) => {
      wsum += weights[i] as number;
      if (v === 1) wpos += weights[i] as number;
    });
    assert.ok(Math.abs(p0 - wpos / wsum) < 1e-6, "base score is the weighted churn rate");
    const perRow = Array.from(train.y, (_, i) => 1 + (i % 2));
    assert.throws(() => createXGBoost(small).fit(train.X, train.y, { sampleWeights: perRow }), /per-row sample weights/);
  });

  test("a genuine -1 is a value and NaN is missing (ml-xgboost's own marker for missing is -1)", () => {
    // Column 0: -1 -> churn, +1 -> stay, NaN -> stay. Treating -1 as missing would make -1 and NaN inseparable.
    const X: Float64Array[] = [];
    const y: number[] = [];
    for (let i = 0; i < 600; i++) {
      const kind = i % 3;
      X.push(Float64Array.of(kind === 0 ? -1 : kind === 1 ? 1 : Number.NaN, (i * 7919) % 13));
      y.push(kind === 0 ? (i % 30 === 0 ? 0 : 1) : i % 30 === 1 ? 1 : 0);
    }
    const m = createXGBoost({ nRounds: 30, eta: 0.3, maxDepth: 2, subsample: 1, colsampleByTree: 1 });
    m.fit(X, y);
    const probe = [
      Float64Array.of(-1, 3),
      Float64Array.of(1, 3),
      Float64Array.of(Number.NaN, 3),
      Float64Array.of(-0.5, 3),
      Float64Array.of(-2, 3),
    ];
    const js = m.predictProba(probe);
    assert.ok((js[0] as number) > 0.8 && (js[1] as number) < 0.2 && (js[2] as number) < 0.2, `predictions ${Array.from(js).join(",")}`);
    const w = createWasmPredictor(m);
    try {
      assert.ok(maxAbsDiff(js, w.predictProba(probe)) < 1e-6);
    } finally {
      w.free();
    }
  });

  test("treeMethod hist models parse and match the WASM too", () => {
    const hist = createXGBoost({ ...TELCO_PARAMS, nRounds: 40, treeMethod: "hist" });
    hist.fit(train.X, train.y);
    const w = createWasmPredictor(hist);
    try {
      assert.ok(maxAbsDiff(hist.predictProba(test_.X), w.predictProba(test_.X)) < 1e-6);
    } finally {
      w.free();
    }
  });

  test("padded branch-free scoring equals the plain pointer walk, with and without NaN", () => {
    const compiled = new CompiledEnsemble(model.treeStructure());
    assert.equal(compiled.paddedDepth, 4);
    const rows = test_.X.slice(0, 400).map((x, i) => {
      const z = Float64Array.from(x);
      if (i % 2) z[(i * 7) % z.length] = Number.NaN;
      if (i % 3 === 0) z[3] = Number.NaN;
      return z;
    });
    for (const x of rows) assert.equal(compiled.margin(x), compiled.referenceMargin(x));
  });

  test("deep trees fall back to the pointer walk", () => {
    // A chain of 12 splits on feature 0 (x < k goes left to a leaf worth k), deeper than MAX_PADDED_DEPTH.
    const depth = 12;
    const n = 2 * depth + 1;
    const tree = {
      left: new Int32Array(n).fill(-1),
      right: new Int32Array(n).fill(-1),
      feature: new Int32Array(n).fill(-1),
      threshold: new Float64Array(n).fill(Number.NaN),
      defaultLeft: new Uint8Array(n),
      value: new Float64Array(n),
      cover: new Float64Array(n).fill(1),
      gain: new Float64Array(n),
    };
    for (let k = 0; k < depth; k++) {
      const node = 2 * k;
      tree.feature[node] = 0;
      tree.threshold[node] = k;
      tree.left[node] = node + 1;
      tree.right[node] = node + 2;
      tree.value[node + 1] = k;
    }
    tree.value[n - 1] = 99;
    const compiled = new CompiledEnsemble({ nFeatures: 1, baseMargin: 0.5, link: "identity", trees: [tree] });
    assert.equal(compiled.paddedDepth, -1);
    assert.equal(compiled.margin(Float64Array.of(-3)), 0.5);
    assert.equal(compiled.margin(Float64Array.of(5.5)), 6.5);
    assert.equal(compiled.margin(Float64Array.of(100)), 99.5);
    assert.equal(compiled.margin(Float64Array.of(Number.NaN)), 99.5); // default right all the way
  });

  test("rows of the wrong width are refused at prediction", () => {
    assert.throws(() => model.predictOne(new Float64Array(3)), /expects 45/);
    assert.throws(() => model.predictProba([new Float64Array(46)]), /expects 45/);
  });

  test("corrupt or truncated model bytes are refused", () => {
    const bytes = model.modelBytes();
    assert.throws(() => parseXGBoostModel(bytes.subarray(0, 1000)), /truncated/);
    assert.throws(() => parseXGBoostModel(new Uint8Array(10)), /truncated/);
    const parsed = parseXGBoostModel(bytes);
    assert.ok(parsed.bytesRead <= bytes.length);
    assert.equal(parsed.booster, "gbtree");
  });
});
