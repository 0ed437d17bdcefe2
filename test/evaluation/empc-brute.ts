// An independent EMPC: every cut-off (no convex hull) for each γ of a fine midpoint grid, weighted by the Beta density
// written out (its own ln Γ), so it shares no code with lib/evaluation/empc.ts.
import type { EmpcParams } from "../../lib/evaluation/empc";

/** ln Γ by Lanczos (g = 7, n = 9), written out here so the check shares nothing with the library. */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Brute force: for each γ on a midpoint grid, the best profit over every cut-off (every score), weighted by the Beta density. */
export function bruteForceEmpc(labels: number[], scores: number[], p: EmpcParams, steps = 20000): { empc: number; frac: number } {
  const n = labels.length;
  const pos = labels.filter((y) => y === 1).length;
  const neg = n - pos;
  const cuts = [...new Set(scores)].sort((a, b) => b - a);
  const points = [
    { f0: 0, f1: 0 },
    ...cuts.map((t) => ({
      f0: labels.filter((y, i) => y === 1 && (scores[i] as number) >= t).length / pos,
      f1: labels.filter((y, i) => y === 0 && (scores[i] as number) >= t).length / neg,
    })),
  ];
  const pi0 = pos / n;
  const pi1 = neg / n;
  const delta = p.incentive / p.clv;
  const phi = p.contact / p.clv;
  const lnB = lnGamma(p.alpha) + lnGamma(p.beta) - lnGamma(p.alpha + p.beta);
  let total = 0;
  let frac = 0;
  let mass = 0;
  for (let j = 0; j < steps; j++) {
    const g = (j + 0.5) / steps;
    const w = Math.exp((p.alpha - 1) * Math.log(g) + (p.beta - 1) * Math.log(1 - g) - lnB) / steps;
    let best = -Infinity;
    let bestFrac = 0;
    for (const pt of points) {
      const profit = p.clv * (g * (1 - delta) - phi) * pi0 * pt.f0 - p.clv * (delta + phi) * pi1 * pt.f1;
      if (profit > best) {
        best = profit;
        bestFrac = pi0 * pt.f0 + pi1 * pt.f1;
      }
    }
    total += w * best;
    frac += w * bestFrac;
    mass += w;
  }
  return { empc: total / mass, frac: frac / mass };
}
