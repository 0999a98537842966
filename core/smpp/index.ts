/**
 * SMPP 3.4 on Bun's own sockets: the public surface for the binds manager, router and inbox.
 *
 * ```ts
 * const session = new Session({
 *   endpoint: { host: "smc1.dc3", port: 3550, tls: { ca } },
 *   systemId, password, window: 10, responseTimeoutMs: 30_000, enquireLinkIdleMs: 30_000,
 *   onDeliver: async (pdu) => { await inbox.commit(pdu); return Status.ESME_ROK; },
 * });
 * session.on("closed", ({ reason }) => scheduleRebind(reason));   // one Session per connection
 * const bound = await session.bind();                             // bound | rejected | failed
 * if (session.available > 0) {
 *   const r = await session.submit({ destinationAddr, shortMessage, registeredDelivery: 1 });
 *   // r.kind: resp (see classifyStatus(r.status)) | nack | timeout | closed  (sent)
 *   //         window_full | not_bound                                        (not sent)
 * }
 * await session.unbind({ drainMs: 5_000 });
 * ```
 */
export { Session } from "./session.ts";
export type {
  BindResult, BindType, CloseReason, DeliverHandler, SessionEvents, SessionOptions, SessionState, SubmitResult, UnbindResult,
} from "./session-types.ts";
export { Status, statusName, classifyStatus, type StatusClass, type StatusName } from "./status.ts";
export { CommandId, commandName, type CommandName } from "./commands.ts";
export { decodePdu, encodePdu, encodeInto, pduLength, type DecodeResult, type DecodeError } from "./codec.ts";
export { Framer, DEFAULT_MAX_PDU_LENGTH, type FrameError } from "./framer.ts";
export { TlvTag, type Tlvs, type RawTlv } from "./tlv.ts";
export { smFields, type Pdu, type SmFields, type SmInput, type SubmitSmPdu, type DeliverSmPdu, type SmRespPdu } from "./pdu.ts";
export { bunConnector, type Connector, type Endpoint, type SmppSocket, type SocketHandlers, type TlsSettings } from "./transport.ts";
export type { Disposable } from "../../contract/emitter.ts";
