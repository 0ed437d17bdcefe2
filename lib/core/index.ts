// The primitives every stage uses: the schema, value canonicalization, statistics, seeded splits.
export * from "./format";
export * from "./labels";
export * from "./matrix";
export * from "./ranking";
export * from "./schema";
export * from "./split";
export * from "./stats";
export * from "./values";
