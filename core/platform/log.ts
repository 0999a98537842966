/**
 * JSON-lines logger. Never writes message bodies or secrets: fields named like text, message, password,
 * token, secret, authorization (any depth, any case, also as part of a name such as webhookSecret) are
 * replaced by "[redacted]". The log line's own text is `msg`.
 */
export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET = /^(text|message|body|short_message|message_payload|password|passwd|token|secret|authorization|cookie)$|password|secret|token|authorization|api_?key/i;

export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

/** A copy of `v` with secret-looking keys redacted; errors become { name, message }. */
export function redact(v: unknown, depth = 0): unknown {
  if (depth > 6) return "[deep]";
  if (v instanceof Error) return { name: v.name, error: v.message.slice(0, 300) };
  if (Array.isArray(v)) return v.map((x) => redact(x, depth + 1));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET.test(k) ? "[redacted]" : redact(x, depth + 1);
    return out;
  }
  return v;
}

export function createLogger(opts: { level?: Level; write?: (line: string) => void; fields?: Fields; now?: () => number } = {}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const now = opts.now ?? Date.now;
  const base = opts.fields ?? {};
  const log = (level: Level) => (msg: string, fields: Fields = {}) => {
    if (ORDER[level] < min) return;
    const f = redact({ ...base, ...fields }) as Fields;
    write(JSON.stringify({ t: new Date(now()).toISOString(), level, msg, ...f }));
  };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    child: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}
