/**
 * The core's OpenAPI document (GET /openapi.json): valid OpenAPI 3.1, every route the core answers in it
 * (the app createCoreApp builds plus the status routes gateway.ts adds) with its problem+json errors, and
 * the reference page (GET /docs) reading it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { LOCAL_TOPOLOGY, systemClock } from "../../contract/index.ts";
import { statusRoutes } from "../../core/http/status.ts";
import { RecentActivity } from "../../core/platform/activity.ts";
import { answeredRoutes, documentedRoutes, missingErrors, openApiErrors, operationsWithoutErrors } from "../contract/openapi-check.ts";
import { coreApp } from "./helpers/core-app.ts";
import { backend } from "./helpers/stores.ts";

describe("core OpenAPI", () => {
  const b = backend("sqlite");
  afterAll(() => b.cleanup());

  test("GET /openapi.json is valid OpenAPI 3.1 and documents exactly the routes the core answers, each with its errors", async () => {
    const { app, binds } = coreApp(await b.open());
    statusRoutes(app, { binds, activity: new RecentActivity(systemClock), topology: LOCAL_TOPOLOGY, rebindFloorMs: 30_000, clock: systemClock });
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
    expect(await openApiErrors(doc)).toEqual([]);
    expect(documentedRoutes(doc)).toEqual(answeredRoutes(app));
    expect(operationsWithoutErrors(doc).filter((r) => !["GET /", "GET /docs", "GET /openapi.json", "GET /healthz"].includes(r))).toEqual([]);
    expect(missingErrors(doc, "POST /v1/messages", [400, 401, 413, 422, 429, 500, 502, 503])).toEqual([]);
    expect(doc.paths["/v1/messages"]!.post!.responses["202"]!.content!["application/json"]).toBeDefined();
  });

  test("GET /docs is the reference page, reading /openapi.json", async () => {
    const { app } = coreApp(await b.open());
    const res = await app.request("/docs");
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/openapi.json");
  });
});
