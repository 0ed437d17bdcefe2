// Cleaning a CRM export: decoding, headers, records, the cleaned table, its quality report and raw-spelling profile.
export * from "./decoding";
export * from "./header";
export * from "./profile";
export * from "./quality";
export * from "./record";
export * from "./table";
