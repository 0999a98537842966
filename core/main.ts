/**
 * The core process: `bun core/main.ts` (or the compiled binary). Reads the config once (file + GSH_* env),
 * starts the gateway and its HTTP API, and on SIGTERM/SIGINT stops taking MTs, drains, unbinds every node
 * and exits.
 */
import { ConfigError, loadCoreConfig, type CoreConfig } from "./config.ts";
import { startGateway } from "./gateway.ts";
import { serveCore } from "./http/serve.ts";
import { createLogger } from "./platform/log.ts";

let cfg: CoreConfig;
try {
  cfg = loadCoreConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`core: ${e.message}\n`);
  process.exit(2);
}
const log = createLogger({ level: cfg.log.level });
const gateway = await startGateway(cfg, { log });
const server = serveCore(gateway.app, { hostname: cfg.http.host, port: cfg.http.port, idleTimeoutS: cfg.http.idleTimeoutS });
log.info("core listening", { url: `http://${server.hostname}:${server.port}` });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  const force = setTimeout(() => {
    log.error("shutdown took too long; exiting");
    process.exit(1);
  }, 20_000);
  await gateway.stop();
  await server.stop(true);
  clearTimeout(force);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
