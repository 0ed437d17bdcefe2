// Inspection of a trained scorer: explanations (linear, TreeSHAP, decision paths) folded to raw-field reasons, example
// customers with different leading reasons, partial dependence, permutation importance.
export * from "./attribution";
export * from "./examples";
export * from "./explain";
export * from "./pdp";
export * from "./permutation";
export * from "./reasons";
export * from "./tree-shap";
