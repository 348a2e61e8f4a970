/**
 * Opt-in (MCP_TWIN_CONFORMANCE=1): the MCP conformance referee (@modelcontextprotocol/conformance
 * 0.2.0-alpha.12, which needs node 22) against the bridge's own endpoint and a shared server (the
 * SDK's conformance "everything" server) in both protocol revisions. The referee sends no token:
 * a loopback proxy of the test adds it and passes everything else through as it came.
 *
 *   MCP_TWIN_CONFORMANCE=1 MCP_TWIN_NODE22=<node 22 binary> MCP_TWIN_CONFORMANCE_CLI=<…/conformance/dist/index.js>
 *     MCP_TWIN_CONFORMANCE_SERVER=<everything-stdio.mts> npx vitest run test/bridge-server/conformance.test.ts
 *
 * It prints each scenario's result and writes them to MCP_TWIN_CONFORMANCE_OUT (default: a temp
 * folder); it fails only when the referee does not run. What passed is recorded in
 * docs/dev/gateway.md.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { cleanup, startBridge, tempDir } from "./helpers.js";

const ON = process.env.MCP_TWIN_CONFORMANCE === "1";
const NODE22 = process.env.MCP_TWIN_NODE22 ?? "";
const CLI = process.env.MCP_TWIN_CONFORMANCE_CLI ?? "";
const EVERYTHING = process.env.MCP_TWIN_CONFORMANCE_SERVER ?? "";
const missing = !ON
  ? "MCP_TWIN_CONFORMANCE is not 1"
  : [
      ["MCP_TWIN_NODE22", NODE22],
      ["MCP_TWIN_CONFORMANCE_CLI", CLI],
      ["MCP_TWIN_CONFORMANCE_SERVER", EVERYTHING],
    ]
      .filter(([, file]) => !file || !existsSync(file))
      .map(([name]) => `${name} names no file`)
      .join("; ");
if (missing) console.log(`conformance: skipped (${missing})`);

afterAll(cleanup);

/**
 * A loopback proxy adding the bearer token, everything else (Host, Origin, bodies, streams) as it
 * came. Listening first (the bridge allows its origins); `target` set once the bridge runs.
 */
async function tokenProxy(): Promise<{
  port: number;
  url(): string;
  aim(target: string, token: string): void;
  close(): void;
}> {
  let to = new URL("http://127.0.0.1:1/");
  let token = "";
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const out = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: `${to.pathname}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    res.on("close", () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: () => `http://127.0.0.1:${port}${to.pathname}`,
    aim: (target, bearer) => {
      to = new URL(target);
      token = bearer;
    },
    close: () => server.close(),
  };
}

function referee(url: string, version: string, out: string): Promise<string> {
  return new Promise((resolve) =>
    execFile(
      NODE22,
      [CLI, "server", "--url", url, "--suite", "all", "--spec-version", version, "-o", out],
      { maxBuffer: 64 * 1024 * 1024, timeout: 900_000 },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    ),
  );
}

describe.skipIf(missing !== "")("conformance referee", () => {
  test("the bridge's own endpoint and a shared server, at 2026-07-28 and 2025-11-25", async () => {
    const root = tempDir();
    const home = path.join(root, "mcp-twin-home");
    mkdirSync(home, { recursive: true });
    writeFileSync(
      path.join(home, "mcp-twin.jsonc"),
      JSON.stringify({
        servers: {
          everything: {
            command: NODE22,
            args: ["--experimental-strip-types", "--no-warnings", EVERYTHING],
            share: "machine",
          },
        },
      }),
    );
    const proxies = [await tokenProxy(), await tokenProxy()];
    // The referee's valid Origin is the proxy's: allowed, as a page of that origin would be.
    const origins = proxies.flatMap((p) => [`http://127.0.0.1:${p.port}`, `http://localhost:${p.port}`]);
    const b = await startBridge({ root, args: origins.flatMap((o) => ["--allow-origin", o]) });
    const outDir = process.env.MCP_TWIN_CONFORMANCE_OUT ?? path.join(root, "conformance");
    const summary: string[] = [];
    for (const [i, [name, endpoint]] of [
      ["bridge", b.url],
      ["shared", b.url.replace(/\/mcp$/, "/share/everything")],
    ].entries()) {
      const proxy = proxies[i]!;
      proxy.aim(endpoint!, b.token);
      try {
        // 2025-11-25 first: the 2026-07-28 run leaves calls parked for answers its referee never
        // sends (5 minutes), and a 2025-11-25 server's question cannot be told whose they are then.
        for (const version of ["2025-11-25", "2026-07-28"]) {
          const printed = await referee(proxy.url(), version, path.join(outDir, `${name}-${version}`));
          const total = /Total: (\d+) passed, (\d+) failed/.exec(printed);
          expect(total, printed.slice(-3000)).not.toBeNull();
          const failed = [...printed.matchAll(/✗ ([\w-]+): (\d+) passed, (\d+) failed/g)].map((m) => m[1]);
          summary.push(
            `${name} ${version}: ${total![1]} passed, ${total![2]} failed${failed.length ? ` (✗ ${failed.join(", ")})` : ""}`,
          );
          writeFileSync(path.join(outDir, `${name}-${version}.txt`), printed);
        }
      } finally {
        proxy.close();
      }
    }
    console.log(`conformance:\n${summary.join("\n")}`);
  }, 1_800_000);
});
