// Monitoring: drift against the training reference, and realized performance on a labeled export.
export * from "./drift";
export * from "./evaluate";
