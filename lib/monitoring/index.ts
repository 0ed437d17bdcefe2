// Monitoring: drift against the training reference (its statistics, the report, a shifted sample for demos), and
// realized performance on a labeled export.
export * from "./drift";
export * from "./drift-stats";
export * from "./evaluate";
export * from "./shift";
