// simple-statistics for the CommonJS build: its types are published as ESM, its runtime ships a CommonJS entry.
type SimpleStatistics = typeof import("simple-statistics", { assert: { "resolution-mode": "import" } });

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ss: SimpleStatistics = require("simple-statistics");
