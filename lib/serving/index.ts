// Serving: the prediction service, its input policy, the Fastify app and streaming batch scoring.
export * from "./app";
export * from "./batch";
export * from "./ood";
export * from "./service";
