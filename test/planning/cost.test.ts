// Serving cost: hand-checkable arithmetic on a test price sheet (so the tests do not move when list prices are
// re-checked), the levers' computed effects, monotonicity in the loads, purity, formatting and input validation; the
// price catalog chosen for the processor measured on; the campaign counted beside compute.
import { describe, test } from "node:test";
import assert from "node:assert/strict";

import {
  PRICE_CATALOGS,
  SERVERLESS_FULL_VCPU_MB,
  costModel,
  formatCost,
  pricesForProcessor,
  processorFamily,
  type CampaignInput,
  type CostInput,
  type InstancePrice,
  type Prices,
} from "../../lib/planning/cost";

function close(a: number, b: number, tol = 1e-9): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
}

const inst = (name: string, vcpus: number, memoryGb: number, hourlyUsd: number): InstancePrice => ({
  name,
  vcpus,
  memoryGb,
  hourlyUsd,
  source: "test",
  asOf: "test",
});
const ONE = inst("t.1x", 1, 2, 0.04);
const TWO = inst("t.2x", 2, 4, 0.1);
const FOUR = inst("t.4x", 4, 8, 0.2);
const PRICES: Prices = {
  instance: TWO,
  batchInstance: FOUR,
  catalog: [ONE, TWO, FOUR],
  spotDiscount: { share: 0.6, source: "test", asOf: "test" },
  serverless: { name: "fn", usdPerGbSecond: 0.00001, usdPerMillionRequests: 0.2, source: "test", asOf: "test" },
};

function input(
  over: { measured?: Partial<CostInput["measured"]>; loads?: Partial<CostInput["loads"]>; prices?: Prices; campaign?: CampaignInput } = {},
): CostInput {
  return {
    measured: {
      batchCustomersPerSecond: 200_000,
      httpRequestsPerSecond: 1000,
      httpCores: 2,
      serverRssMb: 150,
      p99Ms: 10,
      ...over.measured,
    },
    loads: { nightlyBatchCustomers: 10_000_000, peakRequestsPerSecond: 100, headroom: 0.5, ...over.loads },
    prices: over.prices ?? PRICES,
    ...(over.campaign ? { campaign: over.campaign } : {}),
  };
}

const lever = (r: ReturnType<typeof costModel>, name: string) => {
  const e = r.leverEstimates.find((x) => x.name === name);
  assert.ok(e, name);
  return e;
};

describe("costModel: batch", () => {
  test("10M customers at 200k/s per core = 50 core-seconds, billed at the 60-second minimum", () => {
    const r = costModel(input());
    assert.equal(r.batch.coreSeconds, 50);
    assert.equal(r.batch.workersPerInstance, 4);
    assert.equal(r.batch.wallSecondsOneInstance, 12.5);
    assert.equal(r.batch.instances, 1);
    close(r.batch.instanceHours, 1 / 60);
    close(r.batch.costPerRunUsd, 0.2 / 60); // $0.0033
    close(r.batch.costPerMonthUsd, 0.1); // 30 runs
  });

  test("slower scoring: 10M at 1,000/s = 10,000 core-seconds, 2,500 s on 4 workers", () => {
    const r = costModel(input({ measured: { batchCustomersPerSecond: 1000 } }));
    assert.equal(r.batch.coreSeconds, 10_000);
    assert.equal(r.batch.wallSecondsOneInstance, 2500);
    close(r.batch.instanceHours, 2500 / 3600);
    close(r.batch.costPerRunUsd, (2500 / 3600) * 0.2);
    close(r.batch.costPerMonthUsd, 30 * (2500 / 3600) * 0.2); // $4.17
  });

  test("a run longer than the window spreads over more instances at the same instance-hours", () => {
    // 100/s: 100,000 core-seconds, 25,000 s on one instance > 4 h = 14,400 s -> 2 instances, 25,000 s billed in all.
    const r = costModel(input({ measured: { batchCustomersPerSecond: 100 } }));
    assert.equal(r.batch.instances, 2);
    close(r.batch.instanceHours, 25_000 / 3600);
    assert.equal(costModel(input({ measured: { batchCustomersPerSecond: 100 }, loads: { batchWindowHours: 8 } })).batch.instances, 1);
  });
});

describe("costModel: online", () => {
  test("100 req/s at 500 req/s per core with 50% headroom: the availability floor of 2 instances", () => {
    const r = costModel(input());
    assert.equal(r.online.capacityPerCore, 500);
    assert.equal(r.online.capacityPerInstance, 1000);
    assert.equal(r.online.usablePerInstance, 500);
    assert.equal(r.online.instances, 2);
    assert.equal(r.online.floorBinds, true);
    close(r.online.costPerMonthUsd, 2 * 730 * 0.1); // $146
    close(r.online.predictionsPerMonth, 100 * 730 * 3600); // 262.8 M
    close(r.online.costPerMillionUsd, 146 / 262.8); // $0.556
    close(r.online.costPerMillionAtCapacityUsd, 146 / ((2 * 500 * 730 * 3600) / 1e6));
    close(r.computePerMonthUsd, 146.1);
    assert.equal(r.campaign, null);
  });

  test("2,600 req/s: ceil(2600 / 500) = 6 instances", () => {
    const r = costModel(input({ loads: { peakRequestsPerSecond: 2600, averageRequestsPerSecond: 1000 } }));
    assert.equal(r.online.instances, 6);
    assert.equal(r.online.floorBinds, false);
    close(r.online.peakUtilization, 2600 / 6000);
    close(r.online.costPerMonthUsd, 6 * 730 * 0.1); // $438
    close(r.online.costPerMillionUsd, 438 / 2628); // average 1,000 req/s
  });

  test("memory caps the workers: a 2,000 MB process fits once in 4 GB (90% usable)", () => {
    const r = costModel(input({ measured: { serverRssMb: 2000 } }));
    assert.equal(r.online.workersPerInstance, 1);
    assert.equal(r.online.capacityPerInstance, 500);
    assert.throws(() => costModel(input({ measured: { serverRssMb: 5000 } })), /cannot hold one worker/);
  });
});

describe("costModel: levers", () => {
  test("each lever's effect follows from the numbers", () => {
    const r = costModel(
      input({
        measured: { batchCustomersPerSecond: 1000, batchCustomersPerSecondWithoutExplanations: 2000 },
        loads: { peakRequestsPerSecond: 2600, averageRequestsPerSecond: 1000 },
      }),
    );
    const batchMonth = 30 * (2500 / 3600) * 0.2;
    close(lever(r, "batch on spot instances").monthlySavingUsd ?? NaN, batchMonth * 0.6);
    // The fleet's spare half: 6 instances x 2 workers x 0.5 = 6 workers -> 10,000 / 6 s = 0.46 h < 12 off-peak hours.
    close(lever(r, "one fleet serves both").monthlySavingUsd ?? NaN, batchMonth);
    // 4 of 6 instances off 12 h a day for 30 days.
    close(lever(r, "scale down off peak").monthlySavingUsd ?? NaN, 4 * 12 * 30 * 0.1);
    // Twice as fast without explanations: 1,250 s instead of 2,500 s.
    close(lever(r, "drop explanations on the batch path").monthlySavingUsd ?? NaN, batchMonth / 2);
    // Single-threaded: 500 x 0.5 = 250 usable per instance -> 11 instances instead of 6.
    close(lever(r, "worker threads per core").monthlySavingUsd ?? NaN, 5 * 730 * 0.1);
    // Serverless at 1,000 req/s average: 2,628 M requests x 0.01 s x 1,769/1,024 GB x $0.00001 + 2,628 x $0.2.
    const fn = 2628e6 * 0.01 * (SERVERLESS_FULL_VCPU_MB / 1024) * 0.00001 + 2628 * 0.2;
    close(lever(r, "scale to zero (function as a service)").monthlySavingUsd ?? NaN, 438 - fn, 1e-6);
    // Right-sizing: t.1x has 250 usable -> 11 x $0.04 x 730 = $321.2 < $438 (t.4x: 3 x 0.2 x 730 = $438).
    close(lever(r, "right-size the online instance").monthlySavingUsd ?? NaN, 438 - 11 * 0.04 * 730, 1e-6);
    assert.equal(r.levers.length, r.leverEstimates.length);
    assert.match(r.levers.join("\n"), /scale down off peak: saves \$144\/month/);
  });

  test("levers that cannot apply say so", () => {
    const r = costModel(input()); // 2 instances at the floor, no measurement without explanations
    assert.equal(lever(r, "scale down off peak").monthlySavingUsd, 0);
    assert.match(lever(r, "scale down off peak").detail, /availability floor/);
    assert.equal(lever(r, "drop explanations on the batch path").monthlySavingUsd, null);
    const busy = costModel(input({ measured: { batchCustomersPerSecond: 10 }, loads: { headroom: 0.9 } }));
    assert.equal(lever(busy, "one fleet serves both").monthlySavingUsd, null);
    assert.match(lever(busy, "one fleet serves both").detail, /does not fit/);
  });
});

describe("costModel: properties", () => {
  test("more load never means fewer instances or a lower bill; less headroom never means fewer instances", () => {
    let last = 0;
    let lastCost = 0;
    for (let peak = 0; peak <= 20_000; peak += 137) {
      const r = costModel(input({ loads: { peakRequestsPerSecond: peak } }));
      assert.ok(r.online.instances >= last && r.online.instances >= 2);
      assert.ok(r.online.costPerMonthUsd >= lastCost);
      last = r.online.instances;
      lastCost = r.online.costPerMonthUsd;
    }
    let lastBatch = 0;
    for (const n of [0, 1e3, 1e5, 1e6, 1e7, 1e8, 1e9]) {
      const r = costModel(input({ measured: { batchCustomersPerSecond: 1000 }, loads: { nightlyBatchCustomers: n } }));
      assert.ok(r.batch.costPerRunUsd >= lastBatch);
      lastBatch = r.batch.costPerRunUsd;
    }
    let lastHeadroom = 0;
    for (const headroom of [1, 0.8, 0.5, 0.3, 0.1]) {
      const r = costModel(input({ loads: { peakRequestsPerSecond: 3000, headroom } }));
      assert.ok(r.online.instances >= lastHeadroom);
      lastHeadroom = r.online.instances;
    }
  });

  test("pure: the input is not changed and the same input gives the same result", () => {
    const i = input();
    const copy = structuredClone(i);
    const a = costModel(i);
    assert.deepEqual(i, copy);
    assert.deepEqual(costModel(i), a);
  });

  test("bad inputs are RangeErrors naming the field", () => {
    const bad: [CostInput, RegExp][] = [
      [input({ measured: { batchCustomersPerSecond: -1 } }), /batchCustomersPerSecond/],
      [input({ measured: { httpCores: 0 } }), /httpCores/],
      [input({ measured: { httpRequestsPerSecond: Number.NaN } }), /httpRequestsPerSecond/],
      [input({ loads: { headroom: 0 } }), /headroom/],
      [input({ loads: { headroom: 1.5 } }), /headroom/],
      [input({ loads: { nightlyBatchCustomers: -5 } }), /nightlyBatchCustomers/],
      [input({ loads: { averageRequestsPerSecond: 200 } }), /averageRequestsPerSecond/],
      [input({ loads: { batchWindowHours: 25 } }), /batchWindowHours/],
      [input({ prices: { ...PRICES, instance: inst("x", 1.5, 2, 0.1) } }), /vcpus/],
      [input({ prices: { ...PRICES, spotDiscount: { share: 1, source: "", asOf: "" } } }), /spotDiscount/],
    ];
    for (const [i, re] of bad)
      assert.throws(
        () => costModel(i),
        (e: unknown) => e instanceof RangeError && re.test(e.message),
      );
  });
});

const INTEL: [string, string] = ["x64", "Intel(R) Xeon(R) Processor"];
const AMD: [string, string] = ["x64", "AMD EPYC 7R13 Processor"];
const ARM: [string, string] = ["arm64", "Neoverse-V1"];
const processor = ([arch, cpuModel]: [string, string]) => ({ arch, cpuModel });

describe("prices for the processor measured on", () => {
  test("arm64 -> Graviton, x64 with AMD in the model -> AMD, other x64 -> Intel", () => {
    assert.equal(processorFamily(processor(ARM)), "arm64");
    assert.equal(processorFamily(processor(AMD)), "amd-x86-64");
    assert.equal(processorFamily(processor(INTEL)), "intel-x86-64");
    assert.equal(processorFamily({ arch: "x64", cpuModel: "unknown" }), "intel-x86-64");
    for (const [which, cpu] of [
      ["arm64", ARM],
      ["amd-x86-64", AMD],
      ["intel-x86-64", INTEL],
    ] as const) {
      const p = pricesForProcessor(processor(cpu));
      assert.deepEqual({ ...p, processor: undefined }, { ...PRICE_CATALOGS[which], processor: undefined });
      assert.equal(p.processor, `${cpu[0]} ${cpu[1]}`);
    }
  });

  test("an unknown architecture is a RangeError naming it", () => {
    for (const arch of ["ia32", "ppc64", "s390x", ""]) {
      assert.throws(
        () => pricesForProcessor({ arch, cpuModel: "Intel(R) Xeon(R)" }),
        (e: unknown) => e instanceof RangeError && e.message.includes(JSON.stringify(arch)),
      );
    }
  });

  test("each family: the online instance has 2 vCPUs, the batch 4, all from its own catalog, each priced with source and date", () => {
    const prefix: Record<string, string> = { "intel-x86-64": "c7i.", "amd-x86-64": "c7a.", arm64: "c7g." };
    for (const [family, p] of Object.entries(PRICE_CATALOGS)) {
      const catalog = p.catalog ?? [];
      assert.equal(p.instance.vcpus, 2, family);
      assert.equal(p.batchInstance?.vcpus, 4, family);
      assert.ok(catalog.includes(p.instance) && p.batchInstance && catalog.includes(p.batchInstance), family);
      for (const c of catalog) {
        assert.ok(c.name.startsWith(prefix[family] ?? "?"), `${family}: ${c.name}`);
        assert.ok(c.source && c.asOf && c.hourlyUsd > 0, c.name);
      }
      assert.ok(p.spotDiscount.source.includes(prefix[family]?.slice(0, 3) ?? "?"), `${family} spot wording`);
      for (const other of Object.values(prefix)) {
        if (other !== prefix[family])
          assert.ok(!p.spotDiscount.source.includes(other.slice(0, 3)), `${family} spot wording names ${other}`);
      }
      assert.ok(p.serverless && p.serverless.source && p.serverless.asOf, family);
    }
    assert.match(PRICE_CATALOGS.arm64.serverless?.name ?? "", /arm64/);
    assert.match(PRICE_CATALOGS["intel-x86-64"].serverless?.name ?? "", /x86_64/);
    assert.match(PRICE_CATALOGS["amd-x86-64"].serverless?.name ?? "", /x86_64/);
  });

  test("the cost model prices the chosen family: its online and batch instances, right-sizing over its catalog", () => {
    for (const cpu of [INTEL, AMD, ARM]) {
      const prices = pricesForProcessor(processor(cpu));
      const catalog = prices.catalog ?? [];
      const r = costModel(input({ prices }));
      assert.equal(r.online.instance, prices.instance.name);
      assert.equal(r.batch.instance, prices.batchInstance?.name);
      close(r.online.costPerMonthUsd, 2 * 730 * prices.instance.hourlyUsd);
      // 2 instances at the floor: right-sizing picks the catalog's cheapest 2-instance fleet.
      const cheapest = Math.min(...catalog.map((c) => c.hourlyUsd));
      const rightSize = lever(r, "right-size the online instance");
      close(rightSize.monthlySavingUsd ?? NaN, 2 * 730 * (prices.instance.hourlyUsd - cheapest), 1e-9);
      // It compares exactly the family's catalog: every instance named is in it, and every one of it is named.
      const named = new Set(rightSize.detail.match(/c7[a-z]\.[a-z0-9]+/g));
      assert.ok(
        [...named].every((n) => catalog.some((c) => c.name === n)),
        rightSize.detail,
      );
      assert.ok(
        catalog.every((c) => named.has(c.name)),
        rightSize.detail,
      );
    }
  });

  test("formatCost says which processor the prices were chosen for", () => {
    const md = formatCost(costModel(input({ prices: pricesForProcessor(processor(INTEL)) })));
    assert.match(md, /priced for the processor measured on: x64 Intel\(R\) Xeon\(R\) Processor/);
    assert.match(md, /c7i\.large: 2 vCPU, 4 GiB/);
    assert.doesNotMatch(md, /c7g/);
    assert.doesNotMatch(formatCost(costModel(input())), /priced for the processor/); // the test sheet names none
  });
});

const CAMPAIGN: CampaignInput = {
  baseCustomers: 1_000_000,
  contactedShare: 0.1,
  offerCost: 50,
  netPer1000: 1234,
  netPer1000Ci95: [900, 1500],
};

describe("costModel: the campaign beside compute", () => {
  test("contacts = base x share, spend = contacts x offer cost, net = per 1,000 x base / 1,000, compute as a share of spend", () => {
    const c = { ...CAMPAIGN, contactedShare: 0.0994, offerCost: 47 };
    const r = costModel(input({ campaign: c }));
    assert.ok(r.campaign);
    close(r.campaign.contactsPerMonth, c.baseCustomers * c.contactedShare, 1e-6);
    close(r.campaign.spendPerMonthUsd, c.baseCustomers * c.contactedShare * c.offerCost, 1e-6);
    close(r.campaign.netPerMonthUsd, (c.netPer1000 * c.baseCustomers) / 1000);
    assert.deepEqual(r.campaign.netPerMonthCi95Usd, [(900 * c.baseCustomers) / 1000, (1500 * c.baseCustomers) / 1000]);
    close(r.campaign.computeShareOfSpend ?? NaN, r.computePerMonthUsd / (c.baseCustomers * c.contactedShare * c.offerCost));
    close(r.computePerMonthUsd, r.batch.costPerMonthUsd + r.online.costPerMonthUsd);
    // The campaign changes nothing about compute.
    assert.deepEqual({ ...r, campaign: null, trace: [] }, { ...costModel(input()), trace: [] });
    const noInterval = costModel(input({ campaign: { ...c, netPer1000Ci95: undefined } }));
    assert.equal(noInterval.campaign?.netPerMonthCi95Usd, null);
    assert.equal(costModel(input({ campaign: { ...c, contactedShare: 0 } })).campaign?.computeShareOfSpend, null);
  });

  test("formatCost prints the campaign rows from the inputs and labels compute as compute", () => {
    const c: CampaignInput = {
      ...CAMPAIGN,
      baseCustomers: 2_000_000,
      contactedShare: 0.05,
      offerCost: 40,
      netPer1000: 750,
      netPer1000Ci95: [500, 1000],
    };
    const r = costModel(input({ campaign: c }));
    const md = formatCost(r);
    const contacts = c.baseCustomers * c.contactedShare; // 100,000
    const group = (x: number) => x.toFixed(0).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    assert.match(md, /\| compute per month \| \$146 \| nightly batch \+ online/);
    assert.doesNotMatch(md, /\| total per month/);
    assert.ok(md.includes(`| campaign: contacts per month | ${group(contacts)} |`), md);
    assert.ok(md.includes(`| campaign: offers and contacts per month | $${group(contacts * c.offerCost)} |`), md);
    assert.ok(
      md.includes(
        `| campaign: expected net value per month | $${group((c.netPer1000 * c.baseCustomers) / 1000)} (95% CI $${group(500 * 2000)} to $${group(1000 * 2000)}) |`,
      ),
      md,
    );
    const share = (100 * r.computePerMonthUsd) / (contacts * c.offerCost);
    assert.ok(md.includes(`| compute (batch + online) as a share of the campaign's spend | ${+share.toPrecision(2)}% |`), md);
    assert.doesNotMatch(formatCost(costModel(input())), /campaign/);
  });

  test("bad campaign inputs are RangeErrors naming the field", () => {
    const bad: [Partial<CampaignInput>, RegExp][] = [
      [{ baseCustomers: 0 }, /campaign\.baseCustomers/],
      [{ baseCustomers: Number.NaN }, /campaign\.baseCustomers/],
      [{ contactedShare: -0.1 }, /campaign\.contactedShare/],
      [{ contactedShare: 1.5 }, /campaign\.contactedShare/],
      [{ offerCost: -1 }, /campaign\.offerCost/],
      [{ netPer1000: Number.POSITIVE_INFINITY }, /campaign\.netPer1000/],
      [{ netPer1000Ci95: [10, 5] }, /campaign\.netPer1000Ci95/],
      [{ netPer1000Ci95: [Number.NaN, 5] }, /campaign\.netPer1000Ci95/],
    ];
    for (const [over, re] of bad)
      assert.throws(
        () => costModel(input({ campaign: { ...CAMPAIGN, ...over } })),
        (e: unknown) => e instanceof RangeError && re.test(e.message),
        re.source,
      );
    assert.doesNotThrow(() => costModel(input({ campaign: { ...CAMPAIGN, netPer1000: -200, netPer1000Ci95: [-300, -100] } })));
  });
});

describe("formatCost", () => {
  test("markdown table with the numbers, the levers and the price sources", () => {
    const md = formatCost(costModel(input()));
    assert.match(md, /^\| quantity \| value \| how \|/);
    assert.match(md, /\| nightly batch: core-seconds \| 50 \|/);
    assert.match(md, /\| online: instances at peak \| 2 \(availability floor\) \|/);
    assert.match(md, /\| online: cost per month \| \$146 \|/);
    assert.match(md, /- batch on spot instances: saves/);
    assert.match(md, /t\.2x: 2 vCPU, 4 GiB, \$0\.1\/h \(test; test\)/);
  });
});
