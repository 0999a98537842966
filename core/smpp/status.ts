/**
 * SMPP 3.4 command_status values, their names, and how the router should react to each.
 * Kept as plain numeric constants so hot paths compare integers, never strings.
 */

/** Named SMPP 3.4 command_status values (section 5.1.3), plus the vendor-common 0x58. */
export const Status = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RINVPRTFLG: 0x06,
  ESME_RINVREGDLVFLG: 0x07,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RCANCELFAIL: 0x11,
  ESME_RREPLACEFAIL: 0x13,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVNUMDESTS: 0x33,
  ESME_RINVDLNAME: 0x34,
  ESME_RINVDESTFLAG: 0x40,
  ESME_RINVSUBREP: 0x42,
  ESME_RINVESMCLASS: 0x43,
  ESME_RCNTSUBDL: 0x44,
  ESME_RSUBMITFAIL: 0x45,
  ESME_RINVSRCTON: 0x48,
  ESME_RINVSRCNPI: 0x49,
  ESME_RINVDSTTON: 0x50,
  ESME_RINVDSTNPI: 0x51,
  ESME_RINVSYSTYP: 0x53,
  ESME_RINVREPFLAG: 0x54,
  ESME_RINVNUMMSGS: 0x55,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RINVDFTMSGID: 0x63,
  ESME_RX_T_APPN: 0x64,
  ESME_RX_P_APPN: 0x65,
  ESME_RX_R_APPN: 0x66,
  ESME_RQUERYFAIL: 0x67,
  ESME_RINVOPTPARSTREAM: 0xc0,
  ESME_ROPTPARNOTALLWD: 0xc1,
  ESME_RINVPARLEN: 0xc2,
  ESME_RMISSINGOPTPARAM: 0xc3,
  ESME_RINVOPTPARAMVAL: 0xc4,
  ESME_RDELIVERYFAILURE: 0xfe,
  ESME_RUNKNOWNERR: 0xff,
} as const;

export type StatusName = keyof typeof Status;

const namesByValue = new Map<number, StatusName>(
  (Object.entries(Status) as [StatusName, number][]).map(([name, value]) => [value, name]),
);

/** The symbolic name of a status, or `0x…` hex for values the spec does not name. */
export function statusName(status: number): string {
  return namesByValue.get(status) ?? `0x${status.toString(16).padStart(8, "0")}`;
}

/**
 * What a submitter should do with a response status:
 * - `ok`: accepted;
 * - `retry_other_bind`: the SMSC is busy (throttled, queue full): pause this bind, use another;
 * - `rebind`: the SMSC thinks we are not bound: drop and rebind this session;
 * - `permanent`: the message itself is bad: do not retry;
 * - `unknown`: a status we have no rule for (treated by callers as not retryable blindly).
 */
export type StatusClass = "ok" | "retry_other_bind" | "rebind" | "permanent" | "unknown";

const permanent = new Set<number>([
  Status.ESME_RINVMSGLEN, Status.ESME_RINVCMDLEN, Status.ESME_RINVCMDID, Status.ESME_RINVPRTFLG,
  Status.ESME_RINVREGDLVFLG, Status.ESME_RINVSRCADR, Status.ESME_RINVDSTADR, Status.ESME_RINVMSGID,
  Status.ESME_RINVSERTYP, Status.ESME_RINVESMCLASS, Status.ESME_RSUBMITFAIL, Status.ESME_RINVSRCTON,
  Status.ESME_RINVSRCNPI, Status.ESME_RINVDSTTON, Status.ESME_RINVDSTNPI, Status.ESME_RINVSYSTYP,
  Status.ESME_RINVREPFLAG, Status.ESME_RINVSCHED, Status.ESME_RINVEXPIRY, Status.ESME_RINVDFTMSGID,
  Status.ESME_RINVOPTPARSTREAM, Status.ESME_ROPTPARNOTALLWD, Status.ESME_RINVPARLEN,
  Status.ESME_RMISSINGOPTPARAM, Status.ESME_RINVOPTPARAMVAL, Status.ESME_RDELIVERYFAILURE,
]);

/** Classifies a submit_sm_resp (or generic_nack) status for the router. */
export function classifyStatus(status: number): StatusClass {
  if (status === Status.ESME_ROK) return "ok";
  if (status === Status.ESME_RTHROTTLED || status === Status.ESME_RMSGQFUL) return "retry_other_bind";
  if (status === Status.ESME_RINVBNDSTS) return "rebind";
  if (permanent.has(status)) return "permanent";
  return "unknown";
}
