/**
 * The loopback redirect of a login (RFC 8252): a listener on 127.0.0.1 (a Windows browser reaches it
 * through WSL's localhost forwarding) that hands over the one answer with this login's `state` and
 * ignores every other request; or the same answer from an address pasted back (`--no-browser`).
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";

const CALLBACK_PATH = "/callback";

export interface CallbackListener {
  redirectUri: string;
  /** The authorization response's parameters, once the browser came back. */
  response: Promise<URLSearchParams>;
  close(): Promise<void>;
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;

/** Is `given` this login's state? (In constant time: a racer learns nothing from the timing.) */
function sameState(given: string | null, state: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(state);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Why a request to the callback is not this login's answer (undefined: it is): another path or
 * method, no `state` or another one, neither a code nor an error. The port and the state are in
 * the browser's command line, which other local programs can read: such requests get a harmless
 * page and the login goes on waiting.
 */
export function notTheAnswer(method: string | undefined, url: URL, state: string): string | undefined {
  if (url.pathname !== CALLBACK_PATH || method !== "GET") return "another address";
  if (!sameState(url.searchParams.get("state"), state))
    return url.searchParams.has("state") ? "another login's state" : "no state";
  if (!url.searchParams.get("code") && !url.searchParams.has("error")) return "no code";
  return undefined;
}

/**
 * Listen on 127.0.0.1 (the literal address, not `localhost`, which may resolve to ::1 on one side
 * and not the other). `port`: the one an earlier registration holds, when it is free. `ignored`:
 * told (once) when a request that is not the answer came.
 */
export async function listenForCallback(options: {
  state: string;
  port?: number;
  ignored?: (why: string) => void;
}): Promise<CallbackListener> {
  const port = options.port ?? 0;
  let deliver: ((params: URLSearchParams) => void) | undefined;
  const response = new Promise<URLSearchParams>((resolve) => {
    deliver = resolve;
  });
  let told = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://127.0.0.1");
    } catch {
      url = new URL("http://127.0.0.1/");
    }
    const why = deliver ? notTheAnswer(req.method, url, options.state) : "the login was answered already";
    if (why !== undefined) {
      res.writeHead(url.pathname === CALLBACK_PATH ? 400 : 404, {
        "content-type": "text/html; charset=utf-8",
      });
      res.end(
        PAGE(
          "mcp-twin: not this login's answer",
          "This is not the answer the login waits for; nothing was done.",
        ),
      );
      if (!told && deliver) options.ignored?.(why);
      told = true;
      return;
    }
    const params = url.searchParams;
    const failed = params.has("error");
    res.writeHead(failed ? 400 : 200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      failed
        ? PAGE("mcp-twin: login failed", "Go back to the terminal to see why.")
        : PAGE("mcp-twin: logged in", "You can close this tab and go back to the terminal."),
    );
    // Not answered yet (`why` said so otherwise): this is the answer, given once.
    const give = deliver;
    deliver = undefined;
    give?.(params);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const bound = await new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      // The earlier port is taken now: any free one (the registration is renewed for it).
      if (port !== 0 && error.code === "EADDRINUSE") {
        server.off("error", onError);
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
      } else reject(error);
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    redirectUri: `http://127.0.0.1:${bound}${CALLBACK_PATH}`,
    response,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The port of an earlier registration's loopback redirect, if it had one. */
export function portOf(redirectUris: readonly string[] | undefined): number {
  for (const u of redirectUris ?? []) {
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/callback$/.exec(u);
    if (m) return Number(m[1]);
  }
  return 0;
}

/**
 * The parameters of an address pasted back: the whole redirected address, or just its query. An
 * address for another redirect (not this login's) is refused.
 */
export function pastedResponse(text: string, redirectUri: string): URLSearchParams | undefined {
  const t = text.trim();
  if (!t) return undefined;
  if (/^https?:\/\//i.test(t)) {
    let url: URL;
    try {
      url = new URL(t);
    } catch {
      return undefined;
    }
    const want = new URL(redirectUri);
    if (url.pathname !== want.pathname || url.port !== want.port) return undefined;
    return url.searchParams;
  }
  const query = t.startsWith("?") ? t.slice(1) : t;
  const params = new URLSearchParams(query);
  return params.has("code") || params.has("error") ? params : undefined;
}
