// The saved model and the run's artifacts: their types, the model file, the scorer, reference statistics, and the run locator.
export * from "./model-file";
export * from "./reference";
export * from "./run";
export * from "./scorer";
export * from "./types";
