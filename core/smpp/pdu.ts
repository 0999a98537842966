/**
 * PDU shapes for the SMPP 3.4 subset Genesys supports, as a discriminated union on `command`.
 * Field names are the spec's mandatory parameters in camelCase; optional parameters (TLVs)
 * live in `tlvs` so PDUs without them carry no extra object.
 */
import type { Tlvs } from "./tlv.ts";

/** Header fields shared by every PDU (command_length is derived, command_id comes from `command`). */
export interface PduHeader {
  /** command_status: 0 in requests, the result in responses. */
  status: number;
  /** sequence_number, 1..0x7FFFFFFF. */
  sequence: number;
}

/** Mandatory body of bind_transmitter / bind_receiver / bind_transceiver. */
export interface BindFields {
  systemId: string;
  password: string;
  systemType: string;
  /** 0x34 for SMPP 3.4. */
  interfaceVersion: number;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export type BindCommand = "bind_transmitter" | "bind_receiver" | "bind_transceiver";
export type BindRespCommand = `${BindCommand}_resp`;

export interface BindPdu extends PduHeader, BindFields {
  command: BindCommand;
  tlvs?: Tlvs;
}

export interface BindRespPdu extends PduHeader {
  command: BindRespCommand;
  /** The SMSC's id; "" when the body was omitted (error responses). */
  systemId: string;
  tlvs?: Tlvs;
}

/** Mandatory body shared by submit_sm and deliver_sm (sm_length is derived from shortMessage). */
export interface SmFields {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  protocolId: number;
  priorityFlag: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresentFlag: number;
  dataCoding: number;
  smDefaultMsgId: number;
  /** 0..254 octets (255 encodable); longer text goes in tlvs.messagePayload or UDH segments. */
  shortMessage: Uint8Array;
  tlvs?: Tlvs;
}

export interface SubmitSmPdu extends PduHeader, SmFields {
  command: "submit_sm";
}

export interface DeliverSmPdu extends PduHeader, SmFields {
  command: "deliver_sm";
}

export interface SmRespPdu extends PduHeader {
  command: "submit_sm_resp" | "deliver_sm_resp";
  /** The SMSC message id (submit_sm_resp); "" for deliver_sm_resp or error responses. */
  messageId: string;
  tlvs?: Tlvs;
}

/** PDUs made of the header alone. */
export interface HeaderOnlyPdu extends PduHeader {
  command: "enquire_link" | "enquire_link_resp" | "unbind" | "unbind_resp" | "generic_nack";
}

/** Any PDU this codec encodes and decodes. */
export type Pdu = BindPdu | BindRespPdu | SubmitSmPdu | DeliverSmPdu | SmRespPdu | HeaderOnlyPdu;

/** SmFields with every field optional except the addresses and text: handy for builders. */
export type SmInput = Partial<SmFields> & Pick<SmFields, "destinationAddr" | "shortMessage">;

const EMPTY = new Uint8Array(0);

/** Fills SmFields defaults (zeros and empty strings) around the given fields. */
export function smFields(input: SmInput): SmFields {
  return {
    serviceType: input.serviceType ?? "",
    sourceAddrTon: input.sourceAddrTon ?? 0,
    sourceAddrNpi: input.sourceAddrNpi ?? 0,
    sourceAddr: input.sourceAddr ?? "",
    destAddrTon: input.destAddrTon ?? 0,
    destAddrNpi: input.destAddrNpi ?? 0,
    destinationAddr: input.destinationAddr,
    esmClass: input.esmClass ?? 0,
    protocolId: input.protocolId ?? 0,
    priorityFlag: input.priorityFlag ?? 0,
    scheduleDeliveryTime: input.scheduleDeliveryTime ?? "",
    validityPeriod: input.validityPeriod ?? "",
    registeredDelivery: input.registeredDelivery ?? 0,
    replaceIfPresentFlag: input.replaceIfPresentFlag ?? 0,
    dataCoding: input.dataCoding ?? 0,
    smDefaultMsgId: input.smDefaultMsgId ?? 0,
    shortMessage: input.shortMessage ?? EMPTY,
    ...(input.tlvs ? { tlvs: input.tlvs } : {}),
  };
}
