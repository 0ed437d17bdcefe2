// Every 4xx and 5xx the API answers: one JSON shape, `{error, message, fields?, request_id}`, naming each bad field.
// Schema validation failures are told in the same words as the service's own checks.
import type { FastifyError, FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { BATCH_BODY_LIMIT } from "./schemas";
import { type FieldError, recordErrors } from "./service";

export interface ApiError {
  error: string;
  message: string;
  fields?: FieldError[];
  request_id: string;
}

export function errorBody(request: FastifyRequest, error: string, message: string, fields?: FieldError[]): ApiError {
  return fields ? { error, message, fields, request_id: String(request.id) } : { error, message, request_id: String(request.id) };
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** The field an ajv issue is about: its path, or the property it misses. */
function fieldOf(issue: ValidationIssue, fallback: string): string {
  const missing = issue.params["missingProperty"];
  if (typeof missing === "string") return missing;
  return issue.instancePath.replace(/^\//, "").replace(/\//g, ".") || fallback;
}

/** A schema validation failure as the API answers it: status, code, message and the fields named. */
export function validationAnswer(
  request: FastifyRequest,
  error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string },
): { status: number; body: ApiError } {
  const issues = error.validation ?? [];
  if (error.validationContext === "querystring") {
    const fields = issues.map((i) => ({ field: fieldOf(i, "query"), message: i.message ?? "invalid" }));
    return { status: 400, body: errorBody(request, "bad_query", fields.map((f) => `${f.field} ${f.message}`).join("; "), fields) };
  }
  if (request.routeOptions.url === "/predict/batch") {
    const customers = (request.body as { customers?: unknown } | null)?.customers;
    if (issues.some((i) => i.keyword === "maxItems") && Array.isArray(customers)) {
      const limit = Number(issues.find((i) => i.keyword === "maxItems")?.params["limit"]);
      return {
        status: 413,
        body: errorBody(request, "batch_too_large", `${customers.length} customers; at most ${limit} per request`, [
          { field: "customers", message: `at most ${limit} items` },
        ]),
      };
    }
    return {
      status: 422,
      body: errorBody(request, "invalid_batch", 'expected {"customers": [...]}', [
        { field: "customers", message: "must be an array of customer objects" },
      ]),
    };
  }
  // One customer: the service's structural checks name every bad field in the words of the API.
  const fields = recordErrors(request.body);
  const named = fields.length > 0 ? fields : issues.map((i) => ({ field: fieldOf(i, "(body)"), message: i.message ?? "invalid" }));
  return { status: 422, body: errorBody(request, "invalid_customer", `${named.length} problem(s) with the customer`, named) };
}

const FASTIFY_CODES: Record<string, { code: string; message: (request: FastifyRequest) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: "body_too_large",
    message: (r) => `request body is larger than the limit of ${r.routeOptions.bodyLimit ?? BATCH_BODY_LIMIT} bytes`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "unsupported_media_type", message: () => "send the body as application/json" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "empty_body", message: () => "the body is empty; send a JSON object" },
};

/** The error handler, and 404 / 405 (a known path with another method, naming the allowed ones) for the whole app. */
export const errorsPlugin = fp(
  (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void) => {
    app.setErrorHandler((error: FastifyError & { validation?: ValidationIssue[]; validationContext?: string }, request, reply) => {
      if (error.validation) {
        const answer = validationAnswer(request, error);
        return reply.code(answer.status).send(answer.body);
      }
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, "unhandled error");
        return reply.code(500).send(errorBody(request, "internal", "internal error; the request id identifies it in the logs"));
      }
      const known = error.code ? FASTIFY_CODES[error.code] : undefined;
      if (known) return reply.code(status).send(errorBody(request, known.code, known.message(request)));
      const code = error.code && /^[a-z_]+$/.test(error.code) ? error.code : "bad_request";
      return reply.code(status).send(errorBody(request, code, error.message));
    });

    const methodsByPath = new Map<string, Set<string>>();
    app.addHook("onRoute", (route) => {
      const set = methodsByPath.get(route.url) ?? new Set<string>();
      for (const m of Array.isArray(route.method) ? route.method : [route.method]) set.add(m);
      methodsByPath.set(route.url, set);
    });
    app.setNotFoundHandler((request, reply) => {
      const pathOnly = request.url.split("?")[0] ?? "";
      const allowed = methodsByPath.get(pathOnly);
      if (allowed && !allowed.has(request.method)) {
        const allow = [...allowed].sort().join(", ");
        return reply
          .code(405)
          .header("allow", allow)
          .send(errorBody(request, "method_not_allowed", `${request.method} is not allowed on ${pathOnly}; use ${allow}`));
      }
      return reply.code(404).send(errorBody(request, "not_found", `no route ${request.method} ${request.url}; see /docs`));
    });
    done();
  },
  { name: "churn-errors" },
);
