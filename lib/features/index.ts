// Features: the derived features and the fitted feature pipeline.
export * from "./derived";
export * from "./pipeline";
