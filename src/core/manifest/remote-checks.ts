/**
 * What a remote server's URL and headers may hold, however one comes in (manifest, registry,
 * template, client config): http(s), no credentials or control characters; headers on one line.
 */

/** Said when a URL carries `user:password@` as it is: where its secret belongs instead. */
const URL_CREDENTIALS =
  'holds a user name or password (user:password@) in plain text: put the token in a header instead, e.g. "headers": { "Authorization": "Bearer ${secret:NAME}" } (or the password in a secret: https://user:${secret:NAME}@…), and store it with `mcp-twin secret set NAME`';

/**
 * `user:${secret:NAME}@`: a password moved to the secrets file (import moves one there), which
 * is as safe as any other secret; anything else in front of `@` is a credential in plain text.
 */
const USER_AND_SECRET = /^[^:@${}]*:\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Why `text` cannot be a remote server's URL (undefined: it can). Never repeats the URL.
 * `credentials: "later"`: a password is let through, for a caller that moves it to a secret and
 * then checks again (import).
 */
export function urlProblem(text: string, options: { credentials?: "later" } = {}): string | undefined {
  // A URL parser drops tabs and line breaks without a word; a client config would keep them.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(text))
    return "holds a space, line break or other control character";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `must be an http:// or https:// URL (not ${url.protocol})`;
  if ((url.username || url.password) && options.credentials !== "later") {
    const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(text)?.[1] ?? "";
    if (!USER_AND_SECRET.test(userinfo)) return URL_CREDENTIALS;
  }
  return undefined;
}

/** Why `name` cannot be an HTTP header's name (undefined: it can): an RFC 9110 token. */
export function headerNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) ? undefined : "is not a valid HTTP header name";
}

/**
 * Why `value` cannot be an HTTP header's value (undefined: it can): a line break would end the
 * header and start another one, of the value's choosing.
 */
export function headerValueProblem(value: string): string | undefined {
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)
    ? "holds a line break or another control character (a header value is one line of text)"
    : undefined;
}
