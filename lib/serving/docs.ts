// GET /docs: the OpenAPI description generated from the route schemas (@fastify/swagger) and its UI.
import type { FastifyInstance } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { OOD_POLICY } from "./ood";

export async function registerDocs(app: FastifyInstance, modelVersion: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Churn prediction API",
        version: modelVersion,
        description:
          "Scores telecom customers for churn risk with the model trained by `churn train`. Bad input is answered with a 4xx " +
          "naming each bad field. Out-of-distribution policy:\n\n" +
          OOD_POLICY.map((r) => `- **${r.action}**: ${r.finding} (${r.rule})`).join("\n"),
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
}
