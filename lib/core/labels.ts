// The label: 1 for a customer who churned, 0 for one who stayed (null Churn means unlabeled and is never scored as 0).
import type { Customer } from "./schema";

export function churnLabel(c: Pick<Customer, "Churn">): 0 | 1 {
  return c.Churn === "Yes" ? 1 : 0;
}

/** The labeled customers: those whose Churn is known. */
export function labeledOnly<T extends Pick<Customer, "Churn">>(customers: readonly T[]): T[] {
  return customers.filter((c) => c.Churn !== null);
}
