/**
 * The committed local-development credentials. They are fine on loopback and fatal anywhere else: a
 * production start that finds one of them refuses to run.
 */
export const DEV_CREDENTIALS = Object.freeze({
  genesysLogin: "demo",
  genesysPassword: "demo",
  edgeApiKey: "dev-key",
  edgeTokenSecret: "dev-token-secret",
  callbackSecret: "dev-callback",
  coreToken: "dev-token",
  webhookSecret: "dev-webhook",
});

const values = new Set<string>(Object.values(DEV_CREDENTIALS));

/** Names of the given settings that hold a dev credential (empty: none). */
export function devCredentialsIn(settings: Record<string, string | undefined>): string[] {
  return Object.entries(settings)
    .filter(([, v]) => v !== undefined && values.has(v))
    .map(([k]) => k);
}
