/**
 * WAL checkpoints for the sqlite Db on a worker thread (its own connection), off the event loop that runs
 * the SMPP sessions and the write transactions.
 */
/**
 * The checkpointer's code (a worker thread with its own connection). Inline (a Blob URL), so the compiled
 * binary (`bun build --compile`) needs no second entry point.
 */
const CHECKPOINTER = `
const { Database } = require("bun:sqlite");
let db, timer;
self.onmessage = (e) => {
  if (e.data.open) {
    db = new Database(e.data.open);
    db.run("PRAGMA busy_timeout = 5000");
    return;
  }
  if (e.data.close) {
    clearTimeout(timer);
    db?.close();
    postMessage("closed");
    return;
  }
  timer ??= setTimeout(() => {
    timer = undefined;
    try { db.run("PRAGMA wal_checkpoint(PASSIVE)"); } catch {}
    postMessage("done");
  }, e.data.afterMs);
};`;

/**
 * Moves WAL checkpoints off the event loop: after a commit (`poke`), a worker thread copies committed WAL
 * pages back into the database file (PASSIVE: never blocks the writer or readers) at most every `afterMs`.
 * A checkpoint writes and fsyncs both files: done by sqlite inside COMMIT it was about a third of the
 * inbound path's sqlite time. The writer's own wal_autocheckpoint stays on, higher, as a backstop that
 * bounds the WAL if this thread falls behind.
 */
export function startCheckpointer(file: string, afterMs = 200): { poke(): void; stop(): Promise<void> } {
  const worker = new Worker(URL.createObjectURL(new Blob([CHECKPOINTER], { type: "application/javascript" })));
  let waiting = false;
  let closed: (() => void) | undefined;
  worker.onmessage = (e: MessageEvent) => {
    if (e.data === "done") waiting = false;
    else if (e.data === "closed") closed?.();
  };
  worker.postMessage({ open: file });
  return {
    poke() {
      if (waiting) return;
      waiting = true;
      worker.postMessage({ afterMs });
    },
    async stop() {
      await Promise.race([new Promise<void>((r) => ((closed = r), worker.postMessage({ close: true }))), Bun.sleep(5_000)]);
      worker.terminate();
    },
  };
}
