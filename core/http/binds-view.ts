/** The bind manager as the HTTP layer sees it (`BindsView`): one flat row per node for /v1/binds and the status page. */
import type { BindManager } from "../binds/bind-manager.ts";
import type { NodeBindSnapshot } from "../binds/bind-state.ts";
import type { BindInfo, BindsView } from "./types.ts";

function bindInfo(b: NodeBindSnapshot): BindInfo {
  const s = b.state;
  return {
    node: b.node,
    site: b.site,
    state: s.kind,
    since: "since" in s ? s.since : 0,
    ...(s.kind === "backoff" && { nextAttemptAt: s.nextAttemptAt }),
    inFlight: b.inFlight,
  };
}

export function bindsView(binds: Pick<BindManager, "list">): BindsView {
  return { list: () => binds.list().map(bindInfo) };
}
