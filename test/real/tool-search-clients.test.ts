/**
 * Tools on demand judged by real clients (opt-in, like the other real clients): opencode and the
 * Cline CLI, each pointed at a stand-in for its model's endpoint (Qwen Code 0.24 searches its tools
 * itself: the manifest refuses it). The client's first request offers
 * search_tools, call_tool and the kept tool only; the stand-in answers as a model would (a
 * search_tools call, then a call_tool of what it found), and the tool's answer arrives in the
 * client's next request.
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, test } from "vitest";
import { clineCli, stopHubsFor } from "../helpers/cline-cli.js";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { realCli } from "../helpers/real-cli.js";
import { contentText, type SearchModel, startSearchModel } from "../helpers/search-model.js";

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** What the model asks the echo tool to say: it must come back in the client's next request. */
const MARK = "on-demand-7c1f";

/** Bare tool names as the model saw them (each client prefixes MCP tools its own way). */
const bare = (names: readonly string[]) => names.map((n) => n.replace(/^(mcp__)?tools(__|_)/, "")).sort();

/** A fake Linux machine with the fixture as two servers, toolSearch for `client`, synced. */
async function synced(
  client: string,
  file: string[],
  before: string,
): Promise<{ m: FakeMachine; file: string }> {
  const m = createFakeMachine({
    kind: "linux",
    claudeDesktop: false,
    cursor: false,
    claudeCode: false,
    registryUrl: inject("registryUrl"),
  });
  cleanups.push(() => m.cleanup());
  const at = path.join(m.paths.linuxHome, ...file);
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, before);
  chmodSync(at, 0o600);
  const port = await freePort();
  writeManifest(m, {
    bridge: { port },
    servers: {
      direct: { command: process.execPath, args: [inject("fixtureSdkScript")] },
      shared: { package: inject("fixtureName"), share: "machine" },
    },
    toolSearch: { clients: [client], keep: ["direct/whoami"] },
  });
  const sync = await m.run(["sync", "--client", client]);
  expect(sync.code, sync.stdout + sync.stderr).toBe(0);
  cleanups.push(() => m.run(["bridge", "stop"]));
  return { m, file: at };
}

/** The stand-in's requests judged: offered only the two and the kept one; echo's answer came back. */
function judge(model: SearchModel, output: string): void {
  // The first request of the turn (opencode asks the model for a title first, offering no tool).
  const first = model.requests.find((r) => r.tools.length > 0);
  console.info(
    `requests: ${model.requests.length}; first offered: ${first?.tools.join(", ")}; found: ${model.found}`,
  );
  expect(first, output).toBeDefined();
  // The client's own tools aside (opencode's bash, read…), every MCP tool it offers is the entry's.
  const mcp = (first?.tools ?? []).filter(
    (t) => /^(mcp__)?tools(__|_)/.test(t) || ["echo", "whoami", "add", "env"].includes(t),
  );
  expect(bare(mcp)).toEqual(["call_tool", "search_tools", "whoami"]);
  expect(model.found, output).toMatch(/^(direct|shared)\/echo$/);
  const last = model.requests.at(-1);
  const answers = (last?.messages ?? []).filter((m) => m.role === "tool").map((m) => contentText(m.content));
  expect(
    answers.some((a) => a.includes(MARK)),
    `${JSON.stringify(last?.messages)}\n${output}`,
  ).toBe(true);
}

/** A client's run to its end, stdin closed (opencode waits for a piped message otherwise). */
const run = (bin: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }) =>
  new Promise<string>((resolve) => {
    const child = spawn(bin, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const stop = setTimeout(() => child.kill(), 300_000);
    child.on("close", (code) => {
      clearTimeout(stop);
      resolve(`${out}\n(exit ${code})`);
    });
  });

const opencode = realCli({
  pkg: "opencode-ai",
  version: "1.18.33",
  command: "opencode",
  binVariable: "MCP_TWIN_OPENCODE_BIN",
});
const opencodeSkip = "reason" in opencode ? opencode.reason : undefined;
if (opencodeSkip) console.warn(`real opencode tools-on-demand test skipped: ${opencodeSkip}`);

describe.skipIf(opencodeSkip !== undefined)(
  `real opencode, tools on demand${opencodeSkip ? ` (skipped: ${opencodeSkip})` : ""}`,
  () => {
    test("its first request offers search_tools, call_tool and the kept tool; echo's answer comes back", async () => {
      if ("reason" in opencode) return;
      const model = await startSearchModel("echo text back", { text: MARK });
      cleanups.push(() => model.close());
      // The stand-in as an OpenAI-compatible provider of its own (opencode bundles that SDK).
      const before = `${JSON.stringify(
        {
          $schema: "https://opencode.ai/config.json",
          model: "standin/stand-in",
          provider: {
            standin: {
              npm: "@ai-sdk/openai-compatible",
              options: { baseURL: model.baseUrl, apiKey: "stand-in-key" },
              models: { "stand-in": { tool_call: true } },
            },
          },
        },
        null,
        2,
      )}\n`;
      const { m, file } = await synced("opencode", [".config", "opencode", "opencode.jsonc"], before);
      const mcp = JSON.parse(readFileSync(file, "utf8")).mcp;
      expect(Object.keys(mcp)).toEqual(["tools"]);
      expect(mcp.tools.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tools$/);
      const home = m.paths.linuxHome;
      const work = path.join(home, "work");
      mkdirSync(work, { recursive: true });
      const env = {
        ...m.env,
        HOME: home,
        OPENCODE_DISABLE_AUTOUPDATE: "1",
        OPENCODE_DISABLE_MODELS_FETCH: "1",
      };
      const output = await run(opencode.bin, ["run", "--model", "standin/stand-in", "say hello"], {
        env,
        cwd: work,
      });
      console.info(`opencode ${opencode.version}:\n${output}`);
      judge(model, output);
    }, 600_000);
  },
);

const cline = clineCli();
const clineSkip = "reason" in cline ? cline.reason : undefined;
if (clineSkip) console.warn(`real Cline CLI tools-on-demand test skipped: ${clineSkip}`);

describe.skipIf(clineSkip !== undefined)(
  `real Cline CLI, tools on demand${clineSkip ? ` (skipped: ${clineSkip})` : ""}`,
  () => {
    test("its first request offers search_tools, call_tool and the kept tool; echo's answer comes back", async () => {
      if ("reason" in cline) return;
      const model = await startSearchModel("echo text back", { text: MARK });
      cleanups.push(() => model.close());
      const before = `${JSON.stringify({ mcpServers: {} }, null, 2)}\n`;
      const { m, file } = await synced(
        "cline",
        [".cline", "data", "settings", "cline_mcp_settings.json"],
        before,
      );
      const servers = JSON.parse(readFileSync(file, "utf8")).mcpServers;
      expect(Object.keys(servers)).toEqual(["tools"]);
      const home = m.paths.linuxHome;
      const work = path.join(home, "work");
      mkdirSync(work, { recursive: true });
      const env = { PATH: process.env.PATH ?? "", HOME: home, CLINE_NO_AUTO_UPDATE: "1", NO_COLOR: "1" };
      // Its `auth` command points it at the stand-in (~/.cline/data/settings/providers.json).
      execFileSync(
        cline.bin,
        ["auth", "-p", "openai", "-k", "stand-in-key", "-m", "stand-in", "-b", model.baseUrl],
        {
          env,
          stdio: "pipe",
          timeout: 300_000,
        },
      );
      const output = await run(cline.bin, ["--json", "say hello"], { env, cwd: work });
      // Its hub daemon, started for the turn and left running, is stopped by pid (as clineTurn does).
      stopHubsFor(work);
      console.info(`cline ${cline.version}:\n${output.slice(-2000)}`);
      judge(model, output);
    }, 600_000);
  },
);
