/**
 * `mcp-twin login <server>`: log in once to a remote server that asks for it (core/oauth), in the
 * browser (`BROWSER`; from WSL, Windows' own) or, with `--no-browser`, by pasting back the address
 * the browser ends on; the login is kept in the home for every client, never printed.
 */
import { createInterface } from "node:readline";
import type { Machine } from "../core/environments/machine.js";
import { OperationError, UsageError } from "../core/errors.js";
import type { ServerSpec } from "../core/manifest/schema.js";
import type { CallbackListener } from "../core/oauth/callback.js";
import { pastedResponse } from "../core/oauth/callback.js";
import { serverToLogIn } from "../core/oauth/login-server.js";
import { providerFault } from "../core/oauth/oauth-fetch.js";
import { loginFile, loginSecrets, type StoredLogin } from "../core/oauth/token-store.js";
import { untrusted } from "../core/text/control-chars.js";
import type { loginCommand } from "./login-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

/** What this command gets: its options typed by login-flags.ts. */
type Ctx = ContextOf<typeof loginCommand>;

/** How long the browser may take to come back. */
const WAIT_MS = 5 * 60_000;

export async function run(ctx: Ctx): Promise<number> {
  const o = ctx.options;
  const name = ctx.args[0];
  if (!name) throw new UsageError("missing-argument", "login needs a server name, e.g. mcp-twin login docs.");
  const out = ctx.output;
  const machine = await openCommandMachine(ctx);
  const { spec, url, configured } = await serverToLogIn(machine, o.manifest, name);

  const { logIn, within } = await import("../core/oauth/authorize.js");
  const { oauthTimeoutMs } = await import("../core/oauth/oauth-fetch.js");
  // On a terminal: what it waits for until the login page is shown (nothing elsewhere).
  const asking = out.progress.step(`Asking ${untrusted(url)} how to log in to ${name}…`);
  const login = await logIn({
    server: name,
    url,
    oauthDir: machine.paths.oauth,
    configured,
    log: (line) => out.info(line),
    signal: ctx.signal,
    timeoutMs: oauthTimeoutMs(ctx.host.env),
    onWait: () => out.info(`Waiting for the renewal of the earlier login to ${name} to finish…`),
    present: (authorizationUrl, listener) => {
      asking.stop();
      return within(
        present(ctx, machine, name, authorizationUrl, listener, o.browser !== false),
        WAIT_MS,
        ctx.signal,
      );
    },
  }).catch((error: unknown) => {
    asking.stop();
    throw withWhatToDo(error, name, url);
  });
  out.addSecrets(loginSecrets(login));
  report(ctx, machine, login, spec, await entriesBehind(ctx, machine, o.manifest, name));
  return 0;
}

/** A provider that stalled or flooded (oauth-fetch.ts): the error says what to do about it. */
function withWhatToDo(error: unknown, name: string, url: string): unknown {
  if (!(error instanceof OperationError) || error.hint || !providerFault(error)) return error;
  return new OperationError(error.code, error.message, {
    cause: error,
    hint: `Nothing was stored. Check that ${untrusted(url)} is the server's address and that it is up (\`mcp-twin doctor\` contacts it), then run \`mcp-twin login ${name}\` again.`,
  });
}

/**
 * Show the login page and wait for the answer: the browser comes back to the loopback listener,
 * or (with --no-browser, or when no browser can be opened, or when a Windows browser cannot reach
 * WSL) the person pastes the address it ended on.
 */
async function present(
  ctx: Ctx,
  machine: Machine,
  name: string,
  authorizationUrl: URL,
  listener: CallbackListener,
  browser: boolean,
): Promise<URLSearchParams> {
  const out = ctx.output;
  let paste = !browser;
  if (
    browser &&
    machine.local.kind === "wsl" &&
    !ctx.host.env.BROWSER &&
    (await windowsCannotReach(machine))
  ) {
    out.warn(
      "WSL's localhost forwarding is off (.wslconfig: localhostForwarding=false), so a Windows browser cannot come back to this login: paste the address instead.",
    );
    paste = true;
  }
  if (!paste) {
    const { openBrowser } = await import("../core/oauth/browser.js");
    const opened = await openBrowser(
      ctx.host,
      machine.local,
      authorizationUrl.href,
      machine.windows
        ? { interop: machine.windows, systemRoot: machine.home.windowsVars?.SYSTEMROOT }
        : undefined,
    );
    if (opened.ok) {
      out.info(
        `Log in to ${name} in the browser (opened through ${opened.via}); waiting for it to come back…`,
      );
      out.note(`  If no page opened, go to: ${authorizationUrl.href}`);
      return listener.response;
    }
    out.warn(`Could not open a browser through ${opened.via}: ${opened.error}.`);
    paste = true;
  }
  out.info(`Open this address in a browser and log in to ${name}:`);
  out.note(`  ${authorizationUrl.href}`);
  out.note(
    "Then paste here the address the browser ends on (it starts with " +
      `${listener.redirectUri}; the page itself may not load):`,
  );
  const typed = pasted(ctx, listener.redirectUri);
  try {
    return await Promise.race([listener.response, typed.answer]);
  } finally {
    typed.stop();
  }
}

/** Lines read from stdin until one is this login's redirected address (stop: stdin is let go). */
function pasted(ctx: Ctx, redirectUri: string): { answer: Promise<URLSearchParams>; stop(): void } {
  const input = ctx.terminal.stdin;
  const rl = createInterface({ input, terminal: false });
  let done = false;
  const stop = () => {
    done = true;
    rl.close();
    // A stdin still read from would keep the process alive after the login.
    input.pause();
  };
  const answer = new Promise<URLSearchParams>((resolve, reject) => {
    rl.on("line", (line) => {
      const params = pastedResponse(line, redirectUri);
      if (params) resolve(params);
      else if (line.trim())
        ctx.output.warn(`That is not an address starting with ${redirectUri}; paste the whole address.`);
    });
    rl.on("close", () => {
      if (!done)
        reject(
          new UsageError(
            "no-answer",
            "stdin ended before the redirected address was pasted; nothing was stored.",
          ),
        );
    });
  });
  // The caller awaits it; this only keeps an early rejection from being unhandled.
  answer.catch(() => {});
  return { answer, stop };
}

/**
 * Whether some client config does not yet hold the entry the next sync writes for the server (the
 * relay with this login): then the login reaches no client until `mcp-twin sync`. When the configs
 * cannot be read, sync is the way to find out, so it is advised.
 */
async function entriesBehind(
  ctx: Ctx,
  machine: Machine,
  manifest: string | undefined,
  name: string,
): Promise<boolean> {
  const { computeStatus } = await import("../core/status/status-matrix.js");
  try {
    const { rows } = await computeStatus(machine, { manifest, envs: [], clients: [] }, ctx.output.progress);
    return rows.some((row) => row.server === name && row.state !== "synced");
  } catch {
    return true;
  }
}

function report(ctx: Ctx, machine: Machine, login: StoredLogin, spec: ServerSpec, needsSync: boolean): void {
  const out = ctx.output;
  const scopes = (login.tokens.scope ?? "").split(" ").filter(Boolean);
  const expires = login.expiresAt === undefined ? undefined : new Date(login.expiresAt);
  if (out.json) {
    out.result({
      server: login.server,
      url: login.url,
      loggedIn: true,
      file: loginFile(machine.paths.oauth, login.server),
      authorizationServer: login.metadata.issuer,
      client: login.client.source,
      scopes,
      ...(expires ? { expiresAt: expires.toISOString() } : {}),
      refreshable: login.tokens.refresh_token !== undefined,
      syncNeeded: needsSync,
    });
    return;
  }
  const { ok } = out.theme;
  out.print(
    `${ok} Logged in to ${login.server} (${untrusted(login.metadata.issuer)}${scopes.length > 0 ? `; scopes ${scopes.join(" ")}` : ""}).`,
  );
  out.print(
    `  The login is kept in ${machine.shown(loginFile(machine.paths.oauth, login.server))} (readable by you only), for every client on ${machine.home.source === "windows" ? "Windows and WSL" : "this machine"}.`,
  );
  if (expires)
    out.print(
      login.tokens.refresh_token
        ? `  Its access token is renewed when it expires (next: ${expires.toLocaleString()}).`
        : `  It expires ${expires.toLocaleString()} and the provider gave no way to renew it: log in again then.`,
    );
  if (spec.auth === "client")
    out.print(
      `  ${login.server} has "auth": "client": clients that log in themselves still ask; the ones that cannot (Claude Desktop) use this login.`,
    );
  else if (needsSync)
    out.print(`Run \`mcp-twin sync\` so that every client reaches ${login.server} with this login.`);
}

/** From WSL: does .wslconfig turn localhost forwarding off (NAT mode), so Windows cannot reach us? */
async function windowsCannotReach(machine: Machine): Promise<boolean> {
  const { forwardingOff, readWslConfig } = await import("../core/environments/wsl-config.js");
  return forwardingOff(await readWslConfig(machine));
}
