/**
 * The relay's side of a login (`connect --auth <server>`): the token from the stored login (a file
 * read while it is valid) and, when it is due or refused, a renewal under the lock (refresh.ts,
 * loaded only then); a login that cannot be used becomes an error saying what to run.
 */
import { cannotRenew, loginNeeded } from "./login-errors.js";
import { readLogin, refreshDue, type StoredLogin, sameUrl } from "./token-store.js";

export interface LoginHeaders {
  /** The headers to send now (the token refreshed first when it is due). */
  headers(): Promise<Record<string, string>>;
  /** The server answered 401 to the headers last given: refresh (or take another relay's tokens). */
  refused(): Promise<Record<string, string>>;
}

/**
 * The login kept in the home, as every command finds the home (on a Windows PC: the one Windows
 * and WSL share); the relay prints nothing, so it needs no command's way of naming files.
 */
export async function homeLoginHeaders(
  env: Record<string, string | undefined>,
  options: { server: string; url: string; addSecret(value: string): void },
): Promise<LoginHeaders> {
  const { hostFrom } = await import("../system/host.js");
  const { openMachine } = await import("../environments/machine.js");
  const { oauthTimeoutMs } = await import("./oauth-fetch.js");
  const machine = await openMachine(hostFrom(env, process.cwd(), process.argv[1] ?? ""));
  return loginHeaders({ oauthDir: machine.paths.oauth, timeoutMs: oauthTimeoutMs(env), ...options });
}

export function loginHeaders(options: {
  oauthDir: string;
  server: string;
  url: string;
  /** Every token used is masked in what the relay prints. */
  addSecret(value: string): void;
  now?: () => number;
  /** A renewal's request limit (oauthTimeoutMs; default 15 s). */
  timeoutMs?: number;
}): LoginHeaders {
  const now = options.now ?? Date.now;
  let current: string | undefined;
  const use = (login: StoredLogin) => {
    current = login.tokens.access_token;
    options.addSecret(current);
    if (login.tokens.refresh_token) options.addSecret(login.tokens.refresh_token);
    return { Authorization: `Bearer ${current}` };
  };
  const refresh = async (stale: string | undefined) => {
    const { refreshLogin } = await import("./refresh.js");
    return use(await refreshLogin({ ...options, stale }));
  };
  return {
    async headers() {
      const login = readLogin(options.oauthDir, options.server);
      if (!login) throw loginNeeded(options.server, `Not logged in to ${options.server}`);
      if (!sameUrl(login.url, options.url))
        throw loginNeeded(
          options.server,
          `The login to ${options.server} is for ${login.url}, not ${options.url}`,
        );
      if (login.failure?.revoked) throw cannotRenew(options.server, login.failure);
      if (refreshDue(login, now())) return refresh(login.tokens.access_token);
      return use(login);
    },
    refused: () => refresh(current),
  };
}
