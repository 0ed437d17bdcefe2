// Serving: the prediction service, its input policy, the Fastify app and streaming batch scoring.
export * from "./app";
export * from "./batch";
export * from "./body";
export * from "./cluster";
export * from "./docs";
export * from "./errors";
export * from "./metrics";
export * from "./ood";
export * from "./schemas";
export * from "./service";
export * from "./routes/predict";
export * from "./routes/status";
