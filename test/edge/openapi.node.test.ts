// The edge's OpenAPI document (GET /openapi.json): valid OpenAPI 3.1, every route the app answers in it
// with its problem+json errors, and the reference page (GET /docs) reading it.
import { describe, expect, it } from "vitest";
import { systemClock } from "../../contract/clock.ts";
import { createApp } from "../../edge/app.ts";
import { parseConfig } from "../../edge/config.ts";
import { answeredRoutes, documentedRoutes, missingErrors, openApiErrors, operationsWithoutErrors } from "../contract/openapi-check.ts";
import { edgeEnv } from "./harness.ts";

async function app() {
  const parsed = parseConfig(await edgeEnv({ dc3: "http://127.0.0.1:9/httpapi/receiver", bos: "http://127.0.0.1:10/httpapi/receiver" }, "http://127.0.0.1:11"));
  if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
  return createApp({ config: parsed.output, clock: systemClock, fetch: () => Promise.reject(new Error("no upstream in this test")) });
}

describe("edge OpenAPI", () => {
  it("GET /openapi.json is valid OpenAPI 3.1 and documents exactly the routes the app answers, each with its errors", async () => {
    const edge = await app();
    const res = await edge.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(await openApiErrors(doc)).toEqual([]);
    expect(documentedRoutes(doc)).toEqual(answeredRoutes(edge));
    expect(operationsWithoutErrors(doc).filter((r) => !["GET /", "GET /docs", "GET /openapi.json"].includes(r))).toEqual([]);
    expect(missingErrors(doc, "POST /v1/messages", [400, 401, 403, 413, 422, 429, 500, 502, 503])).toEqual([]);
    expect(doc.paths["/v1/messages"].post.responses["202"].content["application/json"]).toBeDefined();
  });

  it("GET /docs is the reference page, reading /openapi.json", async () => {
    const res = await (await app()).request("/docs");
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/openapi.json");
  });
});
