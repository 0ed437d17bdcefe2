// Planning: the A/B test of a model update, and the serving cost model.
export * from "./abtest";
export * from "./cost";
