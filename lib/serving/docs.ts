// GET /docs: the OpenAPI description generated from the route schemas (@fastify/swagger) and its UI
// (@fastify/swagger-ui). Loading and registering the two took about 40 ms of a 250 ms start, for a page few requests
// ask for; so the serving app answers /docs from a second instance of itself, built with the docs on the first
// request that asks for them. Both instances register the same route plugins, so the description is that of the
// schemas the serving app validates with.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { OOD_POLICY } from "./ood";

/** Registers the description and its UI under /docs; called before the routes, whose schemas it collects. */
export async function registerDocs(app: FastifyInstance, modelVersion: string): Promise<void> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import("@fastify/swagger"), import("@fastify/swagger-ui")]);
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

/**
 * Routes GET /docs and everything under it to the app `build` returns, built once, on the first such request
 * (concurrent first requests share the one build). Status, headers and body are passed through unchanged.
 */
export function forwardDocs(app: FastifyInstance, build: () => Promise<FastifyInstance>): void {
  let docsApp: Promise<FastifyInstance> | undefined;
  const forward = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    docsApp ??= build();
    const res = await (await docsApp).inject({ method: "GET", url: req.url, headers: req.headers });
    const headers = { ...res.headers };
    for (const hop of ["connection", "keep-alive", "transfer-encoding"]) delete headers[hop];
    return reply.code(res.statusCode).headers(headers).send(res.rawPayload);
  };
  for (const url of ["/docs", "/docs/*"]) app.get(url, { schema: { hide: true } }, forward);
  app.addHook("onClose", async () => {
    if (docsApp) await (await docsApp).close();
  });
}
