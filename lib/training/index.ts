// Training: model families, cross-validated tuning on worker threads, `churn train` and the studies.
export * from "./families";
export * from "./study";
export * from "./train";
export * from "./tuning";
