// Seeded, stratified splits: train/validation/test by customer ID, and k folds for cross-validation.
import seedrandom from "seedrandom";

export interface Split {
  seed: number;
  train: string[];
  validation: string[];
  test: string[];
}

/** Fisher-Yates with a seeded generator, so a seed always gives the same order. */
export function shuffled<T>(items: readonly T[], rng: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/**
 * Splits IDs into train/validation/test with the same positive rate in each part (stratified on `label`).
 * IDs are sorted first so the split depends on the seed and the set of customers, not on file order.
 */
export function stratifiedSplit(
  ids: readonly string[],
  label: (id: string) => 0 | 1,
  seed: number,
  fractions: { validation: number; test: number } = { validation: 0.2, test: 0.2 },
): Split {
  const rng = seedrandom(`split:${seed}`);
  const out: Split = { seed, train: [], validation: [], test: [] };
  for (const cls of [0, 1] as const) {
    const group = shuffled([...ids].filter((id) => label(id) === cls).sort(), rng);
    const nTest = Math.round(group.length * fractions.test);
    const nVal = Math.round(group.length * fractions.validation);
    out.test.push(...group.slice(0, nTest));
    out.validation.push(...group.slice(nTest, nTest + nVal));
    out.train.push(...group.slice(nTest + nVal));
  }
  for (const part of ["train", "validation", "test"] as const) out[part] = shuffled(out[part].sort(), rng);
  return out;
}

/** Row indices of k stratified folds: fold i is validation, the rest training. */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number): { train: number[]; validation: number[] }[] {
  if (k < 2) throw new RangeError(`k-fold needs k >= 2, got ${k}`);
  const rng = seedrandom(`kfold:${seed}`);
  const folds: number[][] = Array.from({ length: k }, () => []);
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) idx.push(i);
    shuffled(idx, rng).forEach((row, j) => folds[j % k]?.push(row));
  }
  return folds.map((validation, f) => ({
    train: folds.flatMap((rows, g) => (g === f ? [] : rows)).sort((a, b) => a - b),
    validation: [...validation].sort((a, b) => a - b),
  }));
}
