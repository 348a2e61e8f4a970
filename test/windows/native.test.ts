/**
 * mcp-twin on a real Windows node.exe and npm (../shared/win-wine, under wine), as a Windows user
 * meets it: the packed package installed with Windows npm, then init, sync, status, doctor, every
 * written entry started the way a Windows client starts it, the bridge, the relay, uninstall — on
 * a C: drive with 8.3 names and on one without. Opt-in (MCP_TWIN_WINE=1, `npm run test:windows`).
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { REPO } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { findTestBed, type WineDrive, type WinResult, wineDrive } from "../helpers/win-wine.js";

const bed = findTestBed();
const skip = !process.env.MCP_TWIN_WINE
  ? "set MCP_TWIN_WINE=1 (or run `npm run test:windows`): it needs wine and takes minutes"
  : "reason" in bed
    ? bed.reason
    : undefined;
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`native Windows tests skipped: ${skip}`);

const SECRET = "fx-native-5ec2e7a1b0";
const VERSION = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version as string;
const work = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-native-"));
let tarball = "";
let probeScript = "";
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(async () => {
  if (skip) return;
  // The package as published (the build is `npm run test:windows`'s first step), and the client.
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: REPO,
      encoding: "utf8",
      env: { ...process.env, npm_config_loglevel: "error" },
    }),
  ) as Array<{ filename: string }>;
  tarball = path.join(work, packed[0]!.filename);
  probeScript = path.join(work, "probe.mjs");
  await build({
    entryPoints: [path.join(REPO, "test", "fixtures", "win-client", "probe.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: probeScript,
    // jsonc-parser's "main" is a UMD build esbuild cannot follow; its ESM one it can.
    mainFields: ["module", "main"],
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
    logLevel: "silent",
  });
}, 300_000);

const CRLF = (lines: string[]) => `${lines.join("\r\n")}\r\n`;
const HAND_DESKTOP = CRLF([
  "{",
  '  "globalShortcut": "Ctrl+Space",',
  '  "mcpServers": {',
  '    "hand": {',
  '      "command": "node.exe",',
  '      "args": ["C:\\\\tools\\\\hand\\\\server.mjs"]',
  "    }",
  "  }",
  "}",
]);
const HAND_GEMINI = '{\n  // mine\n  "theme": "Default"\n}\n';
const HAND_CLAUDE_CODE = '{\n  "numStartups": 3,\n  "tipsHistory": {}\n}\n';

interface Drive {
  name: string;
  shortNames: boolean;
  /** Claude Desktop from the Store (MSIX): its config in the package folder, a stripped env. */
  storeBuild: boolean;
}

const DRIVES: Drive[] = [
  { name: "with 8.3 names, classic Claude Desktop", shortNames: true, storeBuild: false },
  { name: "without 8.3 names, Store Claude Desktop", shortNames: false, storeBuild: true },
];

describe.skipIf(skip !== undefined).each(DRIVES)(
  `native Windows, C: $name${skip ? ` (skipped: ${skip})` : ""}`,
  (drive) => {
    let w: WineDrive;
    let port = 0;
    const registry = () => ({ NPM_CONFIG_REGISTRY: inject("registryUrl") });
    const files = { desktop: "", cursor: "", gemini: "", code: "" };
    type Key = keyof typeof files;
    const before: Record<string, string | null> = {};
    const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : null);
    const snapshot = () => Object.fromEntries(Object.entries(files).map(([k, f]) => [k, read(f)]));
    const appdata = () => path.join(w.profile, "AppData", "Roaming");
    const windowsProfile = () => `C:\\users\\${w.user}`;
    const npmDir = () => `${windowsProfile()}\\AppData\\Roaming\\npm`;
    /** What Windows itself says a path's 8.3 form is (cmd.exe's `%~sI`). */
    let nodeAsWritten = "";

    async function mcpTwin(args: string): Promise<WinResult> {
      const r = await w.cmd(`mcp-twin ${args}`, registry());
      return r;
    }

    /**
     * Every line printed is true: each path it names exists (the longest run of words from a
     * `C:\\` that is a path — Windows paths have spaces), and it claims no WSL on a PC without.
     */
    function linesTrue(r: WinResult, options: { gone?: string[] } = {}): void {
      const text = r.stdout + r.stderr;
      expect(text).not.toMatch(/\bWSL\b|distro/);
      for (const line of text.split("\n"))
        for (const m of line.matchAll(/[A-Z]:\\/g)) {
          const words = line.slice(m.index).split(" ");
          const tidy = (p: string) => p.replace(/[.,:;)\]"'`]+$/, "");
          const found = words
            .map((_, k) => tidy(words.slice(0, words.length - k).join(" ")))
            .find((p) => existsSync(w.linux(p)));
          const first = tidy(words[0]!);
          if (found || options.gone?.some((g) => first.toLowerCase().startsWith(g.toLowerCase()))) continue;
          expect.fail(`printed path ${first} (in "${line.trim()}") does not exist`);
        }
    }

    /** Each target line's action (created, updated, unchanged) is what happened to its file. */
    function targetsTrue(r: WinResult, was: Record<string, string | null>): void {
      const now = snapshot();
      const byPath = new Map(Object.entries(files).map(([k, f]) => [f.toLowerCase(), k]));
      let lines = 0;
      for (const line of r.stdout.split("\n")) {
        const m = /^\s+\S+ windows (\S+) (C:\\\S+)\s+(created|updated|unchanged)/.exec(line);
        if (!m) continue;
        lines++;
        const key = byPath.get(w.linux(m[2]!).toLowerCase());
        expect(key, `${m[2]} is a file this test watches`).toBeDefined();
        const action = was[key!] === null ? "created" : was[key!] === now[key!] ? "unchanged" : "updated";
        expect(`${m[1]} ${m[3]}`).toBe(`${m[1]} ${action}`);
      }
      expect(lines).toBe(4);
    }

    async function probe(
      key: Key,
      serversKey: string,
      names: string[],
      storeBuild = false,
      calls: Array<{ tool: string; args: Record<string, unknown> }> = [
        { tool: "env", args: { name: "FIXTURE_TOKEN" } },
        { tool: "env", args: { name: "PATHEXT" } },
      ],
    ) {
      const request = path.join(w.prefix, "drive_c", "t", `probe-${key}.json`);
      writeFileSync(
        request,
        JSON.stringify({
          file: `C:${files[key].slice(path.join(w.prefix, "drive_c").length).replace(/\//g, "\\")}`,
          key: serversKey,
          names,
          storeBuild,
          calls,
        }),
      );
      const r = await w.node(["C:\\t\\probe.mjs", `C:\\t\\probe-${key}.json`]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout
        .split("\n")
        .filter(Boolean)
        .map(
          (l) =>
            JSON.parse(l) as {
              name: string;
              ok: boolean;
              tools?: string[];
              calls?: Record<string, string>;
              error?: string;
              stderr?: string;
            },
        );
    }

    beforeAll(async () => {
      w = wineDrive((bed as { setup: string }).setup, drive.shortNames ? "83" : "no83", drive.shortNames);
      port = await freePort();
      const c = path.join(w.prefix, "drive_c");
      mkdirSync(path.join(c, "t"), { recursive: true });
      mkdirSync(path.join(c, "tools", "hand"), { recursive: true });
      copyFileSync(tarball, path.join(c, "t", "mcp-twin.tgz"));
      copyFileSync(probeScript, path.join(c, "t", "probe.mjs"));
      copyFileSync(inject("fixtureScript"), path.join(c, "tools", "hand", "server.mjs"));
      const local = path.join(w.profile, "AppData", "Local");
      files.desktop = drive.storeBuild
        ? path.join(
            local,
            "Packages",
            "Claude_pzs8sxrjxfjjc",
            "LocalCache",
            "Roaming",
            "Claude",
            "claude_desktop_config.json",
          )
        : path.join(appdata(), "Claude", "claude_desktop_config.json");
      files.cursor = path.join(w.profile, ".cursor", "mcp.json");
      files.gemini = path.join(w.profile, ".gemini", "settings.json");
      files.code = path.join(w.profile, ".claude.json");
      mkdirSync(path.dirname(files.desktop), { recursive: true });
      mkdirSync(path.dirname(files.cursor), { recursive: true });
      mkdirSync(path.dirname(files.gemini), { recursive: true });
      writeFileSync(files.desktop, HAND_DESKTOP);
      writeFileSync(files.gemini, HAND_GEMINI);
      writeFileSync(files.code, HAND_CLAUDE_CODE);
      Object.assign(before, snapshot());
      // A catalogue entry of the user's own for the test server (init --server fixture).
      mkdirSync(path.join(appdata(), "mcp-twin", "templates"), { recursive: true });
      writeFileSync(
        path.join(appdata(), "mcp-twin", "templates", "fixture.jsonc"),
        JSON.stringify({
          name: "fixture",
          title: "Fixture",
          description: "mcp-twin's test server",
          homepage: "https://example.com/fixture",
          runtime: "node",
          server: {
            package: `${inject("fixtureName")}@1.0.0`,
            env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
          },
          // A direct entry in each client, its key in it: the journey of a server not shared (one with a
          // key is otherwise run in the bridge); the shared one is the test that says `"share": "machine"`.
          share: { mode: "off", why: "each client keeps its own entry" },
          secrets: [
            {
              name: "FIXTURE_TOKEN",
              description: "Fixture token",
              url: "https://example.com/t",
              pattern: "^fx-",
            },
          ],
        }),
      );
      // Windows' own answer for node.exe's 8.3 form, asked the way cmd.exe is asked.
      writeFileSync(
        path.join(c, "t", "short.cjs"),
        `const r = require("child_process").spawnSync("C:\\\\windows\\\\system32\\\\cmd.exe", ["/d", "/s", "/c", '"for %I in ("C:\\\\Program Files\\\\nodejs\\\\node.exe") do @echo %~sI"'], { encoding: "utf8", windowsVerbatimArguments: true }); process.stdout.write(r.stdout.trim());`,
      );
      nodeAsWritten = (await w.node(["C:\\t\\short.cjs"])).stdout.trim();
    }, 600_000);

    afterAll(() => w?.shutdown());

    test("Windows npm installs the packed mcp-twin; its .cmd shim runs it", async () => {
      const install = await w.cmd("npm install -g C:\\t\\mcp-twin.tgz", registry());
      expect(install.code, install.stderr).toBe(0);
      expect(existsSync(w.linux(`${npmDir()}\\mcp-twin.cmd`))).toBe(true);
      const version = await mcpTwin("--version");
      expect(version.stdout.trim()).toBe(VERSION);
      // Windows says where node.exe is, short or long: what entries must say.
      expect(nodeAsWritten).toMatch(/^C:\\\S+\\nodejs\\node\.exe$/);
    }, 300_000);

    test("init --yes sets up the server for every client found, and says so truly", async () => {
      const r = await mcpTwin(`init --yes --server fixture --secret FIXTURE_TOKEN=${SECRET}`);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      linesTrue(r);
      targetsTrue(r, before);
      expect(r.stdout).toMatch(/✔ windows\s+node v\d+\.\d+\.\d+ \(C:\\Program Files\\nodejs\\node\.exe\)/);
      // Then the user turns the bridge on in the manifest, on a port of this test's own (the
      // default one may be taken by another test run on this machine).
      const manifest = path.join(appdata(), "mcp-twin", "mcp-twin.jsonc");
      const text = readFileSync(manifest, "utf8");
      expect(text).not.toContain('"bridge"');
      writeFileSync(
        manifest,
        text.replace(/\r?\n\}\s*$/, `,\n  "bridge": { "enabled": true, "port": ${port} }\n}\n`),
      );
    }, 300_000);

    test("sync writes each config losslessly: CRLF, the user's servers and settings kept", async () => {
      const was = snapshot();
      const r = await mcpTwin("sync");
      expect(r.code, r.stdout + r.stderr).toBe(0);
      linesTrue(r);
      targetsTrue(r, was);
      const desktop = read(files.desktop)!;
      expect(desktop.replace(/\r\n/g, "")).not.toContain("\n");
      const parsed = JSON.parse(desktop);
      expect(parsed.globalShortcut).toBe("Ctrl+Space");
      expect(parsed.mcpServers.hand).toEqual({ command: "node.exe", args: ["C:\\tools\\hand\\server.mjs"] });
      const script = `${npmDir()}\\node_modules\\${inject("fixtureName")}\\dist\\server.js`;
      // node.exe <one V8 worker> <mcp-twin> connect <url> (relay-node-flags.ts).
      const relay = [
        "--v8-pool-size=1",
        `${npmDir()}\\node_modules\\mcp-twin\\bin\\mcp-twin.js`,
        "connect",
        `http://127.0.0.1:${port}/mcp`,
      ];
      const storeEnv = drive.storeBuild
        ? { PATHEXT: expect.stringMatching(/\.EXE/i), WINDIR: "C:\\windows" }
        : {};
      expect(parsed.mcpServers.fixture).toEqual({
        command: nodeAsWritten,
        args: [script],
        env: { FIXTURE_TOKEN: SECRET, ...storeEnv },
      });
      expect(parsed.mcpServers["mcp-twin"]).toEqual({
        command: nodeAsWritten,
        args: relay,
        ...(drive.storeBuild ? { env: storeEnv } : {}),
      });
      expect(JSON.parse(read(files.cursor)!).mcpServers.fixture).toEqual({
        command: nodeAsWritten,
        args: [script],
        env: { FIXTURE_TOKEN: SECRET },
      });
      expect(read(files.gemini)!.startsWith('{\n  // mine\n  "theme": "Default"')).toBe(true);
      expect(JSON.parse(read(files.code)!).numStartups).toBe(3);
    }, 300_000);

    test("a second sync changes no byte, and status says every entry is in sync", async () => {
      const was = snapshot();
      const r = await mcpTwin("sync");
      expect(r.code, r.stdout + r.stderr).toBe(0);
      linesTrue(r);
      targetsTrue(r, was);
      expect(snapshot()).toEqual(was);
      const status = await mcpTwin("status");
      expect(status.code, status.stdout + status.stderr).toBe(0);
      linesTrue(status);
      const rows = status.stdout.split("\n").filter((l) => /^(fixture|mcp-twin)\s/.test(l));
      expect(rows).toHaveLength(2);
      for (const row of rows)
        expect(row.trim().split(/\s+/).slice(1)).toEqual(["synced", "synced", "synced", "synced"]);
    }, 300_000);

    test("doctor: every check passes, its lines are true, the home is not said to be shared with WSL", async () => {
      const r = await mcpTwin("doctor");
      expect(r.code, r.stdout + r.stderr).toBe(0);
      linesTrue(r);
      expect(r.stdout).toContain(`✔ home ${windowsProfile()}\\AppData\\Roaming\\mcp-twin. [env.home]`);
      expect(r.stdout).toContain("environments found: windows.");
      expect(r.stdout).not.toContain("✖");
    }, 300_000);

    test("each entry starts as a Windows client starts it (spawn, no shell) and answers initialize", async () => {
      const clients: Array<[Key, string, string[]]> = [
        ["desktop", "mcpServers", ["hand", "fixture", "mcp-twin"]],
        ["cursor", "mcpServers", ["fixture", "mcp-twin"]],
        ["gemini", "mcpServers", ["fixture", "mcp-twin"]],
        ["code", "mcpServers", ["fixture", "mcp-twin"]],
      ];
      const pathext = (await w.node(["-e", "process.stdout.write(process.env.PATHEXT)"])).stdout;
      for (const [key, serversKey, names] of clients) {
        const results = await probe(key, serversKey, names, key === "desktop" && drive.storeBuild);
        expect(results.map((x) => x.name)).toEqual(names);
        for (const x of results) {
          expect(x.ok, `${key} ${x.name}: ${x.error} ${x.stderr ?? ""}`).toBe(true);
          if (x.name === "fixture") {
            expect(x.tools).toContain("echo");
            expect(JSON.parse(x.calls!['env {"name":"FIXTURE_TOKEN"}']!)).toEqual({
              set: true,
              length: SECRET.length,
            });
            // The Store build's stripped PATHEXT is put back by the entry.
            expect(JSON.parse(x.calls!['env {"name":"PATHEXT"}']!).length).toBe(pathext.length);
          }
        }
      }
    }, 600_000);

    test("bridge start | status | stop", async () => {
      // The relay entries started the bridge on first use: stop it, then the whole cycle by hand.
      const first = await mcpTwin("bridge status");
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toContain(`✔ Running at http://127.0.0.1:${port}/mcp`);
      const stopFirst = await mcpTwin("bridge stop");
      expect(stopFirst.stdout).toMatch(/^✔ Stopped the bridge \(pid \d+\)\.$/m);
      const start = await mcpTwin("bridge start");
      expect(start.code, start.stdout + start.stderr).toBe(0);
      expect(start.stdout).toContain("✔ Started the bridge.");
      linesTrue(start);
      const status = await mcpTwin("bridge status");
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`✔ Running at http://127.0.0.1:${port}/mcp`);
      const pid = /pid\s+(\d+)/.exec(status.stdout)?.[1];
      expect(pid).toBeDefined();
      linesTrue(status);
      const stop = await mcpTwin("bridge stop");
      expect(stop.code, stop.stdout + stop.stderr).toBe(0);
      expect(stop.stdout).toContain(`✔ Stopped the bridge (pid ${pid}).`);
      linesTrue(stop);
      const after = await mcpTwin("bridge status");
      expect(after.stdout).toMatch(/^✔ Not running/m);
    }, 300_000);

    test("a shared server: url entries (Cursor, Gemini CLI, Claude Code) and Desktop's relay reach one process", async () => {
      const manifest = path.join(appdata(), "mcp-twin", "mcp-twin.jsonc");
      const text = readFileSync(manifest, "utf8");
      // init wrote the template's `"share": "off"` or nothing: either way, now shared per machine.
      const shared = text.includes('"share": "off"')
        ? text.replace('"share": "off"', '"share": "machine"')
        : text.replace(/("package": "[^"]+")/, '$1, "share": "machine"');
      writeFileSync(manifest, shared);
      const r = await mcpTwin("sync");
      expect(r.code, r.stdout + r.stderr).toBe(0);
      linesTrue(r);
      // Its lists were read by the process the Windows bridge starts apart (dist/fill/).
      expect(r.stdout).toContain("Lists of fixture cached: a new session lists them without starting them.");
      const url = `http://127.0.0.1:${port}/share/fixture`;
      for (const key of ["cursor", "gemini", "code"] as const) {
        // Gemini CLI's settings.json holds the user's comment.
        const entry = JSON.parse(read(files[key])!.replace(/^\s*\/\/.*$/gm, "")).mcpServers.fixture;
        expect(entry.url ?? entry.serverUrl, key).toBe(url);
        // A token for this shared server only (client-token.ts): mt2.<server>.<env:client>.<MAC>.
        expect(entry.headers.Authorization, key).toMatch(/^Bearer mt2\.fixture\.windows:/);
      }
      const desktop = JSON.parse(read(files.desktop)!).mcpServers.fixture;
      expect(desktop.args.slice(-4)).toEqual(["connect", url, "--as", "windows:claude-desktop"]);
      // Desktop's relay first: it starts the bridge (a url entry cannot); then the url entries.
      const pids: Record<string, number> = {};
      for (const key of ["desktop", "cursor", "gemini", "code"] as const) {
        const [x] = await probe(key, "mcpServers", ["fixture"], key === "desktop" && drive.storeBuild, [
          { tool: "whoami", args: {} },
        ]);
        expect(x?.ok, `${key}: ${x?.error} ${x?.stderr ?? ""}`).toBe(true);
        const who = JSON.parse(x!.calls!["whoami {}"]!) as { pid: number; execArgv: string[] };
        pids[key] = who.pid;
        // Windows' node.exe runs it with the shared servers' flags, the inline --import module too.
        expect(who.execArgv, key).toEqual(
          expect.arrayContaining(["--max-semi-space-size=1", "--no-turbofan"]),
        );
        expect(who.execArgv[who.execArgv.indexOf("--import") + 1], key).toMatch(
          /^data:text\/javascript;base64,/,
        );
      }
      console.info(`native Windows, one shared process: ${JSON.stringify(pids)}`);
      expect(new Set(Object.values(pids)).size).toBe(1);
      const stop = await mcpTwin("bridge stop");
      expect(stop.code, stop.stdout + stop.stderr).toBe(0);
    }, 600_000);

    test("uninstall gives every file back byte for byte; nothing is left running", async () => {
      const r = await mcpTwin("uninstall --yes");
      expect(r.code, r.stdout + r.stderr).toBe(0);
      // Gone by now: Cursor's file mcp-twin created, and the start at logon sync installed.
      linesTrue(r, {
        gone: [
          `${windowsProfile()}\\.cursor\\mcp.json`,
          `${windowsProfile()}\\AppData\\Local\\mcp-twin\\bridge-task.xml`,
        ],
      });
      expect(read(files.desktop)).toBe(before.desktop);
      expect(read(files.gemini)).toBe(before.gemini);
      expect(read(files.code)).toBe(before.code);
      expect(read(files.cursor)).toBe(before.cursor);
      const deadline = Date.now() + 15_000;
      while (w.nodeProcesses().length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      expect(w.nodeProcesses()).toEqual([]);
    }, 300_000);
  },
);
