// Additive explanations: the shape every attribution shares, and the exact one of a linear logit.

/** Additive explanation of one row: output = expectedValue + sum(values). */
export interface Attribution {
  /** The model's output for the average (linear) or cover-weighted expected (trees) row. */
  expectedValue: number;
  /**
   * One contribution per model column: one-hot levels and derived features are columns of their own here; reasons
   * and per-field views fold them into raw customer fields with aggregateByField (reasons.ts).
   */
  values: Float64Array;
  /** The model output explained (log-odds margin, or the forest's probability). */
  output: number;
}

/**
 * Exact contributions of a linear logit: coef_j x (x_j - mean_j). `means` defaults to zeros, which is the training
 * mean of every column the pipeline standardized (the logistic family uses scale "all", so every column); pass the
 * training column means otherwise. expectedValue = intercept + sum coef_j x mean_j, the logit of the average customer.
 */
export function linearContributions(
  coefficients: ArrayLike<number>,
  intercept: number,
  x: ArrayLike<number>,
  means?: ArrayLike<number>,
): Attribution {
  if (x.length !== coefficients.length) throw new RangeError(`row has ${x.length} columns, the model ${coefficients.length}`);
  const values = new Float64Array(x.length);
  let base = intercept;
  let output = intercept;
  for (let j = 0; j < x.length; j++) {
    const w = coefficients[j] as number;
    const m = means ? (means[j] as number) : 0;
    values[j] = w * ((x[j] as number) - m);
    base += w * m;
    output += w * (x[j] as number);
  }
  return { expectedValue: base, values, output };
}
