// Evaluation: metrics, bootstrap intervals and curves, calibration, the retention value model and the campaign plan, segments.
export * from "./business";
export * from "./calibration";
export * from "./campaign";
export * from "./evaluate";
export * from "./metrics";
export * from "./segments";
export * from "./empc";
