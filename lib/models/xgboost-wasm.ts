// XGBoost's WASM (ml-xgboost 1.1.2): loaded on first use, trained through, and scored through for verification and
// benchmarks. Facts about the build that shape this file are in xgboost.ts's header; the ones that matter here:
// ml-xgboost builds every DMatrix with missing = -1, so NaN is sent as -1 and a genuine -1 as the next float32 above it.
import { createRequire } from "node:module";
import type { Labels, Matrix } from "../core/matrix";
import { MINUS_ONE_STANDIN, parseXGBoostModel } from "./xgboost-format";

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...args: unknown[]) => unknown;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  HEAPU8: Uint8Array;
  HEAPF32: Float32Array;
  printErr: (text: string) => void;
}

/** The WASM's C functions this project calls, bound once by `xgboostReady`. */
export interface WasmApi {
  module: EmscriptenModule;
  createModel(data: number, labels: number, rows: number, cols: number): number;
  setParam(handle: number, name: string, value: string): void;
  train(handle: number, rounds: number): void;
  saveModel(handle: number): number;
  getFileContent(ptr: number, size: number): void;
  loadModel(ptr: number, size: number): number;
  freeModel(handle: number): void;
  predictOne(handle: number, data: number, cols: number, out: number): number;
}

let wasm: WasmApi | null = null;
let loading: Promise<void> | null = null;
/** Loads ml-xgboost synchronously on first use, which an `import` cannot: a process that only scores never loads it. */
const requireOnDemand = createRequire(__filename);

/** Notices printed on every start-up (Emscripten) or every "hist" fit (XGBoost) although nothing is wrong. */
const BENIGN_STDERR = [
  /^wasm streaming compile failed/,
  /^falling back to ArrayBuffer instantiation/,
  /Tree method is selected to be 'hist'/,
];

/** Loads XGBoost's WASM once; afterwards `createXGBoost(...).fit` runs synchronously. Safe to call repeatedly. */
export function xgboostReady(): Promise<void> {
  if (loading) return loading;
  loading = (async () => {
    // Requiring the package starts the asynchronous WASM instantiation and exports a promise of the XGBoost class.
    const ready = requireOnDemand("ml-xgboost") as Promise<unknown>;
    const module = requireOnDemand("ml-xgboost/dist/wasm/xgboost") as EmscriptenModule;
    const printErr = module.printErr;
    module.printErr = (text: string) => {
      if (!BENIGN_STDERR.some((re) => re.test(String(text)))) printErr(text);
    };
    await ready;
    const f = (name: string, ret: string | null, args: string[]) => module.cwrap(name, ret, args);
    const n = "number";
    wasm = {
      module,
      createModel: f("create_model", n, [n, n, n, n]) as WasmApi["createModel"],
      setParam: f("set_param", null, [n, "string", "string"]),
      train: f("train_full_model", null, [n, n]),
      saveModel: f("save_model", n, [n]) as WasmApi["saveModel"],
      getFileContent: f("get_file_content", null, [n, n]),
      loadModel: f("load_model", n, [n, n]) as WasmApi["loadModel"],
      freeModel: f("free_memory_model", null, [n]),
      predictOne: f("predict_one", n, [n, n, n, n]) as WasmApi["predictOne"],
    };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** True once `xgboostReady()` has resolved in this process. */
export function isXGBoostReady(): boolean {
  return wasm !== null;
}

/** The loaded WASM; refuses, saying what to do, before `xgboostReady()` has resolved. */
export function requireWasm(): WasmApi {
  if (!wasm) throw new Error("XGBoost's WASM is not loaded: `await xgboostReady()` before fitting (loaded models predict without it).");
  return wasm;
}

/** ml-xgboost's missing marker (a genuine -1 is sent as MINUS_ONE_STANDIN). */
const WASM_MISSING = -1;

/** The float32 XGBoost sees for an input value (NaN = missing). */
function toWasmValue(v: number): number {
  if (v !== v) return WASM_MISSING;
  const r = Math.fround(v);
  return r === -1 ? MINUS_ONE_STANDIN : r;
}

/** Copies X and y into WASM memory, trains, and returns the saved model bytes; frees every WASM allocation. */
export function trainInWasm(
  api: WasmApi,
  X: Matrix,
  y: Labels,
  cols: number,
  settings: readonly [string, string][],
  nRounds: number,
): Uint8Array {
  const rows = X.length;
  const m = api.module;
  const dataPtr = m._malloc(rows * cols * 4);
  const labelPtr = m._malloc(rows * 4);
  let handle = 0;
  try {
    const heap = m.HEAPF32; // read after malloc: memory growth replaces the view
    let k = dataPtr >> 2;
    for (let i = 0; i < rows; i++) {
      const row = X[i] as Float64Array;
      for (let j = 0; j < cols; j++) heap[k++] = toWasmValue(row[j] as number);
    }
    for (let i = 0; i < rows; i++) heap[(labelPtr >> 2) + i] = y[i] as number;
    handle = api.createModel(dataPtr, labelPtr, rows, cols);
    for (const [name, value] of settings) api.setParam(handle, name, value);
    api.train(handle, nRounds);
    return saveBooster(api, handle);
  } finally {
    m._free(dataPtr);
    m._free(labelPtr);
    if (handle) api.freeModel(handle);
  }
}

function saveBooster(api: WasmApi, handle: number): Uint8Array {
  const size = api.saveModel(handle);
  if (!(size > 0)) throw new Error("xgboost: the WASM failed to save the trained model");
  const ptr = api.module._malloc(size);
  try {
    api.getFileContent(ptr, size);
    return api.module.HEAPU8.slice(ptr, ptr + size);
  } finally {
    api.module._free(ptr);
  }
}

/** WASM scoring, for verification and benchmarks (and a fallback): one booster loaded from bytes, one reused buffer. */
export interface WasmPredictor {
  predictOne(x: ArrayLike<number>): number;
  predictProba(X: Matrix): Float64Array;
  /** Frees the WASM booster and buffers; the predictor is unusable afterwards. */
  free(): void;
}

/** Loads model bytes into XGBoost's WASM (requires `xgboostReady()`) and scores rows with a single reused input buffer. */
export function createWasmPredictor(model: Uint8Array | { modelBytes(): Uint8Array }): WasmPredictor {
  const api = requireWasm();
  const m = api.module;
  const bytes = model instanceof Uint8Array ? model : model.modelBytes();
  const nFeatures = parseXGBoostModel(bytes).ensemble.nFeatures;
  const src = m._malloc(bytes.length);
  m.HEAPU8.set(bytes, src);
  const handle = api.loadModel(src, bytes.length);
  m._free(src);
  if (!handle) throw new Error("xgboost: the WASM could not load the model bytes");
  const input = m._malloc(nFeatures * 4);
  const output = m._malloc(64);
  let live = true;
  const predictOne = (x: ArrayLike<number>): number => {
    if (!live) throw new Error("xgboost: WASM predictor already freed");
    const heap = m.HEAPF32;
    const base = input >> 2;
    for (let j = 0; j < nFeatures; j++) heap[base + j] = toWasmValue(x[j] as number);
    api.predictOne(handle, input, nFeatures, output);
    return m.HEAPF32[output >> 2] as number;
  };
  return {
    predictOne,
    predictProba(X: Matrix): Float64Array {
      const out = new Float64Array(X.length);
      for (let i = 0; i < X.length; i++) out[i] = predictOne(X[i] as Float64Array);
      return out;
    },
    free(): void {
      if (!live) return;
      live = false;
      m._free(input);
      m._free(output);
      api.freeModel(handle);
    },
  };
}
