// The edge in real workerd (edge/entry/worker.ts bundled, served by Miniflare), against the in-process simulator.
import { edgeScenarios } from "./scenarios.ts";
import { startWorkerdEdge } from "./harness.ts";

edgeScenarios("workerd", startWorkerdEdge);
