// The edge under real Deno (`deno run edge/entry/deno.ts`), against the in-process simulator over loopback.
import { edgeScenarios } from "./scenarios.ts";
import { startDenoEdge } from "./harness.ts";

edgeScenarios("deno", startDenoEdge);
