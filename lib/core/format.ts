// Number formatters for text: reports, notebooks, slides, CLI output and API messages.

/** A share as a percentage with fixed digits: 0.2654 -> "26.5%". */
export function percent(x: number, digits = 1): string {
  return `${(100 * x).toFixed(digits)}%`;
}

/** A share as a percentage with at most `digits` decimals, trailing zeros dropped: 0.05 -> "5%", 0.0125 -> "1.25%". */
export function percentTrimmed(x: number, digits = 2): string {
  return `${+(100 * x).toFixed(digits)}%`;
}

/** A count or amount rounded to a whole number with thousands separators: 12345.6 -> "12,346". */
export function formatInteger(x: number): string {
  return Math.round(x).toLocaleString("en-US");
}

/** Whole US dollars with thousands separators, the sign before the symbol: -1234.5 -> "-$1,235" (rounded half up in magnitude). */
export function formatUsd(x: number): string {
  return `${x < 0 ? "-" : ""}$${formatInteger(Math.abs(x))}`;
}

/** A value and its interval: (0.8123, [0.79, 0.834]) -> "0.812 [0.790, 0.834]". */
export function formatInterval(value: number, interval: readonly [number, number], digits = 3): string {
  return `${value.toFixed(digits)} [${interval[0].toFixed(digits)}, ${interval[1].toFixed(digits)}]`;
}

/** A change with its sign always shown: 0.0123 -> "+0.0123", -0.5 -> "-0.5000", 0 -> "+0.0000". */
export function formatSigned(x: number, digits = 4): string {
  return `${x >= 0 ? "+" : ""}${x.toFixed(digits)}`;
}
