/** A real webhook receiver (Bun.serve on port 0) that records requests and answers from a script. */
export interface Received {
  readonly body: string;
  readonly headers: Headers;
  readonly at: number;
}

export function startReceiver(answer: (n: number, r: Received) => number | Promise<number> = () => 200) {
  const received: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const r = { body: await req.text(), headers: req.headers, at: Date.now() };
      received.push(r);
      return new Response("ok", { status: await answer(received.length, r) });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/webhook`, received, stop: () => server.stop(true) };
}
