// Evaluation: metrics, bootstrap intervals and curves, calibration, the retention value model, segments.
export * from "./business";
export * from "./calibration";
export * from "./evaluate";
export * from "./metrics";
export * from "./segments";
