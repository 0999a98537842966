import { describe, expect, it } from "vitest";
import { parseTopology, GENESYS_TOPOLOGY, LOCAL_TOPOLOGY, devCredentialsIn, DEV_CREDENTIALS } from "../../contract/index.ts";

describe("topology", () => {
  it("ships the HA/DR guide's two sites and four SMSC nodes as the default", () => {
    expect(parseTopology(GENESYS_TOPOLOGY).success).toBe(true);
    expect(GENESYS_TOPOLOGY.sites.map((s) => s.name)).toEqual(["dc3", "bos"]);
    expect(GENESYS_TOPOLOGY.smscNodes.map((n) => n.name)).toEqual(["smc1.dc3", "smc2.dc3", "smc1.bos", "smc2.bos"]);
    expect(parseTopology(LOCAL_TOPOLOGY).success).toBe(true);
    expect(LOCAL_TOPOLOGY.smscNodes.map((n) => n.port)).toEqual([2775, 2776, 2777, 2778]);
  });

  it("rejects inconsistent topologies with every problem named", () => {
    const r = parseTopology({
      sites: [{ name: "dc3", httpUrl: "ftp://x" }, { name: "dc3", httpUrl: "http://a/b" }],
      smscNodes: [{ name: "n1", site: "zz", host: "h", port: 70000 }, { name: "n1", site: "dc3", host: "h", port: 1 }],
    });
    expect(r.success).toBe(false);
    if (r.success) return;
    const paths = r.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["sites.0.httpUrl", "smscNodes.0.port"]));
  });

  it("rejects duplicate names and unknown sites", () => {
    const r = parseTopology({
      sites: [{ name: "dc3", httpUrl: "http://a/x" }, { name: "dc3", httpUrl: "http://b/x" }],
      smscNodes: [{ name: "n1", site: "zz", host: "h", port: 1 }, { name: "n1", site: "dc3", host: "h", port: 1 }],
    });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.issues.map((i) => i.message)).toEqual(expect.arrayContaining(["site names must be unique", "unknown site 'zz'", "duplicate node 'n1'"]));
  });
});

describe("dev credentials", () => {
  it("finds committed dev credentials in a configuration", () => {
    expect(devCredentialsIn({ GENESYS_PASSWORD: "demo", API_KEY: "real-secret", CORE_TOKEN: DEV_CREDENTIALS.coreToken, X: undefined })).toEqual(["GENESYS_PASSWORD", "CORE_TOKEN"]);
    expect(devCredentialsIn({ A: "s3cr3t" })).toEqual([]);
  });
});
