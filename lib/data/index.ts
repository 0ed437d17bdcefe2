// The raw data: acquisition and verification of the committed files, and seeded synthetic messy exports.
export * from "./acquire";
export * from "./synthetic";
