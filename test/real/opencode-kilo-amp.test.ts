/**
 * The real opencode, Kilo and Amp CLIs judge what sync wrote into a person's own file (opt-in, like
 * the other real clients): a direct server, a shared one (a url entry to the gateway) and a remote
 * one are reported connected beside the person's own server; the comments and keys they wrote
 * stay, a second sync writes nothing, and uninstall leaves the person's server alone.
 */

import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, test } from "vitest";
import { remoteEraFixture } from "../bridge-server/gateway/era-fixtures.js";
import { eraFixtures } from "../bridge-server/gateway/gateway-helpers.js";
import { createFakeMachine, type FakeMachine, writeManifest, writeSecrets } from "../helpers/fake-machine.js";
import { startKeyedRemote } from "../helpers/keyed-remote.js";
import { freePort } from "../helpers/net.js";
import { realCli } from "../helpers/real-cli.js";

const run = promisify(execFile);
/** A remote's key, shared through the gateway: in no file sync writes. */
const REMOTE_KEY = "rk_0pen_c0de_5e7b1a9f";
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface Judge {
  id: "opencode" | "kilo-code" | "amp";
  cli: ReturnType<typeof realCli>;
  /** The user file, under the home folder. */
  file: string[];
  /** The person's file before sync: a comment, CRLF, a key of theirs and a server of theirs. */
  mine(fixture: string): string;
  /** The judge's report for the home's user file, run in `cwd`. */
  list(bin: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string>;
  connected(name: string): RegExp;
}

/** The file as shown in the test's output: the bridge's client token is not printed. */
const masked = (file: string) => file.replace(/Bearer [^"\s]+/g, "Bearer …");
const text = async (p: Promise<{ stdout: string; stderr: string }>) => {
  const { stdout, stderr } = await p;
  return `${stdout}${stderr}`.replace(/\u001b\[[0-9;]*m/g, "");
};
const opencodeStyle = (schema: string) => (fixture: string) =>
  `// my settings\r\n{\r\n  "$schema": "${schema}",\r\n  "mcp": {\r\n    "mine": { "type": "local", "command": ["${process.execPath}", "${fixture}"] }, // mine\r\n  },\r\n}\r\n`;

const JUDGES: Judge[] = [
  {
    id: "opencode",
    cli: realCli({
      pkg: "opencode-ai",
      version: "1.18.33",
      command: "opencode",
      binVariable: "MCP_TWIN_OPENCODE_BIN",
    }),
    file: [".config", "opencode", "opencode.jsonc"],
    mine: opencodeStyle("https://opencode.ai/config.json"),
    list: (bin, env, cwd) => text(run(bin, ["mcp", "list"], { env, cwd, timeout: 180_000 })),
    connected: (name) => new RegExp(`✓ ${name}\\s+connected`),
  },
  {
    id: "kilo-code",
    // 7.8.1's platform binary is not on the registry; 7.7.7's is.
    cli: realCli({
      pkg: "@kilocode/cli",
      version: "7.7.7",
      command: "kilo",
      binVariable: "MCP_TWIN_KILO_BIN",
    }),
    file: [".config", "kilo", "kilo.jsonc"],
    mine: opencodeStyle("https://app.kilo.ai/config.json"),
    list: (bin, env, cwd) => text(run(bin, ["mcp", "list"], { env, cwd, timeout: 180_000 })),
    connected: (name) => new RegExp(`✓ ${name}\\s+connected`),
  },
  {
    id: "amp",
    cli: realCli({
      pkg: "@sourcegraph/amp",
      version: "0.0.1790142911-g7618fb",
      command: "amp",
      binVariable: "MCP_TWIN_AMP_BIN",
    }),
    file: [".config", "amp", "settings.json"],
    mine: (fixture) =>
      `// my amp\r\n{\r\n  "amp.notifications.enabled": false,\r\n  "amp.mcpServers": {\r\n    "mine": { "command": "${process.execPath}", "args": ["${fixture}"] }, // mine\r\n  },\r\n}\r\n`,
    // Any key: `mcp doctor` connects the servers of the file without asking the service.
    list: (bin, env, cwd) =>
      text(
        run(bin, ["mcp", "doctor"], {
          env: { ...env, AMP_API_KEY: "sgamp_user_mcp_twin_test" },
          cwd,
          timeout: 180_000,
        }),
      ),
    connected: (name) => new RegExp(`^${name} \\(user settings\\): connected`, "m"),
  },
];

for (const judge of JUDGES) {
  const skip = "reason" in judge.cli ? judge.cli.reason : undefined;
  if (skip) console.warn(`real ${judge.id} tests skipped: ${skip}`);
  describe.skipIf(skip !== undefined)(`real ${judge.id}${skip ? ` (skipped: ${skip})` : ""}`, () => {
    test("reports the direct, shared and remote entries sync wrote connected, beside the person's own", async () => {
      if ("reason" in judge.cli) return;
      const { bin, version } = judge.cli;
      const { v1 } = await eraFixtures();
      const remote = await remoteEraFixture(v1);
      cleanups.push(() => remote.stop());
      const keyed = await startKeyedRemote(REMOTE_KEY);
      cleanups.push(() => keyed.close());
      const m: FakeMachine = createFakeMachine({
        kind: "linux",
        claudeDesktop: false,
        cursor: false,
        claudeCode: false,
        registryUrl: inject("registryUrl"),
      });
      cleanups.push(() => m.cleanup());
      const home = m.paths.linuxHome;
      const file = path.join(home, ...judge.file);
      mkdirSync(path.dirname(file), { recursive: true });
      const fixture = inject("fixtureSdkScript");
      const before = judge.mine(fixture);
      writeFileSync(file, before);
      // A file no one else reads takes the gateway's url entry with its credential (else the relay).
      chmodSync(file, 0o600);
      const port = await freePort();
      writeManifest(m, {
        bridge: { port },
        servers: {
          direct: { command: process.execPath, args: [fixture] },
          shared: { package: inject("fixtureName"), share: "machine" },
          remote: { url: remote.url },
          keyed: {
            url: keyed.url,
            headers: { Authorization: "Bearer ${secret:REMOTE_KEY}" },
            share: "machine",
          },
        },
      });
      writeSecrets(m, { REMOTE_KEY });
      const synced = await m.run(["sync", "--client", judge.id]);
      expect(synced.code, synced.stderr).toBe(0);
      const written = readFileSync(file, "utf8");
      expect(written.startsWith(before.slice(0, before.indexOf("}, // mine") + 10))).toBe(true);
      expect(written).toContain(`"url": "http://127.0.0.1:${port}/share/shared"`);
      // A remote shared for its key: a url entry to the gateway, which adds the key; the file has none.
      expect(written).toContain(`"url": "http://127.0.0.1:${port}/share/keyed"`);
      expect(written).not.toContain(REMOTE_KEY);
      const started = await m.run(["bridge", "start", "--json"]);
      expect(started.code, started.stderr).toBe(0);
      const pid = (JSON.parse(started.stdout) as { pid: number }).pid;
      cleanups.push(() => {
        try {
          process.kill(pid, "SIGTERM");
        } catch {
          // gone already
        }
      });
      const project = path.join(home, "work");
      mkdirSync(project, { recursive: true });
      const report = await judge.list(bin, { ...m.env, HOME: home }, project);
      console.info(`${judge.id} ${version} on the file sync wrote:\n${masked(written)}\n${report}`);
      for (const name of ["mine", "direct", "shared", "remote", "keyed"])
        expect(report).toMatch(judge.connected(name));

      // Its first run may add keys of its own ($schema…): the client's edit, not drift.
      const afterJudge = readFileSync(file, "utf8");
      const again = await m.run(["sync", "--client", judge.id]);
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(afterJudge);
      const gone = await m.run(["uninstall", "--yes"]);
      expect(gone.code, gone.stderr).toBe(0);
      const left = existsSync(file) ? readFileSync(file, "utf8") : "";
      expect(left).toContain("}, // mine");
      expect(left).not.toContain(`"direct"`);
      expect(left).not.toContain(`"remote"`);
    }, 400_000);
  });
}

/** An OpenAI-style endpoint on loopback that answers "ok" and notes the tools each request offers. */
async function standInModel(): Promise<{ url: string; tools: Set<string>; close(): void }> {
  const { createServer } = await import("node:http");
  const tools = new Set<string>();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const sent = JSON.parse(body || "{}") as {
        stream?: boolean;
        tools?: Array<{ function?: { name?: string } }>;
      };
      for (const t of sent.tools ?? []) if (t.function?.name) tools.add(t.function.name);
      const base = { id: "1", created: 1, model: "stand-in" };
      if (sent.stream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const delta = (d: object, finish: string | null) =>
          res.write(
            `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta: d, finish_reason: finish }] })}\n\n`,
          );
        delta({ role: "assistant", content: "ok" }, null);
        delta({}, "stop");
        res.end("data: [DONE]\n\n");
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/v1`, tools, close: () => server.close() };
}

const cn = realCli({
  pkg: "@continuedev/cli",
  version: "1.5.47",
  command: "cn",
  binVariable: "MCP_TWIN_CN_BIN",
});
const cnSkip = "reason" in cn ? cn.reason : undefined;
if (cnSkip) console.warn(`real Continue CLI tests skipped: ${cnSkip}`);

describe.skipIf(cnSkip !== undefined)(`real Continue CLI${cnSkip ? ` (skipped: ${cnSkip})` : ""}`, () => {
  test("`cn -p` loads every server sync wrote into the person's config.yaml (it refuses to run when one fails) and offers their tools", async () => {
    if ("reason" in cn) return;
    const model = await standInModel();
    cleanups.push(() => model.close());
    const { v1 } = await eraFixtures();
    const remote = await remoteEraFixture(v1);
    cleanups.push(() => remote.stop());
    const m = createFakeMachine({
      kind: "linux",
      claudeDesktop: false,
      cursor: false,
      claudeCode: false,
      registryUrl: inject("registryUrl"),
    });
    cleanups.push(() => m.cleanup());
    const home = m.paths.linuxHome;
    const file = path.join(home, ".continue", "config.yaml");
    mkdirSync(path.dirname(file), { recursive: true });
    const before = [
      "name: Mine # my config",
      "version: 0.0.1",
      "schema: v1",
      "models:",
      "  - name: stand-in",
      "    provider: openai",
      "    model: gpt-4o",
      `    apiBase: ${model.url}`,
      "    apiKey: sk-stand-in",
      "    roles: [chat]",
      "mcpServers:",
      "  - name: mine",
      `    command: ${process.execPath}`,
      `    args: ["${inject("fixtureSdkScript")}"]`,
      "",
    ].join("\r\n");
    writeFileSync(file, before);
    chmodSync(file, 0o600);
    const port = await freePort();
    writeManifest(m, {
      bridge: { port },
      servers: {
        direct: { command: process.execPath, args: [inject("fixtureSdkScript")] },
        shared: { package: inject("fixtureName"), share: "machine" },
        remote: { url: remote.url },
      },
    });
    const synced = await m.run(["sync", "--client", "continue"]);
    expect(synced.code, synced.stderr).toBe(0);
    const written = readFileSync(file, "utf8");
    expect(written.startsWith(before)).toBe(true);
    expect(written).toContain(`url: http://127.0.0.1:${port}/share/shared`);
    const started = await m.run(["bridge", "start", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const pid = (JSON.parse(started.stdout) as { pid: number }).pid;
    cleanups.push(() => {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // gone already
      }
    });
    const out = await text(
      run(cn.bin, ["-p", "hello", "--auto"], { env: { ...m.env, HOME: home }, cwd: home, timeout: 180_000 }),
    );
    console.info(
      `cn ${cn.version} on the file sync wrote:\n${masked(written)}\n${out}\ntools offered: ${[...model.tools].join(", ")}`,
    );
    expect(out).toContain("ok");
    expect(out).not.toContain("failed to load");
    // The fixture's tools (mine, direct, shared) and the remote's own (`count`).
    expect([...model.tools]).toEqual(expect.arrayContaining(["echo", "whoami", "count"]));
    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(before);
  }, 400_000);
});
