/**
 * The bridge check against a real Streamable HTTP MCP server (SDK) started here on loopback, with
 * a bearer token, as `mcp-twin serve --http` runs it: skipped when not enabled; not running is
 * fine (every entry starts it); a bridge that refuses this home's token is another home's, holding
 * the port (named, with the fix); passes when it answers `initialize` with the token.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { answerChallenge, CHALLENGE_HEADER } from "../../src/core/bridge-control/bridge-challenge.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { doctor, one } from "./helpers.js";

runInProcessByDefault();

const TOKEN = "bridge-token-3f9a1c7e5d2b";
let machine: FakeMachine;
let server: http.Server;
let port: number;

function startBridge(): Promise<http.Server> {
  const s = http.createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      // As the real bridge answers, proving it holds the token when challenged (doctor sends the
      // token only to a holder proven to be this home's bridge).
      const proof = answerChallenge(req.headers[CHALLENGE_HEADER], req.socket, TOKEN);
      const body = '{"error":"unauthorized"}';
      res
        .writeHead(401, {
          "content-type": "application/json",
          "content-length": String(body.length),
          "www-authenticate": 'Bearer realm="mcp-twin"',
          ...proof,
        })
        .end(body);
      return;
    }
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    const mcp = new McpServer({ name: "mcp-twin-bridge", version: "0.0.0" });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

beforeAll(async () => {
  machine = createFakeMachine({});
  server = await startBridge();
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  machine?.cleanup();
});

const tokenFile = () => path.join(machine.env.XDG_DATA_HOME!, "mcp-twin", "bridge", "token");
const writeToken = (token: string) => {
  mkdirSync(path.dirname(tokenFile()), { recursive: true });
  writeFileSync(tokenFile(), `${token}\n`, { mode: 0o600 });
};

describe("bridge", () => {
  test("not enabled: skipped", async () => {
    writeManifest(machine, { servers: {} });
    expect(one(await doctor(machine, ["--no-probe"]), "bridge.reachable").status).toBe("skip");
  });

  test("enabled, no token yet: fails with the fix; nothing listening: fine, the entries start it", async () => {
    const closed = await startBridge();
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    writeManifest(machine, { servers: {}, bridge: { enabled: true, port: deadPort } });
    const first = await doctor(machine, ["--no-probe"]);
    expect(one(first, "bridge.token").status).toBe("fail");
    expect(first.code).toBe(1);
    writeToken(TOKEN);
    // No client config holds the bridge's entry yet (before the first sync, or after an
    // uninstall): nothing will start it — said, with the command that writes the entries.
    const none = one(await doctor(machine, ["--no-probe"]), "bridge.reachable");
    expect(none.status).toBe("warn");
    expect(none.message).toMatch(
      /not running at http:\/\/127\.0\.0\.1:\d+\/mcp, and no client config checked holds its entry/,
    );
    expect(none.fix).toContain("mcp-twin sync");
    // A client's entry that reaches it: not running is no failure, the relay starts it.
    const claude = path.join(machine.env.HOME!, ".claude.json");
    writeFileSync(
      claude,
      JSON.stringify({ mcpServers: { "mcp-twin": { command: "node", args: ["x", "connect"] } } }),
      {
        mode: 0o600,
      },
    );
    const c = one(await doctor(machine, ["--no-probe"]), "bridge.reachable");
    expect(c.status).toBe("pass");
    expect(c.message).toMatch(
      /not running at http:\/\/127\.0\.0\.1:\d+\/mcp now; the client entries that reach it \(1 config\) start it on first use/,
    );
    rmSync(claude);
  });

  test("a bridge refusing this home's token holds the port (another home's); the right one passes; never printed", async () => {
    writeManifest(machine, { servers: {}, bridge: { enabled: true, port } });
    writeToken("stale-token-0000000000");
    const refused = one(await doctor(machine, ["--no-probe"]), "bridge.reachable");
    expect(refused.status).toBe("fail");
    expect(refused.message).toMatch(new RegExp(`port ${port} is held by another mcp-twin bridge`));
    expect(refused.fix).toMatch(/"bridge": \{ "port": <n> \}/);
    writeToken(TOKEN);
    const run = await doctor(machine, ["--no-probe"]);
    const c = one(run, "bridge.reachable");
    expect(c.status).toBe("pass");
    expect(c.message).toMatch(/answers with this home's token/);
    expect(one(run, "bridge.token").status).toBe("pass");
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  test("Windows clients cannot reach it when .wslconfig turns localhost forwarding off", async () => {
    writeManifest(machine, { servers: {}, bridge: { enabled: true, port } });
    const wslconfig = path.join(machine.paths.profile, ".wslconfig");
    writeFileSync(wslconfig, "[wsl2]\r\nlocalhostForwarding=false\r\n");
    const c = one(await doctor(machine, ["--no-probe"]), "bridge.windows");
    expect(c.status).toBe("fail");
    writeFileSync(wslconfig, "[wsl2]\r\nnetworkingMode=mirrored\r\n");
    const mirrored = one(await doctor(machine, ["--no-probe"]), "bridge.windows");
    expect(mirrored.status).toBe("pass");
    // Read from the file, never tried from Windows: the pass says what it is.
    expect(mirrored.message).toBe(
      `Windows clients should reach 127.0.0.1:${port} in WSL: %USERPROFILE%\\.wslconfig sets networkingMode=mirrored; not tried from Windows.`,
    );
    rmSync(wslconfig);
    expect(one(await doctor(machine, ["--no-probe"]), "bridge.windows").message).toBe(
      `Windows clients should reach 127.0.0.1:${port} in WSL: localhost forwarding is on (WSL's default; %USERPROFILE%\\.wslconfig does not turn it off); not tried from Windows.`,
    );
  });
});
