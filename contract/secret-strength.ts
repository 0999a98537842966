/**
 * How strong a token or secret we generate ourselves must be in production. The rule is Django's
 * `security.W009` check made stricter: long enough and not built from a handful of characters, so that a
 * placeholder (`12345678`, `changeme-changeme`) or a committed dev value is refused while any random token
 * (`openssl rand -hex 16`, `openssl rand -base64 24`) passes. Genesys' own credentials are not ours to choose
 * and are not checked here.
 */
import { devCredentialsIn } from "./dev-credentials.ts";

/** At least this many characters: 32 hex digits are 128 random bits. */
export const MIN_SECRET_LENGTH = 32;
/** At least this many distinct characters: refuses `aaaa…`, `1212…` and other patterns. */
export const MIN_SECRET_DISTINCT = 10;

/** Why `value` is too weak for production, or undefined when it is strong enough. */
export function secretWeakness(value: string): string | undefined {
  if (devCredentialsIn({ value }).length) return "holds a committed dev credential";
  if (value.length < MIN_SECRET_LENGTH) return `is too short for production: at least ${MIN_SECRET_LENGTH} characters (e.g. \`openssl rand -hex 16\`)`;
  if (new Set(value).size < MIN_SECRET_DISTINCT) return `is too simple for production: at least ${MIN_SECRET_DISTINCT} distinct characters`;
  return undefined;
}
