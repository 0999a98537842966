/**
 * Where Genesys is: two hot sites, each with an HTTP receiver and two SMSC nodes. Hosts are configuration,
 * never code: the defaults below are the ones the HA/DR guide lists; the account manager gives the real ones.
 */
import { z } from "zod";
import { fromZod, type Result } from "./result.ts";

export const SiteName = z.string().regex(/^[a-z0-9-]{2,16}$/, "a short lower-case site name like dc3");
export type SiteName = z.infer<typeof SiteName>;

export const SmscNode = z.object({
  /** e.g. `smc1.dc3` */
  name: z.string().min(1),
  site: SiteName,
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  /** SMPP over TLS (certificate verified). Unset: the core decides (on in production, off in development). */
  tls: z.boolean().optional(),
});
export type SmscNode = z.output<typeof SmscNode>;

export const Site = z.object({
  name: SiteName,
  httpUrl: z.url({ protocol: /^https?$/ }),
});
export type Site = z.output<typeof Site>;

export const Topology = z
  .object({
    /** In order of preference: the first is the primary. */
    sites: z.array(Site).min(1),
    /** Genesys' DNS-failover URL, used as one more target after the per-site URLs when set. */
    singleUrl: z.url({ protocol: /^https?$/ }).optional(),
    smscNodes: z.array(SmscNode).min(1),
  })
  .superRefine((t, ctx) => {
    const names = new Set(t.sites.map((s) => s.name));
    if (names.size !== t.sites.length) ctx.addIssue({ code: "custom", path: ["sites"], message: "site names must be unique" });
    const nodes = new Set<string>();
    t.smscNodes.forEach((n, i) => {
      if (!names.has(n.site)) ctx.addIssue({ code: "custom", path: ["smscNodes", i, "site"], message: `unknown site '${n.site}'` });
      if (nodes.has(n.name)) ctx.addIssue({ code: "custom", path: ["smscNodes", i, "name"], message: `duplicate node '${n.name}'` });
      nodes.add(n.name);
    });
  });
export type Topology = z.output<typeof Topology>;

export function parseTopology(input: unknown): Result<Topology> {
  return fromZod(Topology.safeParse(input));
}

/** The HA/DR guide's sites and its four SMSC nodes (SMPP port by convention: not published). */
export const GENESYS_TOPOLOGY: Topology = Object.freeze({
  sites: [
    { name: "dc3", httpUrl: "https://smsc-api.dc3.genesyscloud.com/httpapi/receiver" },
    { name: "bos", httpUrl: "https://smsc-api.bos.genesyscloud.com/httpapi/receiver" },
  ],
  singleUrl: "https://smsc-api.genesyscloud.com/httpapi/receiver",
  smscNodes: [
    { name: "smc1.dc3", site: "dc3", host: "smc1.dc3.genesyscloud.com", port: 2775 },
    { name: "smc2.dc3", site: "dc3", host: "smc2.dc3.genesyscloud.com", port: 2775 },
    { name: "smc1.bos", site: "bos", host: "smc1.bos.genesyscloud.com", port: 2775 },
    { name: "smc2.bos", site: "bos", host: "smc2.bos.genesyscloud.com", port: 2775 },
  ],
}) as Topology;

/** The local simulator (`npm run sim`): the same shape on loopback. */
export const LOCAL_TOPOLOGY: Topology = Object.freeze({
  sites: [
    { name: "dc3", httpUrl: "http://127.0.0.1:8701/httpapi/receiver" },
    { name: "bos", httpUrl: "http://127.0.0.1:8702/httpapi/receiver" },
  ],
  smscNodes: [
    { name: "smc1.dc3", site: "dc3", host: "127.0.0.1", port: 2775, tls: false },
    { name: "smc2.dc3", site: "dc3", host: "127.0.0.1", port: 2776, tls: false },
    { name: "smc1.bos", site: "bos", host: "127.0.0.1", port: 2777, tls: false },
    { name: "smc2.bos", site: "bos", host: "127.0.0.1", port: 2778, tls: false },
  ],
}) as Topology;
