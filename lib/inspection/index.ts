// Inspection of a trained scorer: explanations (TreeSHAP, decision paths, linear), partial dependence, permutation importance.
export * from "./explain";
export * from "./pdp";
export * from "./permutation";
