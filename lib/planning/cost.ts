// Serving cost from measured numbers: the nightly batch and the online service, priced with stated list prices.
//
// Inputs are what was MEASURED on this machine (batch throughput on one core in process, HTTP throughput of the whole
// server and the cores it used, resident memory, p99 latency), the LOADS to serve, and PRICES stated with their source
// and date. Everything else is arithmetic, spelled out in `CostResult.trace` and in the comments below:
//
// - Batch: core-seconds = customers / (customers per second per core). An instance runs one worker per vCPU (as many
//   as its memory holds at the measured RSS plus 10% slack) and scales linearly with workers: an assumption to check
//   by measuring a multi-worker run. Billing is per second with a 60-second minimum per instance (EC2 Linux).
// - Online: capacity per core = measured requests/s / cores used; an instance has (workers x capacity per core); the
//   fleet runs at most `headroom` of that (0.5 = half of measured capacity, for bursts, GC and a lost instance), with at
//   least 2 instances for availability; it is billed 730 hours a month.
// - A month is 30 nightly runs and 730 hours.
//
// Prices cannot be checked from here: DEFAULT_PRICES are AWS list prices as the team last checked them, stated as
// assumptions with their source; re-check before quoting. Pure functions, no I/O.

export interface MeasuredNumbers {
  /** Customers scored per second on ONE core, in process (no HTTP). */
  batchCustomersPerSecond: number;
  /** Same, with explanations turned off, if measured (enables the "drop explanations" lever). */
  batchCustomersPerSecondWithoutExplanations?: number;
  /** Requests per second of the whole HTTP server on this machine. */
  httpRequestsPerSecond: number;
  /** Cores the HTTP measurement used (server processes or worker threads). */
  httpCores: number;
  /** Resident memory of one server process, MB. */
  serverRssMb: number;
  /** p99 latency measured at that throughput, ms. */
  p99Ms: number;
}

export interface Loads {
  /** Customers scored per nightly run. */
  nightlyBatchCustomers: number;
  /** The batch must finish within this many hours (default 4). */
  batchWindowHours?: number;
  /** Peak online requests per second. */
  peakRequestsPerSecond: number;
  /** Average online requests per second over the month (default: the peak, which gives a lower bound of cost per prediction). */
  averageRequestsPerSecond?: number;
  /** Highest share of measured capacity the fleet runs at (0.5 = run at <= 50%). */
  headroom: number;
  /** Hours per day the online load is low enough to shrink the fleet or run the batch beside it (default 12). */
  offPeakHoursPerDay?: number;
}

export interface InstancePrice {
  name: string;
  vcpus: number;
  memoryGb: number;
  /** On-demand list price, USD per hour. */
  hourlyUsd: number;
  source: string;
  asOf: string;
}

export interface Prices {
  /** The instance type the online service runs on. */
  instance: InstancePrice;
  /** The instance type for the nightly batch (default: `instance`). */
  batchInstance?: InstancePrice;
  /** Instance types compared by the right-sizing lever (default: DEFAULT_PRICES.catalog). */
  catalog?: readonly InstancePrice[];
  /** Typical spot discount against on-demand, as a share (spot prices float). */
  spotDiscount: { share: number; source: string; asOf: string };
  /** Optional function-as-a-service prices for the scale-to-zero lever. */
  serverless?: { name: string; usdPerGbSecond: number; usdPerMillionRequests: number; source: string; asOf: string };
}

const AWS_SOURCE = "AWS EC2 On-Demand pricing page, us-east-1, Linux";
const AS_OF = "list price as the team last checked it (2024); not verifiable offline, re-check before quoting";

const C7G_MEDIUM: InstancePrice = { name: "c7g.medium", vcpus: 1, memoryGb: 2, hourlyUsd: 0.03625, source: AWS_SOURCE, asOf: AS_OF };
const C7G_LARGE: InstancePrice = { name: "c7g.large", vcpus: 2, memoryGb: 4, hourlyUsd: 0.0725, source: AWS_SOURCE, asOf: AS_OF };
const C7G_XLARGE: InstancePrice = { name: "c7g.xlarge", vcpus: 4, memoryGb: 8, hourlyUsd: 0.145, source: AWS_SOURCE, asOf: AS_OF };

/** Stated price assumptions (Graviton c7g family, us-east-1); every entry carries its source and "as of". */
export const DEFAULT_PRICES: Readonly<Prices> = Object.freeze({
  instance: C7G_LARGE,
  batchInstance: C7G_XLARGE,
  catalog: Object.freeze([C7G_MEDIUM, C7G_LARGE, C7G_XLARGE]),
  spotDiscount: {
    share: 0.6,
    source: "assumption: AWS advertises spot at up to 90% off on-demand; 60% is a conservative typical c7g discount",
    asOf: AS_OF,
  },
  serverless: {
    name: "AWS Lambda (arm64)",
    usdPerGbSecond: 0.0000133334,
    usdPerMillionRequests: 0.2,
    source: "AWS Lambda pricing page, us-east-1, arm64, first pricing tier",
    asOf: AS_OF,
  },
});

export interface CostInput {
  measured: MeasuredNumbers;
  loads: Loads;
  /** Default DEFAULT_PRICES. */
  prices?: Prices;
}

export interface BatchCost {
  instance: string;
  /** Workers per instance: min(vCPUs, processes the memory holds). */
  workersPerInstance: number;
  /** customers / batchCustomersPerSecond. */
  coreSeconds: number;
  /** coreSeconds / workersPerInstance: the run on one instance. */
  wallSecondsOneInstance: number;
  /** Instances needed to finish within the batch window. */
  instances: number;
  /** Billed instance-hours per run (60-second minimum per instance). */
  instanceHours: number;
  costPerRunUsd: number;
  /** 30 runs. */
  costPerMonthUsd: number;
}

export interface OnlineCost {
  instance: string;
  workersPerInstance: number;
  /** httpRequestsPerSecond / httpCores. */
  capacityPerCore: number;
  /** capacityPerCore x workersPerInstance. */
  capacityPerInstance: number;
  /** capacityPerInstance x headroom. */
  usablePerInstance: number;
  /** max(2, ceil(peak / usablePerInstance)). */
  instances: number;
  /** True when the availability floor of 2, not the load, sets the instance count. */
  floorBinds: boolean;
  /** Peak load / fleet capacity. */
  peakUtilization: number;
  costPerMonthUsd: number;
  /** Predictions per month at the average load. */
  predictionsPerMonth: number;
  /** Monthly cost / predictions per month x 1e6. */
  costPerMillionUsd: number;
  /** Monthly cost / (fleet capacity at headroom x 730 h) x 1e6: the cost of a million predictions if the fleet were kept busy. */
  costPerMillionAtCapacityUsd: number;
  p99Ms: number;
}

export interface LeverEstimate {
  name: string;
  /** Estimated saving per month in USD (negative: the lever costs more); null when it cannot be computed from the inputs. */
  monthlySavingUsd: number | null;
  detail: string;
}

export interface CostResult {
  batch: BatchCost;
  online: OnlineCost;
  totalPerMonthUsd: number;
  /** One line per lever, with its estimated effect. */
  levers: string[];
  leverEstimates: LeverEstimate[];
  /** How each number follows from the inputs. */
  trace: string[];
  prices: Prices;
}

export const HOURS_PER_MONTH = 730;
export const RUNS_PER_MONTH = 30;
/** Share of instance memory a worker's RSS may fill in total (the rest: OS, page cache, spikes). */
const MEMORY_USABLE = 0.9;
/** Memory at which AWS Lambda allocates one full vCPU (Lambda documentation, "Configuring function memory"). */
export const SERVERLESS_FULL_VCPU_MB = 1769;

function positive(name: string, x: number): void {
  if (!(Number.isFinite(x) && x > 0)) throw new RangeError(`${name} must be a finite number > 0, got ${x}`);
}

function nonNegative(name: string, x: number): void {
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${x}`);
}

function checkInstance(label: string, p: InstancePrice): void {
  if (!(Number.isInteger(p.vcpus) && p.vcpus >= 1)) throw new RangeError(`${label}.vcpus must be an integer >= 1, got ${p.vcpus}`);
  positive(`${label}.memoryGb`, p.memoryGb);
  nonNegative(`${label}.hourlyUsd`, p.hourlyUsd);
}

/** Workers an instance runs: one per vCPU, as many as fit in memory at the measured RSS. */
function workersFor(p: InstancePrice, rssMb: number): number {
  const byMemory = Math.floor((p.memoryGb * 1024 * MEMORY_USABLE) / rssMb);
  if (byMemory < 1) {
    throw new RangeError(`instance ${p.name} (${p.memoryGb} GB) cannot hold one worker of ${rssMb} MB RSS`);
  }
  return Math.min(p.vcpus, byMemory);
}

const up = (x: number): number => Math.ceil(x - 1e-9);

function onlineFleet(m: MeasuredNumbers, l: Loads, p: InstancePrice, avgRps: number): OnlineCost {
  const workersPerInstance = workersFor(p, m.serverRssMb);
  const capacityPerCore = m.httpRequestsPerSecond / m.httpCores;
  const capacityPerInstance = capacityPerCore * workersPerInstance;
  const usablePerInstance = capacityPerInstance * l.headroom;
  const byLoad = up(l.peakRequestsPerSecond / usablePerInstance);
  const instances = Math.max(2, byLoad);
  const costPerMonthUsd = instances * HOURS_PER_MONTH * p.hourlyUsd;
  const predictionsPerMonth = avgRps * HOURS_PER_MONTH * 3600;
  const atCapacity = instances * usablePerInstance * HOURS_PER_MONTH * 3600;
  return {
    instance: p.name,
    workersPerInstance,
    capacityPerCore,
    capacityPerInstance,
    usablePerInstance,
    instances,
    floorBinds: byLoad < 2,
    peakUtilization: l.peakRequestsPerSecond / (instances * capacityPerInstance),
    costPerMonthUsd,
    predictionsPerMonth,
    costPerMillionUsd: predictionsPerMonth > 0 ? (costPerMonthUsd / predictionsPerMonth) * 1e6 : Infinity,
    costPerMillionAtCapacityUsd: (costPerMonthUsd / atCapacity) * 1e6,
    p99Ms: m.p99Ms,
  };
}

function batchRun(customers: number, cps: number, windowHours: number, p: InstancePrice, rssMb: number): BatchCost {
  const workersPerInstance = workersFor(p, rssMb);
  const coreSeconds = customers / cps;
  const wallSecondsOneInstance = coreSeconds / workersPerInstance;
  const instances = customers === 0 ? 0 : Math.max(1, up(wallSecondsOneInstance / (windowHours * 3600)));
  const instanceHours = instances === 0 ? 0 : (instances * Math.max(60, wallSecondsOneInstance / instances)) / 3600;
  const costPerRunUsd = instanceHours * p.hourlyUsd;
  return {
    instance: p.name,
    workersPerInstance,
    coreSeconds,
    wallSecondsOneInstance,
    instances,
    instanceHours,
    costPerRunUsd,
    costPerMonthUsd: costPerRunUsd * RUNS_PER_MONTH,
  };
}

const usd = (x: number): string => {
  if (!Number.isFinite(x)) return "n/a";
  if (x === 0) return "$0";
  const a = Math.abs(x);
  const s = a >= 100 ? a.toFixed(0) : a >= 1 ? a.toFixed(2) : a >= 0.01 ? a.toFixed(3) : a.toPrecision(2);
  return `${x < 0 ? "-" : ""}$${s}`;
};
const num = (x: number, d = 2): string => `${+x.toFixed(d)}`;

/** The measured numbers, checked: every throughput and size > 0, the latency >= 0. */
function checkMeasured(m: MeasuredNumbers): void {
  positive("measured.batchCustomersPerSecond", m.batchCustomersPerSecond);
  if (m.batchCustomersPerSecondWithoutExplanations !== undefined) {
    positive("measured.batchCustomersPerSecondWithoutExplanations", m.batchCustomersPerSecondWithoutExplanations);
  }
  positive("measured.httpRequestsPerSecond", m.httpRequestsPerSecond);
  positive("measured.httpCores", m.httpCores);
  positive("measured.serverRssMb", m.serverRssMb);
  nonNegative("measured.p99Ms", m.p99Ms);
}

/** The loads with their defaults filled in, checked. */
function resolveLoads(loads: Loads): Required<Loads> {
  const l: Required<Loads> = {
    batchWindowHours: 4,
    offPeakHoursPerDay: 12,
    averageRequestsPerSecond: loads.peakRequestsPerSecond,
    ...loads,
  };
  nonNegative("loads.nightlyBatchCustomers", l.nightlyBatchCustomers);
  positive("loads.batchWindowHours", l.batchWindowHours);
  if (l.batchWindowHours > 24) throw new RangeError(`loads.batchWindowHours must be <= 24, got ${l.batchWindowHours}`);
  nonNegative("loads.peakRequestsPerSecond", l.peakRequestsPerSecond);
  nonNegative("loads.averageRequestsPerSecond", l.averageRequestsPerSecond);
  if (l.averageRequestsPerSecond > l.peakRequestsPerSecond) {
    throw new RangeError(
      `loads.averageRequestsPerSecond (${l.averageRequestsPerSecond}) cannot exceed peakRequestsPerSecond (${l.peakRequestsPerSecond})`,
    );
  }
  if (!(Number.isFinite(l.headroom) && l.headroom > 0 && l.headroom <= 1)) {
    throw new RangeError(`loads.headroom is the highest share of capacity used, in (0, 1], got ${l.headroom}`);
  }
  if (!(Number.isFinite(l.offPeakHoursPerDay) && l.offPeakHoursPerDay >= 0 && l.offPeakHoursPerDay <= 24)) {
    throw new RangeError(`loads.offPeakHoursPerDay must be in [0, 24], got ${l.offPeakHoursPerDay}`);
  }
  return l;
}

/** The prices with their defaults resolved (batch instance, catalog, spot share), checked. */
function resolvePrices(prices: Prices): { batchInstance: InstancePrice; catalog: readonly InstancePrice[]; spot: number } {
  checkInstance("prices.instance", prices.instance);
  const batchInstance = prices.batchInstance ?? prices.instance;
  checkInstance("prices.batchInstance", batchInstance);
  const catalog = prices.catalog ?? DEFAULT_PRICES.catalog ?? [];
  catalog.forEach((c, i) => checkInstance(`prices.catalog[${i}]`, c));
  const spot = prices.spotDiscount.share;
  if (!(Number.isFinite(spot) && spot >= 0 && spot < 1)) throw new RangeError(`prices.spotDiscount.share must be in [0, 1), got ${spot}`);
  if (prices.serverless) {
    nonNegative("prices.serverless.usdPerGbSecond", prices.serverless.usdPerGbSecond);
    nonNegative("prices.serverless.usdPerMillionRequests", prices.serverless.usdPerMillionRequests);
  }
  return { batchInstance, catalog, spot };
}

/** Everything a lever estimate is computed from: the checked inputs and the baseline batch and online costs. */
interface LeverInputs {
  m: MeasuredNumbers;
  l: Required<Loads>;
  prices: Prices;
  batchInstance: InstancePrice;
  catalog: readonly InstancePrice[];
  spot: number;
  batch: BatchCost;
  online: OnlineCost;
}

/** Lever: the nightly batch on spot instances. */
function spotLever({ batch, spot }: LeverInputs): LeverEstimate {
  return {
    name: "batch on spot instances",
    monthlySavingUsd: batch.costPerMonthUsd * spot,
    detail:
      `the batch is restartable (score in chunks, write per chunk), so interruptions cost a retry: ` +
      `${usd(batch.costPerMonthUsd)}/month x ${num(spot * 100, 0)}% spot discount`,
  };
}

/** Lever: the online fleet's spare capacity scores the batch off peak, so the batch instances go. */
function sharedFleetLever({ l, batch, online }: LeverInputs): LeverEstimate {
  const fleetWorkers = online.instances * online.workersPerInstance;
  const spareShare = 1 - l.headroom;
  const batchHoursOnFleet = spareShare > 0 ? batch.coreSeconds / (fleetWorkers * spareShare) / 3600 : Infinity;
  const fits = batchHoursOnFleet <= l.offPeakHoursPerDay;
  return {
    name: "one fleet serves both",
    monthlySavingUsd: fits ? batch.costPerMonthUsd : null,
    detail: fits
      ? `the online fleet's spare ${num(spareShare * 100, 0)}% (${fleetWorkers} workers) scores the night's batch in ` +
        `${num(batchHoursOnFleet)} h of its ${l.offPeakHoursPerDay} off-peak hours: the batch instances go, ${usd(batch.costPerMonthUsd)}/month`
      : `does not fit: the batch would need ${num(batchHoursOnFleet)} h of the fleet's spare capacity, ` +
        `more than the ${l.offPeakHoursPerDay} off-peak hours`,
  };
}

/** Lever: instances above the availability floor switched off during the off-peak hours. */
function offPeakLever({ l, prices, online }: LeverInputs): LeverEstimate {
  const shrinkable = online.instances - 2;
  return {
    name: "scale down off peak",
    monthlySavingUsd: shrinkable * l.offPeakHoursPerDay * RUNS_PER_MONTH * prices.instance.hourlyUsd,
    detail:
      shrinkable > 0
        ? `${shrinkable} of ${online.instances} instances off for ${l.offPeakHoursPerDay} h a day (keeping the availability floor of 2)`
        : `no effect at this load: the availability floor of 2 instances already sets the fleet`,
  };
}

/** Lever: the online service as a function that scales to zero (only with serverless prices). */
function serverlessLever({ m, online }: LeverInputs, s: NonNullable<Prices["serverless"]>): LeverEstimate {
  // Lambda allocates CPU in proportion to memory, one full vCPU at 1,769 MB: the single-core latency measured here
  // needs at least that much, whatever the RSS.
  const memGb = Math.max(SERVERLESS_FULL_VCPU_MB, Math.ceil(m.serverRssMb / 64) * 64) / 1024;
  const serverlessMonthly =
    online.predictionsPerMonth * (m.p99Ms / 1000) * memGb * s.usdPerGbSecond + (online.predictionsPerMonth / 1e6) * s.usdPerMillionRequests;
  return {
    name: "scale to zero (function as a service)",
    monthlySavingUsd: online.costPerMonthUsd - serverlessMonthly,
    detail:
      `${s.name}: ${num(online.predictionsPerMonth / 1e6, 1)} M requests/month x p99 ${m.p99Ms} ms (an upper bound of the ` +
      `mean) x ${num(memGb, 3)} GB (one full vCPU) = ${usd(serverlessMonthly)}/month against ${usd(online.costPerMonthUsd)} for the fleet; ` +
      `cold starts (model load) land on p99`,
  };
}

/** Lever: no explanations on the batch path, priced when the throughput without them was measured. */
function dropExplanationsLever({ m, l, batchInstance, batch }: LeverInputs): LeverEstimate {
  if (m.batchCustomersPerSecondWithoutExplanations === undefined) {
    return {
      name: "drop explanations on the batch path",
      monthlySavingUsd: null,
      detail: "not measured: measure batch throughput without explanations and compute reasons only for contacted customers",
    };
  }
  const faster = batchRun(
    l.nightlyBatchCustomers,
    m.batchCustomersPerSecondWithoutExplanations,
    l.batchWindowHours,
    batchInstance,
    m.serverRssMb,
  );
  return {
    name: "drop explanations on the batch path",
    monthlySavingUsd: batch.costPerMonthUsd - faster.costPerMonthUsd,
    detail:
      `${num(m.batchCustomersPerSecond, 0)} -> ${num(m.batchCustomersPerSecondWithoutExplanations, 0)} customers/s per core; ` +
      `compute reasons only for the customers the campaign contacts`,
  };
}

/** Lever (already taken): one worker per vCPU, against the fleet a single-threaded server would need. */
function workerThreadsLever({ m, l, prices, online }: LeverInputs): LeverEstimate {
  const single = onlineFleet(m, l, { ...prices.instance, vcpus: 1 }, l.averageRequestsPerSecond);
  const singleCost = single.instances * HOURS_PER_MONTH * prices.instance.hourlyUsd;
  return {
    name: "worker threads per core",
    monthlySavingUsd: singleCost - online.costPerMonthUsd,
    detail:
      `one worker per vCPU (${online.workersPerInstance} on ${prices.instance.name}); a single-threaded server would need ` +
      `${single.instances} instances instead of ${online.instances}`,
  };
}

/** Lever: the cheapest catalog instance that holds a worker; null when none does. */
function rightSizeLever({ m, l, catalog, online }: LeverInputs): LeverEstimate | null {
  const options = catalog.map((c) => {
    try {
      return { c, fleet: onlineFleet(m, l, c, l.averageRequestsPerSecond) };
    } catch (e) {
      if (e instanceof RangeError) return null; // the worker does not fit in this instance's memory
      throw e;
    }
  });
  let best: { c: InstancePrice; fleet: OnlineCost } | null = null;
  for (const o of options) if (o && (!best || o.fleet.costPerMonthUsd < best.fleet.costPerMonthUsd)) best = o;
  if (!best) return null;
  return {
    name: "right-size the online instance",
    monthlySavingUsd: online.costPerMonthUsd - best.fleet.costPerMonthUsd,
    detail:
      `cheapest of ${catalog.map((c) => c.name).join(", ")} at this load: ${best.fleet.instances} x ${best.c.name} = ` +
      `${usd(best.fleet.costPerMonthUsd)}/month`,
  };
}

/** Every lever that applies to these inputs, in the order they are reported. */
function leverEstimates(x: LeverInputs): LeverEstimate[] {
  const est: LeverEstimate[] = [spotLever(x), sharedFleetLever(x), offPeakLever(x)];
  if (x.prices.serverless) est.push(serverlessLever(x, x.prices.serverless));
  est.push(dropExplanationsLever(x), workerThreadsLever(x));
  if (x.catalog.length > 0) {
    const rightSize = rightSizeLever(x);
    if (rightSize) est.push(rightSize);
  }
  return est;
}

/** One lever as a line: its name, its effect in USD a month (or why there is none), its detail. */
function formatLever(e: LeverEstimate): string {
  return `${e.name}: ${e.monthlySavingUsd === null ? "effect not computable" : e.monthlySavingUsd >= 0 ? `saves ${usd(e.monthlySavingUsd)}/month` : `costs ${usd(-e.monthlySavingUsd)}/month more`} — ${e.detail}`;
}

/** How the batch and online numbers follow from the inputs, one line per step. */
function costTrace({ m, l, prices, batchInstance, batch, online }: LeverInputs): string[] {
  return [
    `batch: ${l.nightlyBatchCustomers} customers / ${m.batchCustomersPerSecond} per core-second = ${num(batch.coreSeconds)} core-seconds`,
    `batch: ${batch.workersPerInstance} workers on ${batchInstance.name} -> ${num(batch.wallSecondsOneInstance)} s on one instance; ` +
      `${batch.instances} instance(s) for a ${l.batchWindowHours} h window; ${num(batch.instanceHours, 4)} instance-hours (60 s minimum) ` +
      `x $${batchInstance.hourlyUsd}/h = ${usd(batch.costPerRunUsd)} per run, x ${RUNS_PER_MONTH} = ${usd(batch.costPerMonthUsd)}/month`,
    `online: ${m.httpRequestsPerSecond} req/s / ${m.httpCores} cores = ${num(online.capacityPerCore)} req/s per core; x ` +
      `${online.workersPerInstance} workers = ${num(online.capacityPerInstance)} per ${prices.instance.name}; x headroom ${l.headroom} = ` +
      `${num(online.usablePerInstance)} usable`,
    `online: max(2, ceil(${l.peakRequestsPerSecond} / ${num(online.usablePerInstance)})) = ${online.instances} instances x ` +
      `${HOURS_PER_MONTH} h x $${prices.instance.hourlyUsd}/h = ${usd(online.costPerMonthUsd)}/month`,
    `online: ${l.averageRequestsPerSecond} req/s average x ${HOURS_PER_MONTH} h = ${num(online.predictionsPerMonth / 1e6, 1)} M ` +
      `predictions/month -> ${usd(online.costPerMillionUsd)} per million`,
  ];
}

/** The cost of the nightly batch and the online service, with levers, from measured numbers, loads and stated prices. */
export function costModel(input: CostInput): CostResult {
  const m = input.measured;
  const prices = input.prices ?? DEFAULT_PRICES;
  checkMeasured(m);
  const l = resolveLoads(input.loads);
  const { batchInstance, catalog, spot } = resolvePrices(prices);

  const batch = batchRun(l.nightlyBatchCustomers, m.batchCustomersPerSecond, l.batchWindowHours, batchInstance, m.serverRssMb);
  const online = onlineFleet(m, l, prices.instance, l.averageRequestsPerSecond);
  const totalPerMonthUsd = batch.costPerMonthUsd + online.costPerMonthUsd;

  const x: LeverInputs = { m, l, prices, batchInstance, catalog, spot, batch, online };
  const est = leverEstimates(x);
  return { batch, online, totalPerMonthUsd, levers: est.map(formatLever), leverEstimates: est, trace: costTrace(x), prices };
}

/** The cost result as markdown: one table of the numbers, the levers, and the price sources. */
export function formatCost(r: CostResult): string {
  const b = r.batch;
  const o = r.online;
  const rows: [string, string, string][] = [
    ["nightly batch: core-seconds", num(b.coreSeconds), "customers / customers per core-second"],
    [
      "nightly batch: wall time on one instance",
      `${num(b.wallSecondsOneInstance / 60)} min`,
      `core-seconds / ${b.workersPerInstance} workers (${b.instance})`,
    ],
    [
      "nightly batch: instances / instance-hours per run",
      `${b.instances} / ${num(b.instanceHours, 4)}`,
      "enough to fit the window; 60 s minimum",
    ],
    ["nightly batch: cost per run", usd(b.costPerRunUsd), "instance-hours x hourly price"],
    ["nightly batch: cost per month", usd(b.costPerMonthUsd), `${RUNS_PER_MONTH} runs`],
    [
      "online: capacity per instance",
      `${num(o.capacityPerInstance, 0)} req/s`,
      `${num(o.capacityPerCore, 0)} req/s per core x ${o.workersPerInstance} workers (${o.instance})`,
    ],
    [
      "online: instances at peak",
      `${o.instances}${o.floorBinds ? " (availability floor)" : ""}`,
      "peak / (capacity x headroom), at least 2",
    ],
    ["online: peak utilization", `${num(o.peakUtilization * 100, 1)}%`, "peak / fleet capacity"],
    ["online: cost per month", usd(o.costPerMonthUsd), `${HOURS_PER_MONTH} h`],
    ["online: cost per million predictions", usd(o.costPerMillionUsd), "at the average load"],
    ["online: cost per million at capacity", usd(o.costPerMillionAtCapacityUsd), "if the fleet ran at its headroom"],
    ["online: p99 latency (measured)", `${o.p99Ms} ms`, "on this machine"],
    ["total per month", usd(r.totalPerMonthUsd), "batch + online"],
  ];
  const lines = ["| quantity | value | how |", "|---|---|---|", ...rows.map((x) => `| ${x.join(" | ")} |`), "", "**Levers**", ""];
  for (const lever of r.levers) lines.push(`- ${lever}`);
  const seen = new Set<string>();
  const sources: string[] = [];
  const addInstance = (p: InstancePrice | undefined): void => {
    if (!p || seen.has(p.name)) return;
    seen.add(p.name);
    sources.push(`- ${p.name}: ${p.vcpus} vCPU, ${p.memoryGb} GiB, $${p.hourlyUsd}/h (${p.source}; ${p.asOf})`);
  };
  addInstance(r.prices.instance);
  addInstance(r.prices.batchInstance);
  sources.push(`- spot discount ${num(r.prices.spotDiscount.share * 100, 0)}% (${r.prices.spotDiscount.source})`);
  if (r.prices.serverless) {
    const s = r.prices.serverless;
    sources.push(`- ${s.name}: $${s.usdPerGbSecond}/GB-s + $${s.usdPerMillionRequests}/M requests (${s.source}; ${s.asOf})`);
  }
  lines.push("", "**Prices (stated assumptions)**", "", ...sources);
  return lines.join("\n");
}
