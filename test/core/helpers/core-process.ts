/** The real core process (`bun core/main.ts`, config from a file via GSH_CORE_CONFIG), for crash and restart tests. */
import type { Subprocess } from "bun";

const ROOT = new URL("../../..", import.meta.url).pathname;

export interface CoreProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  /** Its stdout lines (JSON logs) so far. */
  out: string[];
}

/** Spawns the core on `configPath` and resolves once it listens (its "core listening" log line). */
export async function spawnCore(configPath: string, procs: Subprocess[] = []): Promise<CoreProcess> {
  const proc = Bun.spawn([process.execPath, "core/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, GSH_CORE_CONFIG: configPath, GSH_HTTP_PORT: "0" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  procs.push(proc);
  const out: string[] = [];
  let url: string | undefined;
  void (async () => {
    const dec = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += dec.decode(chunk);
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) {
        out.push(l);
        const m = /"msg":"core listening".*"url":"([^"]+)"/.exec(l);
        if (m) url = m[1];
      }
    }
  })();
  const end = Date.now() + 10_000;
  while (!url) {
    if (proc.exitCode !== null) throw new Error(`core exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}`);
    if (Date.now() > end) throw new Error("core did not start");
    await Bun.sleep(20);
  }
  return { proc, url, out };
}
