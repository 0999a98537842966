/**
 * Who is calling, once authenticated: a server holding an API key, or a browser/app holding a short-lived
 * token minted by the customer's backend. The auth middleware sets it; the admission checks (scope,
 * limits) read it. Neither form holds a secret: a key is named by a prefix of its configured digest, a
 * token's user by a hash of `sub`.
 */
import type { Context } from "hono";

export interface KeyPrincipal {
  readonly kind: "key";
  /** The first 16 hex digits of the key's SHA-256 (as configured): stable, and no secret. */
  readonly id: string;
}

/** A token's scope claims, normalised to Genesys digits for comparison with a parsed message. */
export interface TokenScope {
  readonly senders?: ReadonlySet<string>;
  readonly to?: { readonly exact: ReadonlySet<string>; readonly prefixes: readonly string[] };
  readonly maxSends?: number;
}

export interface TokenPrincipal {
  readonly kind: "token";
  /** The first 16 hex digits of SHA-256(`sub`): the end user, in logs and limit keys. */
  readonly id: string;
  /** `jti` when the token has one, else a hash of its signature: what `max_sends` counts by. */
  readonly tokenId: string;
  /** `exp`, seconds since the epoch. */
  readonly exp: number;
  readonly scope: TokenScope;
}

export type Principal = KeyPrincipal | TokenPrincipal;

const KEY = "principal";

export function setPrincipal(c: Context, p: Principal): void {
  c.set(KEY as never, p as never);
}

/** The caller the auth middleware admitted (undefined on routes without it). */
export function principalOf(c: Context): Principal | undefined {
  return c.get(KEY as never) as Principal | undefined;
}

/** The caller as the core records it (the sender of a message, who alone may read it back): `key:<id>` or `token:<id>`. */
export const principalName = (p: Principal): string => `${p.kind}:${p.id}`;
