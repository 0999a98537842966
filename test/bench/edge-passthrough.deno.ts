// Deno entry of the bare pass-through proxy (see edge-passthrough.ts): TARGET and EDGE_PORT from the env.
import { passthrough } from "./edge-passthrough.ts";

const target = Deno.env.get("TARGET") ?? "";
const app = passthrough(() => target);
Deno.serve({
  hostname: "127.0.0.1", port: Number(Deno.env.get("EDGE_PORT") ?? 0),
  onListen: ({ port }) => console.log(JSON.stringify({ msg: "listening", port })),
}, (req) => app.fetch(req));
