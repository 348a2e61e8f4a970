/**
 * The loopback redirect of a login (RFC 8252): a listener on 127.0.0.1 (which a Windows browser
 * reaches inside WSL through localhost forwarding) that hands the authorization response over, or
 * the same response from an address pasted back (`login --no-browser`).
 */
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

/**
 * Listen on 127.0.0.1 (the literal address, not `localhost`, which may resolve to ::1 on one side
 * and not the other). `port`: the one an earlier registration holds, when it is free.
 */
export async function listenForCallback(port = 0): Promise<CallbackListener> {
  let deliver: (params: URLSearchParams) => void = () => {};
  const response = new Promise<URLSearchParams>((resolve) => {
    deliver = resolve;
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== CALLBACK_PATH || req.method !== "GET") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    const params = url.searchParams;
    const failed = params.has("error") || !params.has("code");
    res.writeHead(failed ? 400 : 200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      failed
        ? PAGE("mcp-twin: login failed", "Go back to the terminal to see why.")
        : PAGE("mcp-twin: logged in", "You can close this tab and go back to the terminal."),
    );
    deliver(params);
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
