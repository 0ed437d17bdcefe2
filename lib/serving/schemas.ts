// The API's JSON schemas: Fastify validates requests with them (structure and query strings) and /docs is generated
// from them. The structural rules of a customer are those of service.ts recordErrors, which names each bad field.
import { COLUMNS, FEATURE_COLUMNS } from "../core/schema";
import { MAX_FIELDS, MAX_VALUE_LENGTH } from "./service";

/** Largest body accepted by POST /predict (one customer is ~700 bytes of JSON). */
export const PREDICT_BODY_LIMIT = 16 * 1024;
/** Largest body accepted by POST /predict/batch. */
export const BATCH_BODY_LIMIT = 1024 * 1024;
/** Most customers in one batch request. */
export const MAX_BATCH = 1000;
/** Deepest JSON nesting accepted anywhere (a customer is depth 1, a batch depth 2). */
export const MAX_DEPTH = 8;

/** A customer field's value: a primitive, strings at most MAX_VALUE_LENGTH long (numbers may come as text). */
const fieldValue = { type: ["string", "number", "boolean", "null"], maxLength: MAX_VALUE_LENGTH };

export const customerSchema = {
  $id: "Customer",
  type: "object",
  description:
    "One customer in IBM field names; other spellings of names and values are accepted (see the cleaning rules). " +
    `At most ${MAX_FIELDS} fields, names and string values at most ${MAX_VALUE_LENGTH} characters.`,
  maxProperties: MAX_FIELDS,
  propertyNames: { maxLength: MAX_VALUE_LENGTH },
  properties: Object.fromEntries(
    COLUMNS.filter((c) => c.name !== "Churn").map((c) => [c.name, { ...fieldValue, description: c.description }]),
  ),
  additionalProperties: fieldValue,
  example: {
    customerID: "7590-VHVEG",
    gender: "Female",
    SeniorCitizen: 0,
    Partner: "Yes",
    Dependents: "No",
    tenure: 1,
    PhoneService: "No",
    MultipleLines: "No phone service",
    InternetService: "DSL",
    OnlineSecurity: "No",
    OnlineBackup: "Yes",
    DeviceProtection: "No",
    TechSupport: "No",
    StreamingTV: "No",
    StreamingMovies: "No",
    Contract: "Month-to-month",
    PaperlessBilling: "Yes",
    PaymentMethod: "Electronic check",
    MonthlyCharges: 29.85,
    TotalCharges: 29.85,
  },
} as const;

const warningSchema = {
  type: "object",
  properties: { code: { type: "string" }, field: { type: ["string", "null"] }, message: { type: "string" } },
};
const fieldErrorsSchema = {
  type: "array",
  items: { type: "object", properties: { field: { type: "string" }, message: { type: "string" } } },
};

export const predictionSchema = {
  type: "object",
  properties: {
    customerID: { type: ["string", "null"] },
    churn_probability: { type: "number" },
    churn: { type: "boolean" },
    threshold: { type: "number" },
    risk_band: { type: "string", enum: ["low", "medium", "high"] },
    reasons: {
      type: "array",
      description:
        "The strongest contributions to the score, by raw customer field: one-hot levels and missing indicators are summed " +
        "into their field and each derived feature is split equally among the fields it is computed from, so a field " +
        "appears at most once; strongest |contribution| first.",
      maxItems: FEATURE_COLUMNS.length,
      items: {
        type: "object",
        properties: {
          field: { type: "string", enum: FEATURE_COLUMNS, description: "a customer field, in IBM's name" },
          value: { type: "string", description: "the customer's value of the field, as text (missing: 'missing')" },
          contribution: { type: "number", description: "signed; positive raises the churn risk, in `unit`" },
          unit: { type: "string", enum: ["log-odds", "probability"] },
          text: { type: "string" },
        },
      },
    },
    model_version: { type: "string" },
    warnings: { type: "array", items: warningSchema },
    novelty: { type: "number" },
  },
};

export const errorSchema = {
  type: "object",
  properties: { error: { type: "string" }, message: { type: "string" }, fields: fieldErrorsSchema, request_id: { type: "string" } },
};

/** `?reasons=K`: how many reasons to return (0: none, fastest). */
export function reasonsQuery(defaultReasons: number): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      reasons: {
        type: "integer",
        minimum: 0,
        maximum: FEATURE_COLUMNS.length,
        default: defaultReasons,
        description: "number of reasons (0: none, fastest)",
      },
    },
  };
}

/**
 * A batch. Its items are not held to the customer schema here: a customer that fails its checks is refused on its
 * own (`ok: false` with its errors), so one bad row never fails the others.
 */
export function batchSchema(maxBatch: number): Record<string, unknown> {
  return {
    type: "object",
    required: ["customers"],
    properties: {
      customers: { type: "array", maxItems: maxBatch, items: { description: "a customer, as the body of POST /predict (see Customer)" } },
    },
  };
}

export function batchResponseSchema(): Record<string, unknown> {
  return {
    type: "object",
    properties: {
      model_version: { type: "string" },
      scored: { type: "integer" },
      refused: { type: "integer" },
      results: {
        type: "array",
        items: {
          type: "object",
          properties: { index: { type: "integer" }, ok: { type: "boolean" }, prediction: predictionSchema, errors: fieldErrorsSchema },
        },
      },
    },
  };
}
