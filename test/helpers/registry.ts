/**
 * A loopback npm registry serving packed tarballs: enough of the registry protocol for
 * `npm view` and `npm install` (packument + tarball, with integrity). Counts requests, so tests can
 * prove a no-op sync needs no network.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface RegistryPackage {
  name: string;
  version: string;
  tgz: string;
  bin?: Record<string, string>;
  /** More of the version's manifest, as the registry serves it (optionalDependencies, os, cpu, libc). */
  manifest?: Record<string, unknown>;
}

export interface Registry {
  url: string;
  requests: () => number;
  /** Tarball requests received so far (held ones included). */
  tarballs: () => number;
  /** Answer the held tarball requests, and every later one at once. */
  release: () => void;
  close: () => Promise<void>;
}

export interface RegistryOptions {
  /**
   * Hold every tarball request until `release()`: an install is then in flight for as long as a
   * test needs (to interrupt it), with no sleep that could race.
   */
  holdTarballs?: boolean;
  /** Answer every request this much later (a slow network), so progress can be watched. */
  delayMs?: number;
}

export async function startRegistry(
  packages: RegistryPackage[],
  options: RegistryOptions = {},
): Promise<Registry> {
  let count = 0;
  let tarballs = 0;
  let held: Array<() => void> | undefined = options.holdTarballs ? [] : undefined;
  const byName = new Map<string, RegistryPackage[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const server: Server = createServer((req, res) => {
    count++;
    if (options.delayMs) setTimeout(() => answer(req, res), options.delayMs);
    else answer(req, res);
  });
  const answer = (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => {
    const url = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    const base = `http://${req.headers.host}`;
    const tarball = /^\/(.+)\/-\/([^/]+\.tgz)$/.exec(url);
    if (tarball) {
      const pkg = (byName.get(tarball[1]!) ?? []).find((p) => path.basename(p.tgz) === tarball[2]);
      if (!pkg) return notFound(res);
      tarballs++;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(readFileSync(pkg.tgz));
      };
      if (held) held.push(answer);
      else answer();
      return;
    }
    const list = byName.get(url.slice(1));
    if (!list) return notFound(res);
    const versions: Record<string, unknown> = {};
    for (const p of list) {
      const bytes = readFileSync(p.tgz);
      versions[p.version] = {
        name: p.name,
        version: p.version,
        ...(p.bin ? { bin: p.bin } : {}),
        ...p.manifest,
        dist: {
          tarball: `${base}/${p.name}/-/${path.basename(p.tgz)}`,
          shasum: createHash("sha1").update(bytes).digest("hex"),
          integrity: `sha512-${createHash("sha512").update(bytes).digest("base64")}`,
        },
      };
    }
    const latest = list
      .map((p) => p.version)
      .sort(compareVersions)
      .at(-1)!;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ name: list[0]!.name, "dist-tags": { latest }, versions }));
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => count,
    tarballs: () => tarballs,
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function notFound(res: import("node:http").ServerResponse): void {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "Not found" }));
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
