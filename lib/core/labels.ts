// The label: 1 for a customer who churned, 0 for one who stayed (null Churn means unlabeled and is never scored as 0).
import type { Customer } from "./schema";

type Labeled = Pick<Customer, "Churn">;

export function churnLabel(c: Labeled): 0 | 1 {
  return c.Churn === "Yes" ? 1 : 0;
}

/** The 0/1 labels of `customers`, in order. */
export function churnLabels(customers: readonly Labeled[]): (0 | 1)[] {
  return customers.map(churnLabel);
}

/** How many of `customers` churned. */
export function churnerCount(customers: readonly Labeled[]): number {
  let n = 0;
  for (const c of customers) if (c.Churn === "Yes") n++;
  return n;
}

/** The labeled customers: those whose Churn is known. */
export function labeledOnly<T extends Labeled>(customers: readonly T[]): T[] {
  return customers.filter((c) => c.Churn !== null);
}
