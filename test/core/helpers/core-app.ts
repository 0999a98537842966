/**
 * A core app for HTTP tests: real store, inbox, metrics and Hono app. The MT sender and the bind view are
 * simple fakes: the real ones (binds + router) are a later step and are not under test here.
 */
import type { SendOutcome } from "../../../contract/index.ts";
import { createCoreApp, type BindInfo, type BindsView, type CoreAppDeps, type MtSender } from "../../../core/http/app.ts";
import { Inbox } from "../../../core/inbound/inbox.ts";
import { createCoreMetrics } from "../../../core/platform/metrics.ts";
import type { Store } from "../../../core/store/store.ts";
import { Wakeup } from "../../../core/platform/wakeup.ts";
import { SendLog } from "../../../core/outbound/send-log.ts";
import { systemClock } from "../../../contract/index.ts";

export const TOKEN = "test-token-123";
export const AUTH = { Authorization: `Bearer ${TOKEN}` };

export class FakeSender implements MtSender {
  readonly calls: { to: string; messageId: string }[] = [];
  next: (messageId: string) => SendOutcome = (messageId) => ({ status: "accepted", messageId, attempts: [], site: "dc3", node: "smc1.dc3", resultCode: 0, deduplicated: false, smscMessageIds: ["a1"] });
  async send(msg: { to: string }, messageId: string): Promise<SendOutcome> {
    this.calls.push({ to: msg.to, messageId });
    return this.next(messageId);
  }
}

export class FakeBinds implements BindsView {
  binds: BindInfo[] = [{ node: "smc1.dc3", site: "dc3", state: "bound", since: Date.UTC(2026, 0, 1), inFlight: 2 }];
  list() {
    return this.binds;
  }
}

export function coreApp(store: Store, extra: Partial<CoreAppDeps> = {}) {
  const wakeup = new Wakeup();
  const metrics = createCoreMetrics({ backlog: () => store.outboxBacklog() });
  const inbox = new Inbox(store, { wakeup });
  inbox.on("committed", ({ stored, duplicates }) => (metrics.eventsStored.inc(stored), metrics.dedupHits.inc({ path: "inbox" }, duplicates)));
  const sender = new FakeSender();
  const binds = new FakeBinds();
  const app = createCoreApp({ token: TOKEN, store, inbox, sender, sendLog: new SendLog(store, systemClock), binds, metrics, wakeup, bodyLimitBytes: 64 * 1024, streamPollMs: 50, ...extra });
  return { app, sender, binds, metrics, inbox, wakeup };
}
