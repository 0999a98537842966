/** The message contract shared by the edge and the core: schemas, types and the Genesys HTTP codec. */
export * from "./result.ts";
export * from "./phone.ts";
export * from "./message.ts";
export * from "./outcome.ts";
export * from "./events.ts";
export * from "./message-state.ts";
export * from "./message-status.ts";
export * from "./result-codes.ts";
export * from "./topology.ts";
export * from "./genesys-http.ts";
export * from "./dev-credentials.ts";
export * from "./secret-strength.ts";
export * from "./clock.ts";
export * from "./emitter.ts";
export * from "./hex.ts";
export * from "./digest.ts";
export * from "./freeze.ts";
