// The rollout of a model update: shadow, canary, A/B test, ramp to 100% and a long-term holdout, each with its exit rule.
import { percentTrimmed } from "../core/format";
import { checkPositive, checkShare } from "./checks";

export interface RolloutStage {
  name: "shadow" | "canary" | "a/b test" | "ramp to 100%" | "long-term holdout";
  /** Share of eligible customers whose contact decision the new model makes in this stage. */
  newModelShare: number;
  /** Minimum length in days (null: runs until stopped). */
  minDays: number | null;
  what: string;
  entry: string[];
  exit: string[];
  rollback: string[];
}

export interface RolloutInput {
  /** Length of the A/B stage in days (enrollment + observation, from `experimentDuration`). */
  abDays: number;
  /** Share of eligible customers in the two A/B arms together (default 0.95). */
  allocation?: number;
  /** Treatment share of the A/B customers (default 0.5). */
  treatmentShare?: number;
  shadowDays?: number;
  canaryDays?: number;
  canaryShare?: number;
  /** Customers never contacted, kept to measure the campaign's absolute uplift (default 0.05). */
  holdoutShare?: number;
}

/** Fills the rollout defaults and checks every length and share. */
function resolveRolloutInput(input: RolloutInput): Required<RolloutInput> {
  const {
    abDays,
    allocation = 0.95,
    treatmentShare = 0.5,
    shadowDays = 7,
    canaryDays = 7,
    canaryShare = 0.05,
    holdoutShare = 0.05,
  } = input;
  checkPositive("abDays", abDays);
  checkShare("allocation", allocation);
  checkShare("treatmentShare", treatmentShare);
  checkPositive("shadowDays", shadowDays);
  checkPositive("canaryDays", canaryDays);
  checkShare("canaryShare", canaryShare);
  checkShare("holdoutShare", holdoutShare, true);
  if (allocation + holdoutShare > 1 + 1e-12) {
    throw new RangeError(`allocation + holdoutShare must be <= 1, got ${allocation} + ${holdoutShare}`);
  }
  return { abDays, allocation, treatmentShare, shadowDays, canaryDays, canaryShare, holdoutShare };
}

/** The automatic rollback rule of every stage in which the new model makes decisions. */
const ROLLBACK_AUTO =
  "any guardrail breached on two consecutive daily checks, or the error-rate ceiling breached once: route every customer back to the current model automatically";

/** Stage 1: the new model scores in parallel and decides nothing. */
function shadowStage(shadowDays: number): RolloutStage {
  return {
    name: "shadow",
    newModelShare: 0,
    minDays: shadowDays,
    what: "the new model scores every eligible customer in parallel with the current one; no decision uses its scores",
    entry: ["offline evaluation passed on the held-out test set", "model file loads and scores in the serving image"],
    exit: [
      "score distributions compared: PSI of the new scores against the training reference < 0.2",
      "agreement with the current model reported (overlap of the two contact lists at the same budget, rank correlation)",
      "p99 latency and error rate within the guardrails under production traffic",
      `at least ${shadowDays} days, covering every weekday`,
    ],
    rollback: ["nothing to roll back: stop scoring with the new model"],
  };
}

/** Stage 2: a small randomized share is targeted by the new model while the guardrails are watched. */
function canaryStage(canaryShare: number, canaryDays: number): RolloutStage {
  return {
    name: "canary",
    newModelShare: canaryShare,
    minDays: canaryDays,
    what: `${percentTrimmed(canaryShare)} of eligible customers (randomized by customer ID) are targeted by the new model; guardrails watched daily`,
    entry: ["shadow exit criteria met"],
    exit: [
      "no guardrail breached over the whole canary",
      `at least ${canaryDays} days and one complete campaign run`,
      "canary customers are excluded from the A/B analysis (they were exposed before randomization)",
    ],
    rollback: [ROLLBACK_AUTO],
  };
}

/** Stage 3: the pre-registered A/B test that decides whether the new model ships. */
function abTestStage(abDays: number, allocation: number, treatmentShare: number): RolloutStage {
  return {
    name: "a/b test",
    newModelShare: allocation * treatmentShare,
    minDays: abDays,
    what:
      `${percentTrimmed(allocation)} of eligible customers randomized by customer ID, ${percentTrimmed(treatmentShare)} of them to the new model; ` +
      "primary metric: churn over the observation window among ALL customers of each arm, at equal contact budget",
    entry: ["canary exit criteria met", "hypothesis, metric, sample size, alpha and the analysis fixed in advance"],
    exit: [
      `the planned sample enrolled and every enrolled customer followed for the observation window (${abDays} days in all)`,
      "one pre-registered two-proportion test at the planned alpha (no early stopping on the primary metric)",
      "ship only if churn is significantly lower in treatment and no guardrail is breached",
    ],
    rollback: [ROLLBACK_AUTO, "a significant increase of churn in treatment at the readout: keep the current model"],
  };
}

/** Stage 4: the new model takes every customer outside the holdout. */
function rampStage(holdoutShare: number): RolloutStage {
  return {
    name: "ramp to 100%",
    newModelShare: 1 - holdoutShare,
    minDays: 7,
    what: "the new model targets every customer outside the holdout; the old model stays deployable for one release",
    entry: ["A/B exit criteria met and the decision recorded"],
    exit: ["guardrails stay green for a week at full traffic"],
    rollback: [ROLLBACK_AUTO],
  };
}

/** Stage 5: the never-contacted holdout that measures the campaign's absolute uplift. */
function holdoutStage(holdoutShare: number): RolloutStage {
  return {
    name: "long-term holdout",
    newModelShare: 0,
    minDays: null,
    what:
      `${percentTrimmed(holdoutShare)} of eligible customers, randomized by customer ID from the start of the A/B, are never contacted; ` +
      "their churn against the targeted population measures the campaign's absolute uplift (the A/B only compares two models)",
    entry: ["set aside when the A/B starts, never re-randomized"],
    exit: ["runs as long as the campaign; reviewed quarterly (uplift with its interval, cost of the holdout in lost saves)"],
    rollback: ["release holdout customers to the campaign if the measured uplift makes keeping them too costly"],
  };
}

/** The ordered stages from shadow to a permanent holdout, each with entry and exit criteria and a rollback rule. */
export function rolloutPlan(input: RolloutInput): RolloutStage[] {
  const r = resolveRolloutInput(input);
  return [
    shadowStage(r.shadowDays),
    canaryStage(r.canaryShare, r.canaryDays),
    abTestStage(r.abDays, r.allocation, r.treatmentShare),
    rampStage(r.holdoutShare),
    holdoutStage(r.holdoutShare),
  ];
}

/** The rollout plan as markdown: a summary table, then each stage's criteria. */
export function formatRolloutPlan(stages: readonly RolloutStage[]): string {
  const pct = (x: number): string => percentTrimmed(x);
  const lines = [
    "| # | stage | new model decides for | min length |",
    "|---|---|---|---|",
    ...stages.map((s, i) => `| ${i + 1} | ${s.name} | ${pct(s.newModelShare)} | ${s.minDays === null ? "ongoing" : `${s.minDays} days`} |`),
    "",
  ];
  stages.forEach((s, i) => {
    lines.push(`### ${i + 1}. ${s.name}`, "", s.what, "");
    lines.push("- **Entry:** " + s.entry.join("; "));
    lines.push("- **Exit:** " + s.exit.join("; "));
    lines.push("- **Rollback:** " + s.rollback.join("; "), "");
  });
  return lines.join("\n");
}
