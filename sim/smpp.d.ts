// Ambient types for the npm `smpp` package (0.5.x), which ships none. Only what the simulator and the
// tests use is typed precisely; PDU fields stay open because the package sets them dynamically by name.
// Import it as `import smpp from "smpp"` (CommonJS module: the default import works in Node, Bun and vitest).
declare module "smpp" {
  import type { EventEmitter } from "node:events";
  import type { Server as NetServer, Socket, TcpNetConnectOpts } from "node:net";

  namespace smpp {
    type PduCallback = (pdu: PDU) => void;

    class PDU {
      constructor(command: string | Buffer, options?: Record<string, unknown>);
      command: string;
      command_length: number;
      command_id: number;
      command_status: number;
      sequence_number: number;
      [field: string]: any;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
      toBuffer(): Buffer;
      static fromBuffer(buffer: Buffer): PDU | false;
      static maxLength: number;
    }

    class Session extends EventEmitter {
      constructor(options?: { socket?: Socket } & Partial<TcpNetConnectOpts>);
      socket: Socket;
      sequence: number;
      paused: boolean;
      server?: Server;
      send(pdu: PDU, responseCallback?: PduCallback, sendCallback?: PduCallback): boolean;
      pause(): void;
      resume(): void;
      connect(): void;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      bind_transmitter(options: Record<string, unknown>, cb?: PduCallback): boolean;
      bind_receiver(options: Record<string, unknown>, cb?: PduCallback): boolean;
      bind_transceiver(options: Record<string, unknown>, cb?: PduCallback): boolean;
      submit_sm(options: Record<string, unknown>, cb?: PduCallback): boolean;
      deliver_sm(options: Record<string, unknown>, cb?: PduCallback): boolean;
      enquire_link(options?: Record<string, unknown> | PduCallback, cb?: PduCallback): boolean;
      unbind(options?: Record<string, unknown> | PduCallback, cb?: PduCallback): boolean;
      query_sm(options: Record<string, unknown>, cb?: PduCallback): boolean;
      on(event: "pdu" | string, listener: (pdu: PDU) => void): this;
      on(event: "error", listener: (err: Error) => void): this;
      on(event: "close" | "connect", listener: () => void): this;
    }

    class Server extends NetServer {
      sessions: Session[];
    }

    interface ConnectOptions {
      host?: string;
      port?: number;
      url?: string;
      tls?: boolean;
      auto_enquire_link_period?: number;
    }

    function createServer(listener: (session: Session) => void): Server;
    function createServer(options: object, listener?: (session: Session) => void): Server;
    function connect(options: ConnectOptions | string, listener?: () => void): Session;
    function createSession(options: ConnectOptions | string, listener?: () => void): Session;
    function addCommand(command: string, options: Record<string, unknown>): void;
    function addTLV(tag: string, options: Record<string, unknown>): void;

    const errors: Record<string, number>;
    const consts: Record<string, any>;
    const commands: Record<string, { id: number; params?: Record<string, unknown> }>;
    const tlvs: Record<string, { id: number }>;
    const ESME_ROK: number;
    const ESME_RINVMSGLEN: number;
    const ESME_RINVCMDLEN: number;
    const ESME_RINVCMDID: number;
    const ESME_RINVBNDSTS: number;
    const ESME_RALYBND: number;
    const ESME_RSYSERR: number;
    const ESME_RINVSRCADR: number;
    const ESME_RINVDSTADR: number;
    const ESME_RBINDFAIL: number;
    const ESME_RTHROTTLED: number;
    const ESME_RMSGQFUL: number;
  }
  export = smpp;
}
