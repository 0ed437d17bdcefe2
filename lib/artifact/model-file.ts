// The saved model artifact: a versioned, checksummed JSON file, and the one loader that refuses anything else.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Scorer, loadScorer } from "./scorer";
import { MODEL_SCHEMA, type ModelFile } from "./types";

/** 2: adds the content checksum, the novelty reference and the TotalCharges consistency reference. */
export const MODEL_SCHEMA_VERSION = 2;

export class ModelFileError extends Error {
  readonly exitCode = 2;
  override name = "ModelFileError";
}

/**
 * Content checksum of a model: sha256 of the compact JSON of every field but `checksum`, in file order. JSON.parse
 * followed by JSON.stringify reproduces that text exactly in JavaScript (insertion order, shortest round-trip numbers),
 * so the checksum survives reading and pretty-printing.
 */
export function modelChecksum(file: Readonly<Record<string, unknown>>): string {
  const { checksum: _ignored, ...content } = file;
  return createHash("sha256").update(JSON.stringify(content)).digest("hex");
}

/** The model file with its checksum as the last field. */
export function sealModel(file: Omit<ModelFile, "checksum">): ModelFile {
  return { ...file, checksum: modelChecksum(file) };
}

/** "xgboost@1f2e3d4c5b6a": the model's name and the first 12 hex digits of its checksum, as the API reports it. */
export function modelVersion(file: Pick<ModelFile, "name" | "checksum">): string {
  return `${file.name}@${file.checksum.slice(0, 12)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks a parsed model file: schema, version, checksum and the fields serving needs. Returns the problems found. */
export function modelFileProblems(value: unknown): string[] {
  if (!isObject(value)) return ["the file is not a JSON object"];
  if (value["schema"] !== MODEL_SCHEMA)
    return [`it is not a churn model (schema ${JSON.stringify(value["schema"])}, expected "${MODEL_SCHEMA}")`];
  if (value["schemaVersion"] !== MODEL_SCHEMA_VERSION) {
    return [
      `it has model schema version ${JSON.stringify(value["schemaVersion"])}; this build reads version ${MODEL_SCHEMA_VERSION} (retrain with \`churn train\`)`,
    ];
  }
  const problems: string[] = [];
  if (typeof value["checksum"] !== "string") problems.push("it has no checksum");
  else if (value["checksum"] !== modelChecksum(value))
    problems.push("its checksum does not match its content (the file was modified or truncated)");
  const threshold = value["threshold"];
  if (typeof threshold !== "number" || !(threshold > 0 && threshold < 1))
    problems.push(`threshold ${JSON.stringify(threshold)} is not a probability in (0, 1)`);
  if (!isObject(value["scorer"])) problems.push("it has no scorer");
  if (!isObject(value["reference"])) problems.push("it has no training reference statistics");
  const training = value["training"];
  if (!isObject(training) || typeof training["dataSha256"] !== "string") problems.push("it has no training-data fingerprint");
  if (typeof value["createdAt"] !== "string" || Number.isNaN(Date.parse(value["createdAt"]))) problems.push("it has no creation time");
  return problems;
}

/** Parses and verifies model JSON text, then builds its scorer. `label` names the source in errors. */
export function parseModelFile(text: string, label: string): { file: ModelFile; scorer: Scorer } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`cannot read model ${label}: ${(err as Error).message}`);
  }
  const problems = modelFileProblems(value);
  if (problems.length > 0) throw new ModelFileError(`refusing model ${label}: ${problems.join("; ")}`);
  const file = value as ModelFile;
  try {
    return { file, scorer: loadScorer(file.scorer) };
  } catch (err) {
    throw new ModelFileError(`refusing model ${label}: its scorer is corrupt: ${(err as Error).message}`);
  }
}

/** Reads model.json, refusing a missing, corrupted or incompatible file with a ModelFileError naming the problem. */
export function loadModelFile(path: string): { file: ModelFile; scorer: Scorer } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ModelFileError(
      `cannot read model ${path}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file (train one with `churn train`)" : (err as Error).message}`,
    );
  }
  return parseModelFile(text, path);
}
