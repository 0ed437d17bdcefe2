// Guardrails of a model experiment: the metrics that stop or roll back a rollout whatever the primary metric says.

export interface Guardrail {
  name: string;
  /** How the treatment value is compared: relative or absolute change against control, or an absolute ceiling. */
  kind: "relative-increase" | "absolute-increase" | "max";
  /** The limit: e.g. 0.05 = +5% relative, 0.002 = +0.2 points, or the ceiling itself. */
  threshold: number;
  unit: string;
  why: string;
}

/** Guardrail metrics watched in canary and A/B; a breach stops the rollout (values are team defaults, configurable). */
export const DEFAULT_GUARDRAILS: readonly Guardrail[] = Object.freeze<Guardrail[]>([
  {
    name: "contacts per 1,000 customers",
    kind: "relative-increase",
    threshold: 0.05,
    unit: "share of control",
    why: "both arms get the same contact budget; a model that 'wins' by contacting more is buying retention, not targeting better",
  },
  {
    name: "retention-offer cost per 1,000 customers",
    kind: "relative-increase",
    threshold: 0.05,
    unit: "share of control",
    why: "the value model pays offerCost per contact; richer offers or more contacts must show up as cost, not as model skill",
  },
  {
    name: "complaint or marketing opt-out rate",
    kind: "relative-increase",
    threshold: 0.1,
    unit: "share of control",
    why: "contacting the wrong customers annoys them; an opt-out removes a customer from every future campaign",
  },
  {
    name: "scoring service p99 latency",
    kind: "relative-increase",
    threshold: 0.2,
    unit: "share of control",
    why: "a heavier model must not break the service's latency objective for the online path",
  },
  {
    name: "scoring error rate",
    kind: "max",
    threshold: 0.001,
    unit: "share of requests",
    why: "failed scores silently drop customers from the campaign and bias the arm",
  },
  {
    name: "out-of-distribution flags",
    kind: "absolute-increase",
    threshold: 0.01,
    unit: "share of scored customers",
    why: "the new model must not be deployed on a population it was not trained on; more flags than control means its inputs differ",
  },
  {
    name: "prediction-distribution PSI against the training reference",
    kind: "max",
    threshold: 0.2,
    unit: "PSI",
    why: "PSI above 0.2 (the usual 'significant shift' rule of thumb; 0.1 warns) means the scores no longer mean what validation measured",
  },
]);

export interface GuardrailObservation {
  name: string;
  /** Control value (needed for relative and absolute increases). */
  control?: number;
  treatment: number;
}

export interface GuardrailBreach {
  name: string;
  /** The compared quantity: relative change, absolute change or the treatment value itself. */
  value: number;
  threshold: number;
  message: string;
}

/** The breached guardrails among the observed ones (unknown names are a RangeError, so a typo cannot pass silently). */
export function checkGuardrails(
  observed: readonly GuardrailObservation[],
  guardrails: readonly Guardrail[] = DEFAULT_GUARDRAILS,
): GuardrailBreach[] {
  const out: GuardrailBreach[] = [];
  for (const o of observed) {
    const g = guardrails.find((x) => x.name === o.name);
    if (!g) throw new RangeError(`unknown guardrail: ${o.name}`);
    if (!Number.isFinite(o.treatment)) throw new RangeError(`guardrail ${o.name}: treatment must be finite, got ${o.treatment}`);
    let value: number;
    if (g.kind === "max") value = o.treatment;
    else {
      if (o.control === undefined || !Number.isFinite(o.control)) {
        throw new RangeError(`guardrail ${o.name}: a finite control value is needed, got ${o.control}`);
      }
      if (g.kind === "absolute-increase") value = o.treatment - o.control;
      else {
        if (!(o.control > 0)) throw new RangeError(`guardrail ${o.name}: a relative change needs control > 0, got ${o.control}`);
        value = o.treatment / o.control - 1;
      }
    }
    if (value > g.threshold) {
      out.push({ name: g.name, value, threshold: g.threshold, message: `${g.name}: ${g.kind} ${value.toFixed(4)} > ${g.threshold}` });
    }
  }
  return out;
}
