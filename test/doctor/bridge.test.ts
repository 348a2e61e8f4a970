/**
 * The bridge check against a real Streamable HTTP MCP server (SDK) started here on loopback, with
 * a bearer token, as `mcp-twin serve --http` runs it: skipped when not enabled; not running is
 * fine (every entry starts it); a bridge that refuses this home's token is another home's, holding
 * the port (named, with the fix); passes when its control status, asked with the token, names it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { answerChallenge, CHALLENGE_HEADER } from "../../src/core/bridge-link/index.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
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
    if (req.url === "/control/status") {
      // As the real bridge names itself: how a probe tells this home's bridge from anything else.
      const body = JSON.stringify({
        bridge: { name: "mcp-twin-bridge", version: "0.0.0", pid: process.pid },
      });
      res.writeHead(200, { "content-type": "application/json" }).end(body);
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

  test("not enabled but servers shared: it runs for them, and says so (never just 'not enabled')", async () => {
    writeManifest(machine, {
      servers: { notes: { command: "node", args: ["notes.js"], share: "machine" } },
    });
    const c = one(await doctor(machine, ["--no-probe"]), "bridge.reachable");
    expect(c.status).toBe("skip");
    expect(c.message).toBe(
      "the bridge's own tools (memory, notes, hand-offs) are not enabled in the manifest; it runs for the shared servers (see shared.status).",
    );
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
    expect(refused.fix).toMatch(
      /"bridge": \{ "port": \d+ \}`; port \d+ is free now\), then run `mcp-twin sync`/,
    );
    writeToken(TOKEN);
    const run = await doctor(machine, ["--no-probe"]);
    const c = one(run, "bridge.reachable");
    expect(c.status).toBe("pass");
    expect(c.message).toMatch(/answers with this home's token/);
    expect(one(run, "bridge.token").status).toBe("pass");
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  test("the bridge's entry is not started by doctor: never ✔ nor 'all checks pass', and its line says what answers at the bridge's address", async () => {
    const m = createFakeMachine({});
    try {
      writeManifest(m, { servers: {}, bridge: { enabled: true, port } });
      const token = path.join(m.env.XDG_DATA_HOME!, "mcp-twin", "bridge", "token");
      mkdirSync(path.dirname(token), { recursive: true });
      writeFileSync(token, `${TOKEN}\n`, { mode: 0o600 });
      expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
      const answers = "not started by doctor: it relays to the bridge, which answers (see bridge.reachable)";
      const cc = ["--client", "claude-code"];
      const run = await doctor(m, cc);
      expect(one(run, "probe.handshake", { server: "mcp-twin", env: "wsl:Ubuntu" })).toMatchObject({
        status: "skip",
        message: `${answers}.`,
      });
      const text = await m.run(["doctor", ...cc]);
      const lines = text.stdout.split("\n").filter((l) => /^ {4}\S mcp-twin/.test(l));
      expect(lines.length, text.stdout).toBeGreaterThan(0);
      for (const l of lines) expect(l).toBe(`    – mcp-twin  ${answers}`);
      expect(text.stdout).not.toMatch(/all checks pass/);
      // Said once, on the server's line, not again under it.
      expect(text.stdout.split(answers).length - 1).toBe(lines.length);
      expect(text.stdout).toMatch(
        /: everything doctor tried works; the – lines say what it did not start or contact\.\n$/,
      );
      // Nothing at its address: the entry starts it on first use.
      writeManifest(m, { servers: {}, bridge: { enabled: true, port: await freePort() } });
      expect((await m.run(["sync", ...cc])).code).toBe(0);
      expect(
        one(await doctor(m, cc), "probe.handshake", { server: "mcp-twin", env: "wsl:Ubuntu" }).message,
      ).toBe(
        "not started by doctor: it relays to the bridge, which is not running now (the entry starts it on first use; see bridge.reachable).",
      );
      // --no-probe: no server line is a pass.
      const quiet = await m.run(["doctor", "--no-probe", ...cc]);
      expect(quiet.stdout).toContain(
        "\n    – mcp-twin  not started by doctor (--no-probe); its entry's checks pass\n",
      );
      expect(quiet.stdout).not.toMatch(/^ {4}✔ mcp-twin|all checks pass|everything works/m);
    } finally {
      m.cleanup();
    }
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
