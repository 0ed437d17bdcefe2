// What every figure of the project shares: its type (a Plotly spec as plain JSON, rendered by notebook.ts in notebooks
// and by doc-figures.ts for the README), the base layout and the two colours that mean "churned" and "stayed".

export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

export const BASE_LAYOUT = { margin: { t: 50, r: 20, b: 60, l: 60 }, font: { size: 12 } };
export const CHURN_COLOR = "#d62728";
export const STAY_COLOR = "#1f77b4";
