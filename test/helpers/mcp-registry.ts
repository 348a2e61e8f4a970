/**
 * A local MCP Registry: answers `GET /v0.1/servers` (and `/v0`) and
 * `GET /v0.1/servers/{name}/versions/{version|latest}` the way the official registry's published
 * OpenAPI document (API 2025-12-01) says, from recorded entries in the published shapes
 * (test/fixtures/mcp-registry/servers.json: `{ server, _meta }` answers, server.json 2025-12-11).
 *
 * - `search`: case-insensitive substring of the name (what the published document promises);
 * - `version=latest`: only entries whose `_meta` says `isLatest`;
 * - `limit` (default 30, capped by `maxLimit`) and `cursor`: entries sorted by name and version,
 *   `metadata.nextCursor` = "name:version" of the last one given, as the official registry does;
 * - deleted servers are left out unless `include_deleted=true`;
 * - an unknown server or version: 404 with a problem+json body, as the official one answers.
 * Test switches: `versions` (serve only `/v0`), `delayMs` (never answer in time), `status`
 * (answer every request with an error). Every request URL is logged.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export const RECORDED = fileURLToPath(new URL("../fixtures/mcp-registry/servers.json", import.meta.url));

type Entry = {
  server: { name: string; version?: string; description?: string };
  _meta?: Record<string, { status?: string; isLatest?: boolean }>;
};

export interface McpRegistryOptions {
  entries?: Entry[];
  /** API version paths served (default both). */
  versions?: Array<"v0" | "v0.1">;
  maxLimit?: number;
  delayMs?: number;
  status?: number;
}

export interface McpRegistry {
  url: string;
  requests: string[];
  set(options: Partial<McpRegistryOptions>): void;
  close(): Promise<void>;
}

const official = (e: Entry) => e._meta?.["io.modelcontextprotocol.registry/official"] ?? {};

export async function startMcpRegistry(initial: McpRegistryOptions = {}): Promise<McpRegistry> {
  let options: McpRegistryOptions = { ...initial };
  const entries = (): Entry[] => options.entries ?? (JSON.parse(readFileSync(RECORDED, "utf8")) as Entry[]);
  const requests: string[] = [];
  const sockets = new Set<import("node:net").Socket>();

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      "content-type": status === 200 ? "application/json" : "application/problem+json",
    });
    res.end(JSON.stringify(body));
  };
  const notFound = (res: ServerResponse, detail: string) =>
    answer(res, 404, { title: "Not Found", status: 404, detail });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://registry.test");
    if (options.status) return answer(res, options.status, { title: "Error", status: options.status });
    const served = options.versions ?? ["v0", "v0.1"];
    const m = /^\/(v0(?:\.1)?)\/servers(?:\/([^/]+)\/versions\/([^/]+))?\/?$/.exec(url.pathname);
    if (!m || !served.includes(m[1] as "v0" | "v0.1")) return notFound(res, "no such path");
    const all = entries();
    if (m[2]) {
      const name = decodeURIComponent(m[2]);
      const version = decodeURIComponent(m[3]!);
      const found = all.find(
        (e) =>
          e.server.name === name &&
          official(e).status !== "deleted" &&
          (version === "latest" ? official(e).isLatest : e.server.version === version),
      );
      return found ? answer(res, 200, found) : notFound(res, "Server not found");
    }
    const search = url.searchParams.get("search")?.toLowerCase();
    const latest = url.searchParams.get("version") === "latest";
    const deleted = url.searchParams.get("include_deleted") === "true";
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 30), options.maxLimit ?? 100);
    const cursor = url.searchParams.get("cursor");
    const key = (e: Entry) => `${e.server.name}:${e.server.version ?? ""}`;
    const list = all
      .filter((e) => !search || e.server.name.toLowerCase().includes(search))
      .filter((e) => !latest || official(e).isLatest)
      .filter((e) => deleted || official(e).status !== "deleted")
      .sort((a, b) => key(a).localeCompare(key(b)))
      .filter((e) => !cursor || key(e).localeCompare(cursor) > 0);
    const page = list.slice(0, limit);
    const more = list.length > page.length;
    return answer(res, 200, {
      servers: page,
      metadata: { count: page.length, ...(more ? { nextCursor: key(page.at(-1)!) } : {}) },
    });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry.test");
    requests.push(`${req.method} ${url.pathname}${url.search}`); // on arrival, before any delay
    if (options.delayMs) setTimeout(() => handle(req, res), options.delayMs).unref();
    else handle(req, res);
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set(more) {
      options = { ...options, ...more };
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
