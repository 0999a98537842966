/**
 * Deno.serve that outlives its own accept loop. When the process runs out of files (EMFILE: a connection
 * flood past `ulimit -n`), Deno.serve's accept fails, its loop ends and `finished` rejects: with nothing left
 * to run, the process exits. Here the server is started again on the same port after a pause (50 ms,
 * doubling to 1 s while it keeps failing), so the edge answers again as soon as files are free. Deno.serve
 * has no header or idle timeout and no connection cap to set: the file limit is the cap (see README).
 */
export interface ServeForeverOptions {
  readonly hostname: string;
  readonly port: number;
  readonly log: (e: { level: "info" | "warn" | "error"; msg: string } & Record<string, unknown>) => void;
  /** Pause before the first restart (default 50 ms); doubles up to `maxPauseMs` (default 1 s). */
  readonly pauseMs?: number;
  readonly maxPauseMs?: number;
}

export function serveForever(o: ServeForeverOptions, handler: Deno.ServeHandler<Deno.NetAddr>): void {
  let port = o.port;
  let pause = o.pauseMs ?? 50;
  let restarts = 0;
  const start = () => {
    const startedAt = Date.now();
    const server = Deno.serve({
      hostname: o.hostname,
      port,
      onListen: (addr) => {
        port = addr.port; // a restart keeps the port the first start got (EDGE_PORT=0)
        o.log({ level: "info", msg: restarts ? "listening again" : "listening", runtime: "deno", hostname: addr.hostname, port: addr.port, ...(restarts && { restarts }) });
      },
    }, handler);
    server.finished.then(undefined, (err: unknown) => {
      restarts++;
      if (Date.now() - startedAt > 10_000) pause = o.pauseMs ?? 50; // it served a while: start the back-off over
      o.log({ level: "error", msg: "server stopped accepting; restarting", error: err instanceof Error ? err.message : String(err), pauseMs: pause });
      setTimeout(start, pause);
      pause = Math.min(pause * 2, o.maxPauseMs ?? 1_000);
    });
  };
  start();
}
