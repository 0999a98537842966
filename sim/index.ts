// The Genesys SMS Aggregation Service simulator: two HTTP receivers (dc3, bos), four SMSC nodes
// (SMPP 3.4 on the npm `smpp` package), fault injection and a ledger, all on loopback.
// Independent of contract/ on purpose: it is the second reading of the Genesys docs that checks ours.
// Node APIs only (node:http, node:net, node:events), so it runs under Node (vitest) and Bun (core tests).
export { startSimulator } from "./simulator.ts";
export { REALISTIC_RECEIPTS } from "./receipt-fate.ts";
export { Ledger } from "./ledger.ts";
export type * from "./ledger.ts";
export { FAULT_KINDS, LONG_MO, NODES, SITES } from "./types.ts";
export type * from "./types.ts";
export { RECEIVER_PATH } from "./http-receiver.ts";
export { STATUS as SMPP_STATUS } from "./smsc-session.ts";
