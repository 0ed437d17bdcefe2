// Worker thread for tuning: holds the CV data and fold cache, evaluates tasks posted by runTasks.
import { parentPort, workerData } from "node:worker_threads";
import { modelsReady } from "../models/registry";
import { type CvData, FoldCache, type Task, runTask } from "./tuning";

const port = parentPort;
if (!port) throw new Error("tune-worker must run as a worker thread");
const cache = new FoldCache(workerData as CvData);

port.on("message", (job: { t: Task; i: number }) => {
  try {
    port.postMessage({ i: job.i, result: runTask(cache, job.t) });
  } catch (err) {
    port.postMessage({ i: job.i, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});

void modelsReady().then(
  () => port.postMessage({ ready: true }),
  (err: unknown) => port.postMessage({ i: -1, error: String(err) }),
);
