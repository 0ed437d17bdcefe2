// Import rules for lib/ (dependency-cruiser): no cycle, and imports point one way, from core/ up to cli/.
// `npm run lint` checks them.
const LAYERS = [
  "core",
  "data",
  "cleaning",
  "features",
  "models",
  "evaluation",
  "artifact",
  "export",
  "inspection",
  "training",
  "serving",
  "monitoring",
  "planning",
  "reporting",
  "cli",
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `${layer}-imports-up`,
  comment: `lib/${layer} may import only from ${LAYERS.slice(0, i + 1).join(", ")}`,
  severity: "error",
  from: { path: `^lib/${layer}/` },
  to: { path: `^lib/(${LAYERS.slice(i + 1).join("|")})/` },
}));

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "a cycle makes two modules one", from: {}, to: { circular: true } },
    ...upward,
    {
      name: "training-stays-inside",
      comment: "nothing in lib outside training (and the CLI that runs it) imports from training",
      severity: "error",
      from: { path: "^lib/", pathNot: "^lib/(training|cli)/" },
      to: { path: "^lib/training/" },
    },
    {
      name: "serving-closure",
      comment: "the serving modules reach no training, reporting or CLI module, directly or not",
      severity: "error",
      from: { path: "^lib/serving/" },
      to: { path: "^lib/(training|reporting|cli)/", reachable: true },
    },
    {
      name: "commander-only-in-cli",
      comment: "the command line is the only place that imports commander",
      severity: "error",
      from: { path: "^lib/", pathNot: "^lib/cli/" },
      to: { path: "node_modules/commander/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
