// The learners behind one Classifier interface, their registry, tree structures, and the probability calibrators.
export * from "./calibrators";
export * from "./classifier";
export * from "./forest";
export * from "./knn";
export * from "./logistic";
export * from "./registry";
export * from "./trees";
export * from "./xgboost";
export * from "./xgboost-format";
export * from "./xgboost-wasm";
