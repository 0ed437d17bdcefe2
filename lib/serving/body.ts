// Request bodies: JSON only, through secure-json-parse, and a structural check (nesting depth, forbidden keys
// anywhere) before schema validation, so the answer says which problem it was.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import sjson from "secure-json-parse";
import { errorBody } from "./errors";
import { MAX_DEPTH } from "./schemas";
import { FORBIDDEN_KEYS } from "./service";

/** Depth of a parsed JSON value, stopping as soon as `limit` is exceeded (so an absurd body costs little). */
export function jsonDepth(value: unknown, limit = MAX_DEPTH): number {
  const stack: [unknown, number][] = [[value, 1]];
  let max = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== "object" || v === null) continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Finds a forbidden key anywhere in a parsed value (secure-json-parse already refuses __proto__ and constructor.prototype). */
function forbiddenKey(value: unknown, depth = 0): string | null {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return null;
  for (const [k, v] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(k)) return k;
    const inner = forbiddenKey(v, depth + 1);
    if (inner) return inner;
  }
  return null;
}

/** A flat object of primitives without a forbidden key (the common case) needs no deeper look. */
function isFlat(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  for (const k in body) {
    const v = (body as Record<string, unknown>)[k];
    if ((typeof v === "object" && v !== null) || FORBIDDEN_KEYS.has(k)) return false;
  }
  return true;
}

/** The structural problem of a parsed body, answered as a 400; null when there is none. */
function structuralProblem(request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  const body = request.body;
  if (isFlat(body)) return null;
  if (jsonDepth(body) > MAX_DEPTH)
    return reply.code(400).send(errorBody(request, "too_deep", `the body nests deeper than ${MAX_DEPTH} levels`));
  const key = forbiddenKey(body);
  if (key)
    return reply
      .code(400)
      .send(errorBody(request, "forbidden_key", `key ${JSON.stringify(key)} is not allowed`, [{ field: key, message: "forbidden key" }]));
  return null;
}

function parseJson(text: string): unknown {
  if (text.trim() === "") throw Object.assign(new Error("the body is empty; send a JSON object"), { statusCode: 400, code: "empty_body" });
  try {
    return sjson.parse(text, { protoAction: "error", constructorAction: "error" });
  } catch (err) {
    const message = (err as Error).message;
    const poisoned = /prototype/i.test(message);
    throw Object.assign(
      new Error(
        poisoned
          ? `the body uses a forbidden key (__proto__ or constructor.prototype): ${message}`
          : `the body is not valid JSON: ${message}`,
      ),
      {
        statusCode: 400,
        code: poisoned ? "forbidden_key" : "malformed_json",
        cause: err,
      },
    );
  }
}

/** JSON bodies only (anything else is a 415), parsed safely, checked for structure before validation. */
export const bodyPlugin = fp(
  (app: FastifyInstance, _opts: unknown, done: (err?: Error) => void) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, parsed) => {
      try {
        parsed(null, parseJson(body as string));
      } catch (err) {
        parsed(err as Error, undefined);
      }
    });
    app.addHook("preValidation", (request, reply, next) => {
      if (request.body !== undefined && structuralProblem(request, reply)) return;
      next();
    });
    done();
  },
  { name: "churn-body" },
);
