// The model families compared: which learner, which feature pipeline, and which hyper-parameters tuning tries.
import seedrandom from "seedrandom";
import type { PipelineOptions } from "../features/pipeline";

export const FAMILY_NAMES = ["logistic_regression", "random_forest", "knn", "xgboost"] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

export interface Family {
  name: FamilyName;
  /** Learner kind in lib/models/registry. */
  kind: string;
  pipeline: PipelineOptions;
  /** Candidate parameter sets, the first being the library default; `quick` trims the list. */
  candidates(seed: number, quick: boolean): Record<string, unknown>[];
  /** Parameters of the final fit from the tuned ones (e.g. more trees than tuning could afford). */
  final(params: Record<string, unknown>): Record<string, unknown>;
}

function sampleGrid(grid: Record<string, readonly unknown[]>, n: number, seed: number): Record<string, unknown>[] {
  const rng = seedrandom(`grid:${seed}`);
  const seen = new Set<string>();
  const out: Record<string, unknown>[] = [];
  for (let attempt = 0; out.length < n && attempt < n * 50; attempt++) {
    const params = Object.fromEntries(Object.entries(grid).map(([k, vs]) => [k, vs[Math.floor(rng() * vs.length)]]));
    const key = JSON.stringify(params);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(params);
    }
  }
  return out;
}

export const FAMILIES: readonly Family[] = [
  {
    name: "logistic_regression",
    kind: "logistic_regression",
    // Every column standardized: comparable |coefficients| and an L2 penalty that treats columns alike.
    pipeline: { scale: "all" },
    candidates: (_seed, quick) => (quick ? [0.1, 1] : [0.01, 0.03, 0.1, 0.3, 1, 3]).map((C) => ({ C })),
    final: (p) => p,
  },
  {
    name: "random_forest",
    kind: "random_forest",
    pipeline: { scale: "none" },
    // Continuous columns binned to 32 levels: the same ROC-AUC at half the fitting time (docs/decisions.md). Tuning
    // compares leaf sizes with 100 trees; the final forest has 300 (more trees only smooth the same model).
    candidates: (seed, quick) => (quick ? [10] : [5, 10, 20]).map((minNumSamples) => ({ nEstimators: 100, minNumSamples, bins: 32, seed })),
    final: (p) => ({ ...p, nEstimators: 300 }),
  },
  {
    name: "knn",
    kind: "knn",
    pipeline: { scale: "all" },
    candidates: (_seed, quick) =>
      (quick ? [25, 50] : [25, 40, 60, 80]).flatMap((k) => [
        { k, weights: "uniform" },
        { k, weights: "distance" },
      ]),
    final: (p) => p,
  },
  {
    name: "xgboost",
    kind: "xgboost",
    pipeline: { scale: "none" },
    candidates: (seed, quick) => [
      {
        nRounds: 400,
        eta: 0.03,
        maxDepth: 3,
        subsample: 0.8,
        colsampleByTree: 0.8,
        minChildWeight: 1,
        lambda: 1,
        treeMethod: "hist",
        seed,
      },
      ...sampleGrid(
        {
          nRounds: [200, 400, 600],
          eta: [0.02, 0.03, 0.05, 0.1],
          maxDepth: [2, 3, 4, 5],
          subsample: [0.7, 0.8, 1],
          colsampleByTree: [0.5, 0.7, 0.9],
          minChildWeight: [1, 3, 5, 10],
          lambda: [1, 3, 10],
        },
        quick ? 2 : 14,
        seed,
      ).map((p) => ({ ...p, treeMethod: "hist", seed })),
    ],
    final: (p) => p,
  },
];

export function family(name: string): Family {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f) throw new RangeError(`unknown model family ${name}; known: ${FAMILY_NAMES.join(", ")}`);
  return f;
}

/** What `--families` asks for: the families to tune, and whether their soft vote is the only candidate. */
export interface FamilyChoice {
  families: FamilyName[];
  /** "all": the families and their soft vote compete (the default run); "families": only the named families; "ensemble": only the soft vote of the named families. */
  candidates: "all" | "families" | "ensemble";
}

/** Every family and their vote: what `churn train` compares without --families. */
export const ALL_FAMILIES: FamilyChoice = { families: [...FAMILY_NAMES], candidates: "all" };

/**
 * Reads a `--families` list (comma-separated family names, optionally with "ensemble"); refuses unknown or repeated
 * names and an ensemble of fewer than two families, naming what is wrong.
 */
export function parseFamilies(list: string): FamilyChoice {
  const names = list
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  if (names.length === 0) throw new RangeError(`--families needs at least one of ${FAMILY_NAMES.join(", ")} (and optionally ensemble)`);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new RangeError(`--families names ${n} twice`);
    seen.add(n);
    if (n !== "ensemble" && !(FAMILY_NAMES as readonly string[]).includes(n)) {
      throw new RangeError(`--families: unknown family ${JSON.stringify(n)}; known: ${FAMILY_NAMES.join(", ")}, ensemble`);
    }
  }
  const families = FAMILY_NAMES.filter((f) => seen.has(f));
  if (seen.has("ensemble")) {
    if (families.length < 2) {
      throw new RangeError(
        `--families: an ensemble needs at least two member families, got ${families.length ? families.join(", ") : "none"}`,
      );
    }
    return { families, candidates: "ensemble" };
  }
  return { families, candidates: "families" };
}
