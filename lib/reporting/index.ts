// Reporting: figures, the EDA summaries, notebook display helpers, the README figures and generated sections.
export * from "./charts";
export * from "./doc-figures";
export * from "./docs";
export * from "./eda";
export * from "./evaluation-charts";
export * from "./modeling-report";
export * from "./notebook";
export * from "./pdp-chart";
