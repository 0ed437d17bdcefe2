// Planning: the A/B test of a model update (power, duration, guardrails, rollout, the plan) and the serving cost model.
export * from "./abtest";
export * from "./cost";
export * from "./duration";
export * from "./guardrails";
export * from "./power";
export * from "./rollout";
