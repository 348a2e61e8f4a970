/**
 * The relay's seam for a remote server's login (OAuth): where its request headers come from, and
 * what happens when the server refuses them. The relay loads a provider only for `connect --auth
 * <server>` (remote-auth-provider.ts), so the login code stays off every other relay's path.
 */

export interface RemoteAuth {
  /** The headers for the next request (an access token: `Authorization: Bearer …`). */
  headers(): Promise<Record<string, string>>;
  /**
   * Called once after the server answered 401: fresh headers (the relay sends the request once
   * more with them), or an error whose message the client and stderr read before the relay ends
   * (e.g. "run `mcp-twin login <server>`").
   */
  refused(): Promise<Record<string, string>>;
}

/** What a provider is given: the manifest server's name, and the relay's environment and log. */
interface RemoteAuthContext {
  server: string;
  /** The server's URL, as connect was given it. */
  url: URL;
  env: Readonly<Record<string, string | undefined>>;
  log: (line: string) => void;
  /** A value (a token) to mask in everything printed. */
  secret: (value: string) => void;
}

/** The provider module's shape. */
export type OpenRemoteAuth = (ctx: RemoteAuthContext) => Promise<RemoteAuth>;
