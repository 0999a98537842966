// Types for chromium.mjs (the test runner is plain JavaScript: node runs it without a build).
export declare const CHROMIUM: string;
export declare const INSTALL: string;
export type ChromiumStep = { kind: "ready" } | { kind: "install"; command: string } | { kind: "stop"; line: string };
export declare function chromiumStep(o: { present: boolean; root: boolean; aptGet: boolean }): ChromiumStep;
export declare function ensureChromium(): boolean;
