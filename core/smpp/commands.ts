/**
 * SMPP 3.4 command_id values for the PDUs Genesys supports, and their wire names.
 * A response id is its request id with the top bit set.
 */

/** command_id values (SMPP 3.4 section 5.1.2.1). */
export const CommandId = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
} as const;

export type CommandName = keyof typeof CommandId;

/** Bit set in command_id for every response PDU. */
export const RESPONSE_BIT = 0x80000000;

const namesById = new Map<number, CommandName>(
  (Object.entries(CommandId) as [CommandName, number][]).map(([name, id]) => [id, name]),
);

/** The command name for an id, or undefined for ids this codec does not speak. */
export function commandName(id: number): CommandName | undefined {
  return namesById.get(id);
}

/** True for response command ids (top bit set), including generic_nack. */
export function isResponseId(id: number): boolean {
  return id >= RESPONSE_BIT;
}
