// The Kolmogorov distribution function of @stdlib/stats-kstest (Marsaglia, Tsang & Wang 2003), which the package
// uses for its own two-sided p-values but does not export: lib/monitoring/drift-stats.ts computes its statistic against a quantile
// table itself and needs only this distribution. Pinned by the package version; test/monitoring/drift.test.ts checks it against
// the package's public kstest so a layout change fails loudly.
declare module "@stdlib/stats-kstest/lib/marsaglia.js" {
  /** P(D_n < d) for the two-sided one-sample Kolmogorov-Smirnov statistic D_n with n observations. */
  function pKolmogorov(d: number, n: number): number;
  export = pKolmogorov;
}
