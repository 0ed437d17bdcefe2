// A shifted sample for demos and tests: the training customers resampled towards month-to-month contracts, bills raised.
import seedrandom from "seedrandom";
import type { Customer } from "../core/schema";

export interface ShiftOptions {
  seed: number;
  /** Rows to draw (with replacement); default: as many as given. */
  size?: number;
  /** Share of month-to-month contracts in the sample (IBM: about 55%); default 0.8. */
  monthToMonthShare?: number;
  /** Relative price rise applied to MonthlyCharges and, proportionally, TotalCharges; default 0.15. */
  chargeIncrease?: number;
}

/**
 * A realistic shift: customers resampled (seeded, with replacement) so that month-to-month contracts make up
 * `monthToMonthShare` of the sample, and every bill raised by `chargeIncrease` — TotalCharges by the same factor, so
 * TotalCharges / (tenure x MonthlyCharges) keeps its training distribution. IDs get a "-S<n>" suffix so the copies of a
 * resampled customer stay distinct customers when written out and cleaned again. Other fields move only as far as
 * they are associated with the contract (e.g. tenure and payment method), as they would in real data.
 */
export function shiftSample(customers: readonly Customer[], options: ShiftOptions): Customer[] {
  const rng = seedrandom(`drift-shift:${options.seed}`);
  const size = options.size ?? customers.length;
  const share = options.monthToMonthShare ?? 0.8;
  const factor = 1 + (options.chargeIncrease ?? 0.15);
  const monthly = customers.filter((c) => c.Contract === "Month-to-month");
  const other = customers.filter((c) => c.Contract !== "Month-to-month");
  if (customers.length === 0) return [];
  const out: Customer[] = [];
  for (let i = 0; i < size; i++) {
    const pool = (rng() < share && monthly.length > 0) || other.length === 0 ? monthly : other;
    const c = pool[Math.floor(rng() * pool.length)] as Customer;
    const scale = (v: number | null): number | null => (v === null ? null : Math.round(v * factor * 100) / 100);
    out.push({ ...c, customerID: `${c.customerID}-S${i}`, MonthlyCharges: scale(c.MonthlyCharges), TotalCharges: scale(c.TotalCharges) });
  }
  return out;
}
