/**
 * The gateway's `/tools` in both protocol eras: an SDK server per 2025-11-25 session or 2026-07-28
 * request, each for the client its client token names (the gateway finds what that client gets).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { McpHttpHandler, Server, Transport } from "@modelcontextprotocol/server";
import type { KeptIndex } from "./kept-index.js";
import type { OnDemand } from "./search-and-call.js";

// The SDK (and zod, for the arguments' checks) loads with the first session or request: an idle
// bridge does not carry them.
const server = (o: () => OnDemand | undefined) => import("./server.js").then((m) => m.onDemandServer(o));
let listing: typeof import("./search-and-call.js") | undefined;

/**
 * What a request's headers (and its 2025-11-25 session) get at `/tools`; undefined: the token names
 * no client the manifest's toolSearch names.
 */
export type FindOnDemand = (headers: IncomingHttpHeaders | Headers, session?: string) => OnDemand | undefined;

const NONE =
  "Forbidden: /tools serves the clients the manifest's toolSearch names, each with its own client token (mcp-twin sync writes it)";

/**
 * The endpoint (bridge-server/endpoint.ts's shape); `ended`: a 2025-11-25 session's close. When
 * `kept` indexes a list again, each open session whose tools it changed is told
 * (`notifications/tools/list_changed`), and every 2026-07-28 listen.
 */
export function onDemandEndpoint(
  path: string,
  find: FindOnDemand,
  log: (line: string) => void,
  ended: (session: string) => Promise<void>,
  kept: KeptIndex,
) {
  let handler: Promise<McpHttpHandler> | undefined;
  /** Each open 2025-11-25 session: what it gets now, and its tools as it was last told them. */
  const open = new Map<Server, { o: () => OnDemand | undefined; listed: string }>();
  // Only sessions already made are listed again, so the module is loaded by then.
  const listed = (o: OnDemand | undefined) => JSON.stringify(o && listing?.onDemandTools(o));
  kept.onChange = () => {
    for (const [made, s] of open) {
      const now = listed(s.o());
      if (now === s.listed) continue;
      s.listed = now;
      void made.sendToolListChanged().catch(() => {}); // a session gone meanwhile: nothing to tell
    }
    void handler?.then((h) => h.notify.toolsChanged());
  };
  const serve = () =>
    (handler ??= import("@modelcontextprotocol/server").then(({ createMcpHandler }) =>
      createMcpHandler(
        async (ctx) => {
          const o = ctx.requestInfo && find(ctx.requestInfo.headers);
          if (!o) throw new Error(NONE);
          return server(() => o);
        },
        { legacy: "reject", onerror: (e) => log(`[tools] 2026-07-28: ${e.message}`) },
      ),
    ));
  return {
    path,
    admit: (headers: IncomingHttpHeaders) => (find(headers) ? undefined : NONE),
    connect: async (transport: Transport & { sessionId?: string }, headers: IncomingHttpHeaders) => {
      const session = transport.sessionId;
      // Found again for each of its requests: a project folder's list, once its process has
      // listed it, replaces its server's; a reload's rules apply at once.
      const o = () => find(headers, session);
      if (!o()) throw new Error(NONE);
      const made = await server(o);
      listing ??= await import("./search-and-call.js");
      await made.connect(transport);
      open.set(made, { o, listed: listed(o()) });
      return {
        close: async () => {
          open.delete(made);
          await made.close();
          if (session !== undefined) await ended(session);
        },
      };
    },
    serve2026: async (request: Request, parsedBody: unknown) =>
      (await serve()).fetch(request, { parsedBody }),
  };
}
