// The design matrix the feature pipeline writes and every learner reads.

/** A dense numeric design matrix: one Float64Array per row, all of the same length. */
export type Matrix = readonly Float64Array[];

/** Binary labels: 1 = churned, 0 = stayed. */
export type Labels = ArrayLike<number>;
