// The seeded run's artifacts and the export they came from: readers (notebooks, report, docs, slides) open both here,
// and are refused when the artifacts were made from another file than the data they would be combined with.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { locateData } from "../data/acquire";
import type { DataRef } from "./types";
import { modelVersion } from "./model-file";

export function dataRef(file: string, bytes: Buffer = readFileSync(file)): DataRef {
  return { file: path.basename(file), sha256: createHash("sha256").update(bytes).digest("hex") };
}

// exitCode 2: bad input, as the CLI's other refusals.
export class RunMismatchError extends Error {
  readonly exitCode = 2;
  override readonly name = "RunMismatchError";
}

/** The artifacts a run writes, and where each records its data file (name and sha256). */
const ARTIFACTS: { file: string; required: boolean; ref: (json: Record<string, unknown>) => Partial<DataRef> | undefined }[] = [
  { file: "model.json", required: true, ref: (j) => ({ sha256: field(j, "training", "dataSha256") }) },
  { file: "metrics.json", required: true, ref: (j) => ({ file: field(j, "dataset", "file"), sha256: field(j, "dataset", "sha256") }) },
  { file: "split.json", required: true, ref: (j) => ({ file: field(j, "data", "file"), sha256: field(j, "data", "sha256") }) },
  { file: "quality-report.json", required: true, ref: (j) => ({ file: field(j, "source", "file"), sha256: field(j, "source", "sha256") }) },
  { file: "study.json", required: false, ref: (j) => ({ file: field(j, "data", "file"), sha256: field(j, "data", "sha256") }) },
  {
    file: path.join("bench", "bench-serve.json"),
    required: false,
    ref: (j) => ({ file: field(j, "data", "file"), sha256: field(j, "data", "sha256") }),
  },
];

function field(json: Record<string, unknown>, outer: string, inner: string): string | undefined {
  const o = json[outer];
  const v = o !== null && typeof o === "object" ? (o as Record<string, unknown>)[inner] : undefined;
  return typeof v === "string" ? v : undefined;
}

export interface RunInputs {
  /** The artifacts folder (CHURN_ARTIFACTS, else artifacts/). */
  artifactsDir: string;
  /** The export the artifacts came from (CHURN_EXPORT_FILE, else the committed take-home export). */
  exportFile: string;
  /** IBM's clean file. */
  cleanFile: string;
  /** sha256 of exportFile, which every artifact present records. */
  sha256: string;
  /** The artifacts present, relative to artifactsDir. */
  artifacts: string[];
}

/**
 * The run's artifacts and its export, checked to belong together: every artifact present must record the sha256 of
 * the export (a missing required artifact, or one that records none, is an error naming what to run).
 */
export function locateRun(root: string, env: NodeJS.ProcessEnv = process.env): RunInputs {
  const { exportFile, cleanFile } = locateData(root, env);
  const artifactsDir = path.resolve(root, env["CHURN_ARTIFACTS"]?.trim() || "artifacts");
  const data = dataRef(exportFile);
  const present: string[] = [];
  const jsons = new Map<string, Record<string, unknown>>();
  const refs = new Map<string, Partial<DataRef>>();
  for (const artifact of ARTIFACTS) {
    const file = path.join(artifactsDir, artifact.file);
    if (!existsSync(file)) {
      if (artifact.required) {
        throw new RunMismatchError(
          `${file} is missing: run \`npm start\` first (it trains on ${path.basename(exportFile)} and writes ${artifactsDir}).`,
        );
      }
      continue;
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new RunMismatchError(`${file} is not valid JSON (${(err as Error).message}): run \`npm start\` again.`);
    }
    const ref = artifact.ref(json);
    if (!ref?.sha256) {
      throw new RunMismatchError(
        `${file} does not record the data file it came from: it was written by an older version; run \`npm start\` again.`,
      );
    }
    jsons.set(artifact.file, json);
    refs.set(artifact.file, ref);
    present.push(artifact.file);
  }
  // model.json records only the sha256; another artifact with the same sha256 says which file that was.
  const nameOf = (sha256: string): string =>
    [...refs.values()].find((r) => r.sha256 === sha256 && r.file !== undefined)?.file ?? "another file";
  for (const [artifact, ref] of refs) {
    if (ref.sha256 !== data.sha256) {
      const sha256 = ref.sha256 as string;
      throw new RunMismatchError(
        `${path.join(artifactsDir, artifact)} came from ${ref.file ?? nameOf(sha256)} (sha256 ${sha256.slice(0, 12)}…), but the data given is ` +
          `${exportFile} (sha256 ${data.sha256.slice(0, 12)}…): artifacts of one file are not combined with data of another. Run \`npm start\` ` +
          `with CHURN_EXPORT_FILE=${exportFile} to rebuild the artifacts, or set CHURN_EXPORT_FILE to the file they came from.`,
      );
    }
  }
  checkBenchModel(artifactsDir, jsons);
  return { artifactsDir, exportFile, cleanFile, sha256: data.sha256, artifacts: present };
}

/** A serving benchmark of another model than the one saved would put its numbers beside the wrong model. */
function checkBenchModel(artifactsDir: string, jsons: Map<string, Record<string, unknown>>): void {
  const benchFile = path.join("bench", "bench-serve.json");
  const bench = jsons.get(benchFile);
  const model = jsons.get("model.json");
  if (!bench || !model || typeof model["name"] !== "string" || typeof model["checksum"] !== "string") return;
  const measured = field(bench, "model", "model_version");
  const saved = modelVersion({ name: model["name"], checksum: model["checksum"] });
  if (measured !== saved) {
    throw new RunMismatchError(
      `${path.join(artifactsDir, benchFile)} measured model ${measured ?? "(unnamed)"}, but ${path.join(artifactsDir, "model.json")} is ${saved}: ` +
        "run `npm run bench:serve` (or `npm start`) again.",
    );
  }
}
