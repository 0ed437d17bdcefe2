// Serving cost from measured numbers: the nightly batch and the online service, priced with stated list prices for the
// processor the numbers were measured on, and the retention campaign the scores feed, counted beside them.
//
// Inputs are what was MEASURED on this machine (batch throughput on one core in process, HTTP throughput of the whole
// server and the cores it used, resident memory, p99 latency), the LOADS to serve, PRICES stated with their source
// and date, and optionally the CAMPAIGN (base, contacted share, offer cost, expected net value). Everything else is
// arithmetic, spelled out in `CostResult.trace` and in the comments below:
//
// - Batch: core-seconds = customers / (customers per second per core). An instance runs one worker per vCPU (as many
//   as its memory holds at the measured RSS plus 10% slack) and scales linearly with workers: an assumption to check
//   by measuring a multi-worker run. Billing is per second with a 60-second minimum per instance (EC2 Linux).
// - Online: capacity per core = measured requests/s / cores used; an instance has (workers x capacity per core); the
//   fleet runs at most `headroom` of that (0.5 = half of measured capacity, for bursts, GC and a lost instance), with at
//   least 2 instances for availability; it is billed 730 hours a month.
// - A month is 30 nightly runs and 730 hours.
// - Campaign: contacts per month = base x contacted share; offers and contacts = contacts x offer cost; expected net
//   value = net per 1,000 customers x base / 1,000. Compute is stated as a share of the campaign's spend.
//
// Throughput measured on one processor says nothing about another's speed, so the instances are priced from the
// catalog of the family measured on (`pricesForProcessor`): Intel x86-64 -> c7i, AMD x86-64 -> c7a, arm64 -> Graviton
// c7g. Prices cannot be checked from here: the catalogs are AWS list prices as the team last checked them, stated as
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
  /** The processor these prices were chosen for (architecture and CPU model, as measured), when chosen by `pricesForProcessor`. */
  processor?: string;
  /** The instance type the online service runs on. */
  instance: InstancePrice;
  /** The instance type for the nightly batch (default: `instance`). */
  batchInstance?: InstancePrice;
  /** Instance types compared by the right-sizing lever (default: the online and batch instances). */
  catalog?: readonly InstancePrice[];
  /** Typical spot discount against on-demand, as a share (spot prices float). */
  spotDiscount: { share: number; source: string; asOf: string };
  /** Optional function-as-a-service prices for the scale-to-zero lever. */
  serverless?: { name: string; usdPerGbSecond: number; usdPerMillionRequests: number; source: string; asOf: string };
}

const AWS_SOURCE = "AWS EC2 On-Demand pricing page, us-east-1, Linux";
const AS_OF = "list price as the team last checked it (2024); not verifiable offline, re-check before quoting";

const ec2 = (name: string, vcpus: number, memoryGb: number, hourlyUsd: number): InstancePrice =>
  Object.freeze({ name, vcpus, memoryGb, hourlyUsd, source: AWS_SOURCE, asOf: AS_OF });

type Serverless = NonNullable<Prices["serverless"]>;

const LAMBDA_X86_64: Serverless = Object.freeze({
  name: "AWS Lambda (x86_64)",
  usdPerGbSecond: 0.0000166667,
  usdPerMillionRequests: 0.2,
  source: "AWS Lambda pricing page, us-east-1, x86_64, first pricing tier",
  asOf: AS_OF,
});
const LAMBDA_ARM64: Serverless = Object.freeze({
  name: "AWS Lambda (arm64)",
  usdPerGbSecond: 0.0000133334,
  usdPerMillionRequests: 0.2,
  source: "AWS Lambda pricing page, us-east-1, arm64, first pricing tier",
  asOf: AS_OF,
});

/** A family's prices: the 2-vCPU instance serves online, the 4-vCPU one runs the batch, right-sizing compares them all. */
function familyPrices(family: string, catalog: readonly InstancePrice[], serverless: Serverless): Readonly<Prices> {
  const withVcpus = (n: number): InstancePrice => {
    const p = catalog.find((c) => c.vcpus === n);
    if (!p) throw new RangeError(`the ${family} catalog has no ${n}-vCPU instance`);
    return p;
  };
  return Object.freeze({
    instance: withVcpus(2),
    batchInstance: withVcpus(4),
    catalog: Object.freeze([...catalog]),
    spotDiscount: Object.freeze({
      share: 0.6,
      source: `assumption: AWS advertises spot at up to 90% off on-demand; 60% is a conservative typical ${family} discount`,
      asOf: AS_OF,
    }),
    serverless,
  });
}

/** The processor families with a price catalog. */
export type ProcessorFamily = "intel-x86-64" | "amd-x86-64" | "arm64";

/**
 * Stated price assumptions per processor family (us-east-1, Linux, on-demand); every entry carries its source and
 * "as of". Intel x86-64: c7i (no 1-vCPU size); AMD x86-64: c7a; arm64: Graviton c7g. Lambda on x86_64 or arm64.
 */
export const PRICE_CATALOGS: Readonly<Record<ProcessorFamily, Readonly<Prices>>> = Object.freeze({
  "intel-x86-64": familyPrices(
    "c7i",
    [ec2("c7i.large", 2, 4, 0.08925), ec2("c7i.xlarge", 4, 8, 0.1785), ec2("c7i.2xlarge", 8, 16, 0.357)],
    LAMBDA_X86_64,
  ),
  "amd-x86-64": familyPrices(
    "c7a",
    [ec2("c7a.medium", 1, 2, 0.05131), ec2("c7a.large", 2, 4, 0.10262), ec2("c7a.xlarge", 4, 8, 0.20524)],
    LAMBDA_X86_64,
  ),
  arm64: familyPrices(
    "c7g",
    [ec2("c7g.medium", 1, 2, 0.03625), ec2("c7g.large", 2, 4, 0.0725), ec2("c7g.xlarge", 4, 8, 0.145)],
    LAMBDA_ARM64,
  ),
});

/** The processor the numbers were measured on: Node's `os.arch()` and `os.cpus()[0].model` there. */
export interface Processor {
  arch: string;
  cpuModel: string;
}

/** The price family of a processor: arm64 -> Graviton; x64 -> AMD when the model names AMD, else Intel; else a RangeError. */
export function processorFamily({ arch, cpuModel }: Processor): ProcessorFamily {
  if (arch === "arm64") return "arm64";
  if (arch === "x64") return /\bAMD\b/i.test(cpuModel) ? "amd-x86-64" : "intel-x86-64";
  throw new RangeError(`no price catalog for processor architecture ${JSON.stringify(arch)} (priced: x64 Intel, x64 AMD, arm64)`);
}

/** The price catalog of the processor family the numbers were measured on, saying which processor it was chosen for. */
export function pricesForProcessor(processor: Processor): Prices {
  const catalog = PRICE_CATALOGS[processorFamily(processor)];
  return { ...catalog, processor: `${processor.arch} ${processor.cpuModel}`.trim() };
}

/**
 * The retention campaign the scores feed, per month: it contacts `contactedShare` of `baseCustomers` at `offerCost`
 * per contact (offer included), for an expected net value of `netPer1000` per 1,000 customers (after offer costs).
 */
export interface CampaignInput {
  baseCustomers: number;
  contactedShare: number;
  /** USD per contact, the offer included. */
  offerCost: number;
  /** Expected net value per 1,000 customers per monthly campaign, USD. */
  netPer1000: number;
  /** Its 95% interval, low and high, when known. */
  netPer1000Ci95?: [number, number];
}

export interface CampaignCost {
  baseCustomers: number;
  contactedShare: number;
  offerCost: number;
  /** baseCustomers x contactedShare. */
  contactsPerMonth: number;
  /** contactsPerMonth x offerCost. */
  spendPerMonthUsd: number;
  /** netPer1000 x baseCustomers / 1,000. */
  netPerMonthUsd: number;
  /** The interval scaled the same way; null when not given. */
  netPerMonthCi95Usd: [number, number] | null;
  /** Compute (batch + online) / spendPerMonthUsd; null when the campaign spends nothing. */
  computeShareOfSpend: number | null;
}

export interface CostInput {
  measured: MeasuredNumbers;
  loads: Loads;
  /** The prices of the processor measured on: `pricesForProcessor`. */
  prices: Prices;
  /** The campaign, counted beside compute when given. */
  campaign?: CampaignInput;
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
  /** Compute only: the nightly batch and the online fleet, per month. */
  computePerMonthUsd: number;
  /** The campaign beside compute; null when no campaign was given. */
  campaign: CampaignCost | null;
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
  const s = a >= 100 ? grouped(a) : a >= 1 ? a.toFixed(2) : a >= 0.01 ? a.toFixed(3) : a.toPrecision(2);
  return `${x < 0 ? "-" : ""}$${s}`;
};
/** A whole number with thousands separators: 1234567 -> "1,234,567". */
const grouped = (x: number): string => x.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
const num = (x: number, d = 2): string => `${+x.toFixed(d)}`;
/** A share as a percentage with two significant digits below 1% (0.00034 -> "0.034%"). */
const pct = (x: number): string => (x === 0 ? "0%" : x >= 0.01 ? `${num(x * 100, 1)}%` : `${+(x * 100).toPrecision(2)}%`);

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
  const catalog = prices.catalog ?? (batchInstance.name === prices.instance.name ? [prices.instance] : [prices.instance, batchInstance]);
  catalog.forEach((c, i) => checkInstance(`prices.catalog[${i}]`, c));
  const spot = prices.spotDiscount.share;
  if (!(Number.isFinite(spot) && spot >= 0 && spot < 1)) throw new RangeError(`prices.spotDiscount.share must be in [0, 1), got ${spot}`);
  if (prices.serverless) {
    nonNegative("prices.serverless.usdPerGbSecond", prices.serverless.usdPerGbSecond);
    nonNegative("prices.serverless.usdPerMillionRequests", prices.serverless.usdPerMillionRequests);
  }
  return { batchInstance, catalog, spot };
}

/** The campaign input, checked: a base > 0, a share in [0, 1], an offer cost >= 0, finite values (an ordered interval). */
function checkCampaign(c: CampaignInput): void {
  positive("campaign.baseCustomers", c.baseCustomers);
  if (!(Number.isFinite(c.contactedShare) && c.contactedShare >= 0 && c.contactedShare <= 1)) {
    throw new RangeError(`campaign.contactedShare is a share of the base, in [0, 1], got ${c.contactedShare}`);
  }
  nonNegative("campaign.offerCost", c.offerCost);
  if (!Number.isFinite(c.netPer1000)) throw new RangeError(`campaign.netPer1000 must be a finite number, got ${c.netPer1000}`);
  if (c.netPer1000Ci95 !== undefined) {
    const [lo, hi] = c.netPer1000Ci95;
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi)) {
      throw new RangeError(`campaign.netPer1000Ci95 must be [low, high], finite with low <= high, got [${lo}, ${hi}]`);
    }
  }
}

/** The campaign's monthly contacts, spend and expected net value, and compute as a share of that spend. */
function campaignCost(c: CampaignInput, computePerMonthUsd: number): CampaignCost {
  const contactsPerMonth = c.baseCustomers * c.contactedShare;
  const spendPerMonthUsd = contactsPerMonth * c.offerCost;
  const perBase = (per1000: number): number => (per1000 * c.baseCustomers) / 1000;
  return {
    baseCustomers: c.baseCustomers,
    contactedShare: c.contactedShare,
    offerCost: c.offerCost,
    contactsPerMonth,
    spendPerMonthUsd,
    netPerMonthUsd: perBase(c.netPer1000),
    netPerMonthCi95Usd: c.netPer1000Ci95 ? [perBase(c.netPer1000Ci95[0]), perBase(c.netPer1000Ci95[1])] : null,
    computeShareOfSpend: spendPerMonthUsd > 0 ? computePerMonthUsd / spendPerMonthUsd : null,
  };
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

/** How the campaign's numbers follow from its inputs, one line per step. */
function campaignTrace(c: CampaignCost, computePerMonthUsd: number): string[] {
  return [
    `campaign: ${grouped(c.baseCustomers)} customers x ${num(c.contactedShare, 4)} contacted = ${grouped(c.contactsPerMonth)} contacts/month x ` +
      `$${c.offerCost} = ${usd(c.spendPerMonthUsd)}/month`,
    `campaign: compute ${usd(computePerMonthUsd)} / ${usd(c.spendPerMonthUsd)} = ` +
      `${c.computeShareOfSpend === null ? "n/a (no spend)" : pct(c.computeShareOfSpend)} of the campaign's spend`,
  ];
}

/**
 * The cost of the nightly batch and the online service, with levers, from measured numbers, loads and stated prices;
 * with a campaign, its monthly spend and value beside compute.
 */
export function costModel(input: CostInput): CostResult {
  const { measured: m, prices } = input;
  checkMeasured(m);
  const l = resolveLoads(input.loads);
  const { batchInstance, catalog, spot } = resolvePrices(prices);
  if (input.campaign) checkCampaign(input.campaign);

  const batch = batchRun(l.nightlyBatchCustomers, m.batchCustomersPerSecond, l.batchWindowHours, batchInstance, m.serverRssMb);
  const online = onlineFleet(m, l, prices.instance, l.averageRequestsPerSecond);
  const computePerMonthUsd = batch.costPerMonthUsd + online.costPerMonthUsd;
  const campaign = input.campaign ? campaignCost(input.campaign, computePerMonthUsd) : null;

  const x: LeverInputs = { m, l, prices, batchInstance, catalog, spot, batch, online };
  const est = leverEstimates(x);
  const trace = [...costTrace(x), ...(campaign ? campaignTrace(campaign, computePerMonthUsd) : [])];
  return { batch, online, computePerMonthUsd, campaign, levers: est.map(formatLever), leverEstimates: est, trace, prices };
}

/** The campaign's rows of the cost table: contacts, spend, expected value, and compute as a share of the spend. */
function campaignRows(c: CampaignCost): [string, string, string][] {
  const ci = c.netPerMonthCi95Usd;
  return [
    [
      "campaign: contacts per month",
      grouped(c.contactsPerMonth),
      `${grouped(c.baseCustomers)} customers x ${num(c.contactedShare * 100, 2)}% contacted`,
    ],
    ["campaign: offers and contacts per month", usd(c.spendPerMonthUsd), `contacts x ${usd(c.offerCost)} per contact and offer`],
    [
      "campaign: expected net value per month",
      `${usd(c.netPerMonthUsd)}${ci ? ` (95% CI ${usd(ci[0])} to ${usd(ci[1])})` : ""}`,
      "net value per 1,000 customers x base / 1,000, after offer costs",
    ],
    [
      "compute (batch + online) as a share of the campaign's spend",
      c.computeShareOfSpend === null ? "n/a (no spend)" : pct(c.computeShareOfSpend),
      "compute per month / offers and contacts per month",
    ],
  ];
}

/** The price section: the processor the prices were chosen for, each instance, the spot discount, serverless. */
function priceSources(p: Prices): string[] {
  const seen = new Set<string>();
  const sources: string[] = p.processor ? [`- priced for the processor measured on: ${p.processor}`] : [];
  const addInstance = (i: InstancePrice | undefined): void => {
    if (!i || seen.has(i.name)) return;
    seen.add(i.name);
    sources.push(`- ${i.name}: ${i.vcpus} vCPU, ${i.memoryGb} GiB, $${i.hourlyUsd}/h (${i.source}; ${i.asOf})`);
  };
  addInstance(p.instance);
  addInstance(p.batchInstance);
  sources.push(`- spot discount ${num(p.spotDiscount.share * 100, 0)}% (${p.spotDiscount.source})`);
  if (p.serverless) {
    const s = p.serverless;
    sources.push(`- ${s.name}: $${s.usdPerGbSecond}/GB-s + $${s.usdPerMillionRequests}/M requests (${s.source}; ${s.asOf})`);
  }
  return sources;
}

/** The cost result as markdown: one table of the numbers (compute, then the campaign when given), the levers, and the price sources. */
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
    ["compute per month", usd(r.computePerMonthUsd), "nightly batch + online fleet (servers only)"],
    ...(r.campaign ? campaignRows(r.campaign) : []),
  ];
  const lines = ["| quantity | value | how |", "|---|---|---|", ...rows.map((x) => `| ${x.join(" | ")} |`), "", "**Levers**", ""];
  for (const lever of r.levers) lines.push(`- ${lever}`);
  lines.push("", "**Prices (stated assumptions)**", "", ...priceSources(r.prices));
  return lines.join("\n");
}
