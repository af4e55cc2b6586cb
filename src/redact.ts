import { createRequire } from 'node:module';

// Any mongodb:// or mongodb+srv:// URL with user info, wherever it sits in a text.
const uriWithCredentials = /(mongodb(?:\+srv)?:\/\/)([^:@/\s]+)(?::([^@/\s]*))?@/gi;

/** Redacts every connection-string password found in free text (error messages, options). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(uriWithCredentials, (_m, scheme: string, user: string, pass: string | undefined) =>
    pass === undefined ? `${scheme}${user}@` : `${scheme}${user}:****@`,
  );
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('****');
  }
  return out;
}

/** The password (URL-decoded and raw) of a connection string, to scrub from texts we did not write. */
export function secretsOf(uri: string | undefined): string[] {
  if (!uri) return [];
  const m = /^mongodb(?:\+srv)?:\/\/[^:@/\s]+:([^@/\s]*)@/i.exec(uri);
  if (!m || !m[1]) return [];
  const raw = m[1];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // keep raw
  }
  return decoded === raw ? [raw] : [raw, decoded];
}

type RedactConnectionString = (uri: string, options: { redactUsernames: boolean; replacementString: string }) => string;
let redactConnectionString: RedactConnectionString | undefined;

/**
 * A string meant as a connection string but not one (`mongodb//bob:pw@host`, `bob:pw@host`):
 * whatever stands between its scheme-like start and its last `@` is the user's credentials, the
 * password masked (`mongodb//bob:****@host`); without a `:` there, all of it (`****@host`).
 */
export function redactUriLike(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 0) return text;
  const start = /^(?:[a-z][a-z0-9+.-]*:?)?\/{0,2}/i.exec(text)![0].length;
  const userinfo = text.slice(start, at);
  const colon = userinfo.indexOf(':');
  return `${text.slice(0, start)}${colon >= 0 ? `${userinfo.slice(0, colon)}:****` : '****'}${text.slice(at)}`;
}

/**
 * Every word of a free text that could carry a password (a `:` then an `@`: a connection string
 * given where it did not belong, as in `unknown option '--urii=mongodb//bob:pw@host'`), shown
 * as `redactUriLike` shows it; after `=`, only the value.
 */
export function redactCredentialWords(text: string): string {
  return text.replace(/[^\s'"`]*:[^\s'"`]*@[^\s'"`]*/g, (word) => {
    const eq = word.indexOf('=');
    return eq >= 0 && eq < word.indexOf(':') ? word.slice(0, eq + 1) + redactUriLike(word.slice(eq + 1)) : redactUriLike(word);
  });
}

/** Redacts one connection string (password replaced), tolerating strings the parser rejects. */
export function redactUri(uri: string): string {
  // Loaded on first use, so `etl --help` does not pay for the URL parser.
  redactConnectionString ??= (createRequire(import.meta.url)('mongodb-connection-string-url') as { redactConnectionString: RedactConnectionString }).redactConnectionString;
  try {
    return redactConnectionString(uri, { redactUsernames: false, replacementString: '****' });
  } catch {
    return redactUriLike(uri);
  }
}
