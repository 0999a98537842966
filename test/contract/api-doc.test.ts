// docs/api.md is the API's one description for people (the README links it): these checks keep it and the
// code from drifting apart. Its route tables list exactly the paths and methods of the apps' OpenAPI
// documents; its problem table exactly the contract's problem types, with their status.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROBLEM_TYPES } from "../../contract/problem.ts";
import { coreOpenApi } from "../../core/http/openapi.ts";
import { edgeOpenApi } from "../../edge/http/openapi.ts";
import { documentedRoutes } from "./openapi-check.ts";

const DOC = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");

/** The rows of the markdown table that follows `heading` (a `#` line), as arrays of trimmed cells. */
function tableAfter(doc: string, heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/api.md has no "${heading}"`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of doc.slice(start + heading.length + 2).split("\n")) {
    if (line.startsWith("#")) break;
    if (!line.startsWith("|")) { if (inTable) break; continue; }
    inTable = true;
    const cells = line.slice(1, -1).split("|").map((c) => c.trim());
    if (cells.every((c) => /^-+$/.test(c))) continue;
    rows.push(cells);
  }
  return rows.slice(1); // without the header row
}

describe("docs/api.md", () => {
  for (const [app, doc] of [["Edge", edgeOpenApi()], ["Core", coreOpenApi()]] as const) {
    it(`lists every path and method of the ${app.toLowerCase()}'s OpenAPI document, and no other`, () => {
      const listed = tableAfter(DOC, `### ${app}`).map(([method, path]) => `${method} ${path}`).sort();
      expect(listed).toEqual(documentedRoutes(doc));
    });
  }

  it("lists every problem type of the contract, with its status, and no other", () => {
    const documented = tableAfter(DOC, "## Problems").map(([type, status]) => [type, status]);
    const expected = Object.entries(PROBLEM_TYPES).map(([type, t]) => [type, type === "http-error" ? "varies" : String(t.status)]);
    expect(documented).toEqual(expected);
  });
});
