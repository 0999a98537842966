// The bare pass-through proxy of the edge benchmark: a Hono app that forwards the request body to one
// receiver and answers what it answered. No auth, no validation, no failover: the physical limit for any
// proxy on the same runtime. Entries: default export (workerd) and `denoMain` (Deno, see edge-proxy.ts).
import { Hono } from "hono";

export function passthrough(target: () => string): Hono {
  const app = new Hono();
  app.post("/", async (c) => {
    const res = await fetch(target(), {
      method: "POST",
      body: await c.req.arrayBuffer(),
      headers: { "content-type": c.req.header("content-type") ?? "application/x-www-form-urlencoded" },
    });
    return c.text(await res.text(), res.status as 200);
  });
  return app;
}

let app: Hono | undefined;

/** workerd: the target comes from the TARGET text binding. */
export default {
  fetch(req: Request, env: { TARGET: string }): Response | Promise<Response> {
    app ??= passthrough(() => env.TARGET);
    return app.fetch(req, env);
  },
};
