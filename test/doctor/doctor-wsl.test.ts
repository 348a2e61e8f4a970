/**
 * doctor inside (fake) WSL, end to end with the built binary: a synced machine passes; each
 * breakage users report makes the right check fail for the right environment, client and server,
 * with the fix; repairing it makes it pass again.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { doctor, expectClean, type JsonCheck, one, pick, processesWith } from "./helpers.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-5b7e1c9d3a2f4e6b";
let machine: FakeMachine;
let server: string;

const readJson = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const writeJson = (file: string, data: unknown) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
};

/** Add entries to a config for the duration of `body`, then put the file back byte for byte. */
async function withEntries(
  file: string,
  entries: Record<string, unknown>,
  body: () => Promise<void>,
): Promise<void> {
  const before = readFileSync(file, "utf8");
  const data = JSON.parse(before);
  data.mcpServers = { ...data.mcpServers, ...entries };
  writeJson(file, data);
  try {
    await body();
  } finally {
    writeFileSync(file, before);
  }
}

beforeAll(async () => {
  // No uv on either side: the uvx case below is a machine where it was never installed.
  machine = createFakeMachine({ registryUrl: inject("registryUrl"), uv: false });
  writeManifest(machine, {
    servers: {
      fixture: {
        package: inject("fixtureName"),
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  });
  writeSecrets(machine, { FIXTURE_TOKEN: SECRET });
  expect((await machine.run(["sync"])).code).toBe(0);
  // ~/.claude.json was created 0644 and now holds the key: made private, as sync's warning says
  // (doctor's config.private would warn otherwise).
  chmodSync(machine.paths.claudeCodeConfig, 0o600);
  // A copy of the fixture server inside the machine, so leftover processes are ours to find.
  server = path.join(machine.root, "servers", "fixture.mjs");
  mkdirSync(path.dirname(server), { recursive: true });
  copyFileSync(inject("fixtureScript"), server);
}, 180_000);

afterAll(() => machine?.cleanup());

const code = () => machine.paths.claudeCodeConfig;
const desktop = () => machine.paths.claudeDesktopConfig;
const cursor = () => machine.paths.cursorConfig;
const WSL = "wsl:Ubuntu";

describe("a synced machine", () => {
  test("passes, probes every entry of every target, and never prints the secret", async () => {
    const run = await doctor(machine);
    expectClean(run);
    const own = one(run, "probe.handshake", { env: WSL, client: "claude-code", server: "fixture" });
    expect(own.status).toBe("pass");
    expect(own.message).toMatch(/started in .* with 4 tools/);
    expect(own.message).not.toContain("one start for");
    expect(one(run, "drift.entry", { env: WSL, client: "claude-code", server: "fixture" }).status).toBe(
      "pass",
    );
    // Claude Desktop and Cursor run the very same launch: it started once, and that is one finding
    // naming both (not one per config, as if measured twice), as a shared failure would be.
    const windows = run.checks.filter(
      (c) => c.id === "probe.handshake" && c.env === "windows" && c.server === "fixture",
    );
    expect(windows).toHaveLength(1);
    expect(windows[0]!.client).toBeUndefined();
    expect(windows[0]!.status).toBe("pass");
    expect(windows[0]!.message).toMatch(
      /started in .* with 4 tools .*; one start for Claude Desktop and Cursor, the same launch\. In 2 client configs: Claude Desktop \(windows\), Cursor \(windows\)\.$/,
    );
    expect(one(run, "drift.entry", { env: "windows", server: "fixture" }).status).toBe("pass");
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  test("human output: one start for Claude Desktop and Cursor is one line; each config's line points at it with its mark", async () => {
    const r = await machine.run(["doctor"]);
    expect(r.stdout.match(/one start for Claude Desktop and Cursor, the same launch/g)).toHaveLength(1);
    expect(r.stdout.match(/✔ fixture {2}see "Claude Desktop and Cursor" below/g)).toHaveLength(2);
    // Each pointer's mark is the mark of what it points at.
    const shared = r.stdout.slice(r.stdout.indexOf("Claude Desktop and Cursor  what they share"));
    for (const [, mark, server] of r.stdout.matchAll(
      /^ {4}(\S) (\S+) {2}see "Claude Desktop and Cursor" below$/gm,
    ))
      expect(shared, `${mark} ${server}`).toMatch(new RegExp(`^ {4}${mark} ${server}\\b`, "m"));
  });

  test("human output: grouped by environment and client, marks, a summary line; exit 0", async () => {
    const r = await machine.run(["doctor"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wsl:Ubuntu$/m);
    expect(r.stdout).toMatch(/^windows$/m);
    expect(r.stdout).toMatch(/^ {2}Claude Desktop {2}C:\\Users\\alice/m);
    expect(r.stdout).toMatch(/✔ fixture {2}started in/);
    expect(r.stdout.trim().split("\n").pop()).toMatch(/^✔ \d+ passed.*everything works\.$/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});

describe("live probes", () => {
  test("a server printing a banner on stdout: probe.stdout fails and shows the line", async () => {
    await withEntries(
      code(),
      { noisy: { type: "stdio", command: "node", args: [server, "--banner"] } },
      async () => {
        const run = await doctor(machine, ["--server", "noisy"]);
        const c = one(run, "probe.stdout", { env: WSL, client: "claude-code", server: "noisy" });
        expect(c.status).toBe("fail");
        expect(c.message).toContain("Welcome to fixture server v1");
        expect(c.fix).toMatch(/stderr/);
        expect(one(run, "probe.handshake", { server: "noisy" }).status).toBe("pass");
        expect(run.code).toBe(1);
      },
    );
    await withEntries(code(), { noisy: { type: "stdio", command: "node", args: [server] } }, async () => {
      const run = await doctor(machine, ["--server", "noisy"]);
      expect(one(run, "probe.stdout", { server: "noisy" }).status).toBe("pass");
      expectClean(run);
    });
  });

  test("a server that hangs: times out, is reported, and leaves no process behind", async () => {
    await withEntries(
      code(),
      { stuck: { type: "stdio", command: "node", args: [server, "--hang"] } },
      async () => {
        const started = Date.now();
        const run = await doctor(machine, ["--server", "stuck", "--timeout", "2"]);
        expect(Date.now() - started).toBeLessThan(15_000);
        const c = one(run, "probe.handshake", { env: WSL, client: "claude-code", server: "stuck" });
        expect(c.status).toBe("fail");
        expect(c.message).toMatch(/no answer .* within 2 s/);
        expect(c.message).toContain("stderr: fixture: hanging as asked");
        expect(c.fix).toMatch(/--timeout 30/);
        expect(processesWith(machine.root)).toEqual([]);
      },
    );
  });

  test("a server that exits at once: its exit code and stderr are shown", async () => {
    await withEntries(
      code(),
      { dies: { type: "stdio", command: "node", args: [server, "--exit", "3"] } },
      async () => {
        const run = await doctor(machine, ["--server", "dies"]);
        const c = one(run, "probe.handshake", { server: "dies" });
        expect(c.status).toBe("fail");
        expect(c.message).toMatch(/exited with code 3/);
        expect(c.message).toContain("stderr: fixture: exiting at once as asked");
      },
    );
    await withEntries(code(), { dies: { type: "stdio", command: "node", args: [server] } }, async () => {
      expectClean(await doctor(machine, ["--server", "dies"]));
    });
  });

  test("a server that answers initialize with an error: its words and how it ended, never 'exited with code 0 before the handshake'", async () => {
    await withEntries(
      code(),
      { refuses: { type: "stdio", command: "node", args: [server, "--refuse-init"] } },
      async () => {
        const run = await doctor(machine, ["--server", "refuses"]);
        const c = one(run, "probe.handshake", { server: "refuses" });
        expect(c.status).toBe("fail");
        expect(c.message).toMatch(
          /^the server answered initialize with an error \(-32000\): the server at https:\/\/example\.invalid\/mcp: its host name does not resolve; it exited with code 0 when doctor closed its stdin\./,
        );
        expect(c.message).not.toMatch(/before completing the handshake/);
        // Its own stderr is shown, so the fix is not "start it by hand to see its stderr".
        expect(c.message).toContain("stderr: fixture: refusing initialize as asked");
        expect(c.fix).toBe(
          "Fix what its error above says; its arguments and variables are in its entry in Claude Code's config, and the command above starts it again as Claude Code does.",
        );
      },
    );
  });

  test("a failed start: the command doctor started, as bash runs it from WSL (a Windows program by its /mnt/c path), in --json and in text", async () => {
    const synced = readJson(desktop()).mcpServers.fixture;
    await withEntries(
      desktop(),
      { dies: { ...synced, args: [...synced.args, "--exit", "3"], env: { FIXTURE_TOKEN: "tok-12345678" } } },
      async () => {
        const run = await doctor(machine, ["--server", "dies"]);
        const c = one(run, "probe.handshake", { server: "dies" }) as JsonCheck & {
          command?: { file: string; args: string[]; cwd?: string; env: string[]; line: string };
        };
        expect(c.status).toBe("fail");
        expect(c.message).toMatch(/^the server exited with code 3 before completing the handshake/);
        // The entry's C:\PROGRA~1\nodejs\node.exe, as bash reaches it.
        const node = path.join(machine.paths.drive, "PROGRA~1", "nodejs", "node.exe");
        expect(synced.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
        const script = synced.args[0] as string;
        expect(c.command).toEqual({
          file: node,
          args: [script, "--exit", "3"],
          cwd: machine.paths.profile,
          env: ["FIXTURE_TOKEN"],
          wslenv: "FIXTURE_TOKEN/w",
          line: `(cd ${machine.paths.profile} && ${node} '${script}' --exit 3)`,
        });
        // Never the value of what the entry sets.
        expect(run.stdout).not.toContain("tok-12345678");
        const text = await machine.run(["doctor", "--server", "dies"]);
        expect(text.stdout).toContain(
          `started as: ${c.command!.line}  (with FIXTURE_TOKEN set as the entry sets it, and WSLENV=FIXTURE_TOKEN/w to pass it on)`,
        );
        expect(text.stdout).toMatch(/✖ the server exited with code 3/);
        expect(text.stdout).not.toContain("tok-12345678");
      },
    );
  });

  test("a Windows client's wsl.exe entry runs through interop; variables not in WSLENV are caught", async () => {
    const entry = (env: Record<string, string>) => ({
      bridged: { command: "wsl.exe", args: ["-d", "Ubuntu", "--exec", process.execPath, server], env },
    });
    await withEntries(desktop(), entry({ FIXTURE_TOKEN: "tok-12345678" }), async () => {
      const run = await doctor(machine, ["--server", "bridged"]);
      const c = one(run, "entry.wslenv", { env: "windows", client: "claude-desktop", server: "bridged" });
      expect(c.status).toBe("fail");
      expect(c.message).toContain("FIXTURE_TOKEN");
      expect(c.fix).toContain('"WSLENV": "FIXTURE_TOKEN/u"');
      expect(one(run, "probe.handshake", { server: "bridged" }).status).toBe("pass");
      expect(machine.interopCalls().some((l) => /wsl\.exe\t-d Ubuntu --exec/.test(l))).toBe(true);
    });
    await withEntries(
      desktop(),
      entry({ FIXTURE_TOKEN: "tok-12345678", WSLENV: "FIXTURE_TOKEN/u" }),
      async () => {
        const run = await doctor(machine, ["--server", "bridged"]);
        expect(one(run, "entry.wslenv", { server: "bridged" }).status).toBe("pass");
        expectClean(run);
      },
    );
  });

  // The thresholds are unit-tested (startup-thresholds.test.ts); here one real slow start shows the
  // measured time reaches them, and that MCP_TIMEOUT is read from the environment doctor runs in.
  test("start-up time against Claude Code's MCP_TIMEOUT", async () => {
    await withEntries(
      code(),
      { slow: { type: "stdio", command: "node", args: [server, "--slow", "400"] } },
      async () => {
        const fail = one(
          await doctor(machine, ["--server", "slow"], { env: { MCP_TIMEOUT: "300" } }),
          "probe.startup",
        );
        expect(fail.status).toBe("fail");
        expect(fail.message).toMatch(
          // Under heavy load the server's slowed answer to server/discover can come after doctor
          // stops waiting: the message then says how much of the start-up that wait was.
          /^start-up took (\d+ ms|\d+\.\d s)( \((\d+ ms|\d+\.\d s) of it waiting for an answer to server\/discover\))?; its client allows 300 ms, so it gives up first\.$/,
        );
      },
    );
  });

  test("--no-probe starts nothing", async () => {
    machine.clearInteropLog();
    const run = await doctor(machine, ["--no-probe"]);
    expect(pick(run, "probe.handshake").map((c) => c.status)).toEqual(["skip"]);
    expect(machine.interopCalls().filter((l) => /node\.exe/.test(l))).toEqual([]);
    expectClean(run);
    // Not started is never a pass: no ✔ on a server, no "all checks pass", no "everything works".
    const human = await machine.run(["doctor", "--no-probe"]);
    expect(human.stdout).toMatch(
      /^ {4}– fixture {2}npm package \S+; in 3 client configs; not started by doctor \(--no-probe\)$/m,
    );
    expect(human.stdout).toMatch(
      /^ {4}– fixture {2}not started by doctor \(--no-probe\); its entry's checks pass$/m,
    );
    expect(human.stdout).not.toMatch(/^ {4}✔ fixture|all checks pass|everything works/m);
  });
});

describe("static checks", () => {
  test("a corrupted config is a finding (exit 1, not 2), with line and column", async () => {
    const before = readFileSync(cursor(), "utf8");
    writeFileSync(cursor(), '{\n  "mcpServers": {\n    "fixture": { "command": \n');
    try {
      const run = await doctor(machine, ["--no-probe"]);
      const c = one(run, "config.parse", { env: "windows", client: "cursor" });
      expect(c.status).toBe("fail");
      expect(c.message).toMatch(/mcp\.json:\d+:\d+/);
      expect(run.code).toBe(1);
    } finally {
      writeFileSync(cursor(), before);
    }
    expect(one(await doctor(machine, ["--no-probe"]), "config.parse", { client: "cursor" }).status).toBe(
      "pass",
    );
  });

  test("comments in Claude Desktop's file: it reads strict JSON", async () => {
    const before = readFileSync(desktop(), "utf8");
    writeFileSync(desktop(), before.replace("{", "{\n  // mine\n"));
    try {
      const run = await doctor(machine, ["--no-probe", "--client", "claude-desktop"]);
      expect(one(run, "config.strict-json", { client: "claude-desktop" }).status).toBe("fail");
    } finally {
      writeFileSync(desktop(), before);
    }
    expect(pick(await doctor(machine, ["--no-probe"]), "config.strict-json")).toEqual([]);
  });

  test("a placeholder API key, in the secrets file and in a hand-written entry", async () => {
    writeSecrets(machine, { FIXTURE_TOKEN: "your-key-here" });
    try {
      const run = await doctor(machine, ["--no-probe"]);
      const c = one(run, "secrets.placeholder", { server: "fixture" });
      expect(c.status).toBe("fail");
      expect(c.message).toContain("FIXTURE_TOKEN");
      expect(c.fix).toContain("mcp-twin secret set");
    } finally {
      writeSecrets(machine, { FIXTURE_TOKEN: SECRET });
    }
    await withEntries(
      cursor(),
      { keyed: { command: "node", args: [server], env: { TAVILY_API_KEY: "<YOUR_KEY>" } } },
      async () => {
        const run = await doctor(machine, ["--no-probe", "--server", "keyed"]);
        expect(
          one(run, "secrets.placeholder", { env: "windows", client: "cursor", server: "keyed" }).message,
        ).toContain('"<YOUR_KEY>"');
      },
    );
    expect(pick(await doctor(machine, ["--no-probe"]), "secrets.placeholder")).toEqual([]);
  });

  test("one placeholder in three clients' entries is one finding that lists where it applies", async () => {
    const keyed = { command: "node", args: [server], env: { TAVILY_API_KEY: "<YOUR_KEY>" } };
    await withEntries(cursor(), { keyed }, () =>
      withEntries(desktop(), { keyed }, () =>
        withEntries(code(), { keyed: { type: "stdio", ...keyed } }, async () => {
          const run = await doctor(machine, ["--no-probe", "--server", "keyed"]);
          const c = one(run, "secrets.placeholder", { server: "keyed" });
          expect(c.status).toBe("fail");
          expect(c.message).toContain('"<YOUR_KEY>"');
          expect(c.message).toMatch(
            /In 3 client configs: Claude Code \(wsl:Ubuntu\), Claude Desktop \(windows\), Cursor \(windows\)\.$/,
          );
          expect(c.fix).toContain("each of these entries");
          // The human report: each client's line for the server is a failure pointing at the one finding.
          const human = await machine.run(["doctor", "--no-probe", "--server", "keyed"]);
          const title = "Claude Code (wsl:Ubuntu), Claude Desktop (windows) and Cursor (windows)";
          expect(human.stdout).toContain(`\n  ${title}  `);
          expect(human.stdout.match(/\[secrets\.placeholder\]/g)).toHaveLength(1);
          expect(
            human.stdout.match(
              new RegExp(`✖ keyed {2}see "${title.replace(/[()]/g, "\\$&")}" above, under General`, "g"),
            ),
          ).toHaveLength(3);
          expect(human.stdout).not.toMatch(/✔ keyed/);
        }),
      ),
    );
  });

  test("a uvx server without uv: one failure per environment with its install command, never a sync that changes nothing", async () => {
    const fixture = {
      package: inject("fixtureName"),
      share: "off",
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    };
    writeManifest(machine, {
      servers: {
        fixture,
        time: { command: "uvx", args: ["mcp-server-time"] },
        off: { command: "node", args: [server], disabled: true },
      },
    });
    const time = { command: "uvx", args: ["mcp-server-time"] };
    try {
      await withEntries(cursor(), { time }, () =>
        withEntries(desktop(), { time }, () =>
          withEntries(code(), { time: { type: "stdio", ...time } }, async () => {
            const run = await doctor(machine, ["--server", "time"]);
            // One cause, one finding: uvx missing is entry.command's failure, once per environment.
            const missing = pick(run, "entry.command", { server: "time" });
            expect(missing.map((c) => [c.env, c.client, c.status])).toEqual([
              [WSL, "claude-code", "fail"],
              ["windows", undefined, "fail"],
            ]);
            const [linux, windows] = missing as [JsonCheck, JsonCheck];
            expect(linux.fix).toContain("Install uv in wsl:Ubuntu (it provides uvx)");
            expect(linux.fix).toContain("https://astral.sh/uv/install.sh");
            expect(windows.fix).toContain("astral.sh/uv/install.ps1");
            // Claude Desktop and Cursor run the very same command: one finding naming both.
            expect(windows.message).toBe(
              "`uvx` is not found in windows (not on its PATH). In 2 client configs: Claude Desktop (windows), Cursor (windows).",
            );
            // The probe of an entry whose program is missing is a skip that points there, on both sides.
            const probes = pick(run, "probe.handshake", { server: "time" });
            expect(probes.map((c) => [c.env, c.client, c.status])).toEqual([
              [WSL, "claude-code", "skip"],
              ["windows", undefined, "skip"],
            ]);
            for (const p of probes)
              expect(p.message).toMatch(
                /^not started by doctor: `uvx` is not found in .*\(see entry\.command\)/,
              );
            // A runner that is not there fetches nothing: no cold-start warning.
            expect(pick(run, "entry.cold-start", { server: "time" })).toEqual([]);
            expect(run.checks.filter((c) => c.status === "fail")).toHaveLength(2);
            expect(run.code).toBe(1);
            for (const c of run.checks.filter((x) => x.server === "time" && x.fix)) {
              expect(c.fix, c.id).not.toContain("mcp-twin doctor");
              expect(c.fix, c.id).not.toMatch(/node \+ its script/);
              // A sync writes this entry again as it is: advice to run it would loop.
              if (c.id !== "drift.entry") expect(c.fix, c.id).not.toMatch(/^Run `mcp-twin sync`/);
            }
            // The human report: the shared finding once, under a heading naming both clients; each
            // client's line for the server points there; the summary counts it once.
            const human = await machine.run(["doctor", "--server", "time"]);
            expect(human.stdout.match(/\[entry\.command\]/g)).toHaveLength(2);
            expect(human.stdout).toMatch(/^ {2}Claude Desktop and Cursor {2}/m);
            expect(human.stdout.match(/✖ time {2}see "Claude Desktop and Cursor" below/g)).toHaveLength(2);
            expect(human.stdout.trim().split("\n").pop()).toMatch(/^✖ 2 failed, /);
            // Every manifest server has its line in the human report, findings or not.
            const all = await machine.run(["doctor", "--no-probe"]);
            const section = all.stdout.slice(all.stdout.indexOf("Manifest servers"));
            expect(section).toMatch(
              /– fixture {2}npm package .*; in 3 client configs; not started by doctor \(--no-probe\)/,
            );
            expect(section).toMatch(
              /time {2}runs uvx; in 3 client configs; its findings are below, under wsl:Ubuntu and windows/,
            );
            expect(section).toMatch(/off {2}disabled in the manifest/);
          }),
        ),
      );
    } finally {
      writeManifest(machine, { servers: { fixture } });
    }
  });

  test("an unresolved secret reference", async () => {
    writeManifest(machine, {
      servers: {
        fixture: {
          package: inject("fixtureName"),
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
        other: {
          command: "node",
          args: [server],
          share: "off",
          env: { K: "${secret:NOT_SET_ANYWHERE}" },
          clients: ["cursor"],
        },
      },
    });
    try {
      const run = await doctor(machine, ["--no-probe", "--server", "other"]);
      const c = one(run, "secrets.resolved", { server: "other" });
      expect(c.status).toBe("fail");
      expect(c.fix).toBe("mcp-twin secret set NOT_SET_ANYWHERE");
    } finally {
      writeManifest(machine, {
        servers: {
          fixture: {
            package: inject("fixtureName"),
            share: "off",
            env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
          },
        },
      });
    }
    expect(one(await doctor(machine, ["--no-probe"]), "secrets.resolved", { server: "fixture" }).status).toBe(
      "pass",
    );
  });

  test("an absolute node path broken by an nvm upgrade", async () => {
    const old = path.join(machine.paths.linuxHome, ".nvm", "versions", "node", "v18.17.0", "bin", "node");
    await withEntries(code(), { aged: { type: "stdio", command: old, args: [server] } }, async () => {
      const run = await doctor(machine, ["--server", "aged"]);
      const c = one(run, "entry.node-path", { env: WSL, client: "claude-code", server: "aged" });
      expect(c.status).toBe("fail");
      expect(c.message).toMatch(/v18\.17\.0 was removed by an nvm or Node upgrade/);
      expect(c.fix).toContain("/usr/bin/node");
      // Not started: the missing node is entry.node-path's finding, not the probe's too.
      const probe = one(run, "probe.handshake", { server: "aged" });
      expect(probe.status).toBe("skip");
      expect(probe.message).toContain("(see entry.node-path)");
    });
    await withEntries(
      code(),
      { aged: { type: "stdio", command: "/usr/bin/node", args: [server] } },
      async () => {
        expectClean(await doctor(machine, ["--server", "aged"]));
      },
    );
  });

  test("a missing script (package removed)", async () => {
    await withEntries(
      code(),
      { gone: { type: "stdio", command: "node", args: [`${server}.removed`] } },
      async () => {
        const run = await doctor(machine, ["--no-probe", "--server", "gone"]);
        expect(one(run, "entry.script", { server: "gone" }).status).toBe("fail");
      },
    );
  });

  test("a stray second manifest", async () => {
    const stray = path.join(machine.paths.linuxHome, ".config", "mcp-twin", "mcp-twin.jsonc");
    writeJson(stray, { servers: {} });
    try {
      const c = one(await doctor(machine, ["--no-probe"]), "manifest.stray");
      expect(c.status).toBe("warn");
      expect(c.message).toContain(stray);
    } finally {
      rmSync(stray);
    }
    expect(one(await doctor(machine, ["--no-probe"]), "manifest.stray").status).toBe("pass");
  });

  test("an HTTP entry in Claude Desktop, which skips url entries; fine in Cursor", async () => {
    await withEntries(desktop(), { docs: { url: "http://127.0.0.1:9/mcp" } }, async () => {
      const run = await doctor(machine, ["--no-probe", "--server", "docs"]);
      const c = one(run, "entry.remote", { env: "windows", client: "claude-desktop", server: "docs" });
      expect(c.status).toBe("fail");
      expect(c.fix).toContain("mcp-twin connect");
    });
    await withEntries(cursor(), { docs: { url: "http://127.0.0.1:9/mcp" } }, async () => {
      const run = await doctor(machine, ["--no-probe", "--server", "docs"]);
      expect(one(run, "entry.remote", { client: "cursor", server: "docs" }).status).toBe("pass");
      expectClean(run);
    });
  });

  test("paths with spaces in Claude Desktop on Windows (fixed by 8.3 short names)", async () => {
    const entry = readJson(desktop()).mcpServers.fixture;
    await withEntries(
      desktop(),
      { fixture: { ...entry, command: "C:\\Program Files\\nodejs\\node.exe" } },
      async () => {
        const run = await doctor(machine, ["--no-probe", "--client", "claude-desktop"]);
        expect(one(run, "entry.spaces", { client: "claude-desktop", server: "fixture" }).status).toBe("fail");
        expect(one(run, "drift.entry", { client: "claude-desktop", server: "fixture" }).status).toBe("warn");
      },
    );
    expect(pick(await doctor(machine, ["--no-probe"]), "entry.spaces")).toEqual([]);
  });

  test("drift: edited by hand, removed, and a file wiped by its app", async () => {
    const entry = readJson(cursor()).mcpServers.fixture;
    await withEntries(cursor(), { fixture: { ...entry, args: [...entry.args, "--extra"] } }, async () => {
      const c = one(await doctor(machine, ["--no-probe"]), "drift.entry", {
        client: "cursor",
        server: "fixture",
      });
      expect(c.status).toBe("warn");
      expect(c.message).toMatch(/edited by hand/);
    });
    const before = readFileSync(cursor(), "utf8");
    writeJson(cursor(), { mcpServers: { mine: { command: "node", args: [server] } } });
    try {
      const c = one(await doctor(machine, ["--no-probe"]), "drift.entry", {
        client: "cursor",
        server: "fixture",
      });
      expect(c.status).toBe("fail");
      expect(c.fix).toBe("Run `mcp-twin sync`.");
      writeFileSync(cursor(), "");
      const wiped = one(await doctor(machine, ["--no-probe"]), "config.wiped", { client: "cursor" });
      expect(wiped.status).toBe("fail");
      expect(wiped.message).toMatch(/is empty/);
    } finally {
      writeFileSync(cursor(), before);
    }
    expectClean(await doctor(machine, ["--no-probe"]));
  });

  test("the same name in Claude Code's user and project scope", async () => {
    const project = path.join(machine.root, "proj");
    writeJson(path.join(project, ".mcp.json"), {
      mcpServers: { fixture: { command: "node", args: [server] } },
    });
    try {
      const run = await doctor(machine, ["--no-probe", "--server", "fixture"], { cwd: project });
      const c = one(run, "entry.duplicate", { env: WSL, client: "claude-code", server: "fixture" });
      expect(c.status).toBe("fail");
      expect(c.message).toMatch(/user, project|project, user/);
      expect(c.message).toMatch(/uses the project one/);
      writeJson(path.join(project, ".mcp.json"), {
        mcpServers: { other: { command: "node", args: [server] } },
      });
      expect(pick(await doctor(machine, ["--no-probe"], { cwd: project }), "entry.duplicate")).toEqual([]);
    } finally {
      rmSync(project, { recursive: true });
    }
  });

  test("`bash -lc` that needs nvm's node", async () => {
    const nvmBin = path.join(machine.paths.linuxHome, ".nvm", "versions", "node", "v22.1.0", "bin");
    mkdirSync(nvmBin, { recursive: true });
    // nvm's node is a real file under ~/.nvm (a symlink would resolve out of it).
    writeFileSync(path.join(nvmBin, "node"), `#!/bin/sh\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${nvmBin}:${machine.env.PATH}` };
    const entry = (script: string) => ({
      shelled: { type: "stdio", command: "bash", args: ["-lc", script] },
    });
    await withEntries(code(), entry(`node ${server}`), async () => {
      const run = await doctor(machine, ["--no-probe", "--server", "shelled"], { env });
      const c = one(run, "entry.login-shell", { env: WSL, client: "claude-code", server: "shelled" });
      expect(c.status).toBe("fail");
      expect(c.message).toMatch(/does not load nvm/);
    });
    await withEntries(code(), entry(`. "$HOME/.nvm/nvm.sh" && exec node ${server}`), async () => {
      const run = await doctor(machine, ["--no-probe", "--server", "shelled"], { env });
      expect(pick(run, "entry.login-shell")).toEqual([]);
    });
  });

  test("WSL interop switched off", async () => {
    const run = await doctor(machine, [], { env: { WSL_INTEROP: "" } });
    const c = one(run, "env.interop", { env: WSL });
    expect(c.status).toBe("fail");
    expect(c.fix).toMatch(/\[interop\] enabled=true/);
    expect(one(run, "env.reachable", { env: "windows" }).status).toBe("fail");
    // One cause for both Windows clients: one skip naming them.
    const skipped = one(run, "probe.handshake", { env: "windows", server: "fixture" });
    expect(skipped.status).toBe("skip");
    expect(skipped.client).toBeUndefined();
    expect(skipped.message).toContain("In 2 client configs: Claude Desktop (windows), Cursor (windows).");
    const fixed = await doctor(machine, ["--no-probe"]);
    expect(one(fixed, "env.interop").status).toBe("pass");
    expect(one(fixed, "env.reachable", { env: "windows" }).status).toBe("pass");
  });

  test("npm's global prefix is not a writable folder", async () => {
    const file = path.join(machine.root, "not-a-prefix");
    writeFileSync(file, "");
    const run = await doctor(machine, ["--no-probe"], { env: { NPM_CONFIG_PREFIX: file } });
    const c = one(run, "npm.prefix-writable", { env: WSL });
    expect(c.status).toBe("fail");
    expect(c.fix).toMatch(/npm config set prefix/);
    expect(one(await doctor(machine, ["--no-probe"]), "npm.prefix-writable", { env: WSL }).status).toBe(
      "pass",
    );
  });
});

describe("paths: one style per side", () => {
  /** The Linux form of anything on the (fake) Windows drive: the automount root moved into the machine. */
  const linuxForm = () => path.join(machine.root, "mnt");
  const home = "C:\\Users\\alice\\AppData\\Roaming\\mcp-twin";

  test("from WSL, a file on the Windows drive is shown as Windows shows it, in every line and --json message", async () => {
    const human = await machine.run(["doctor", "--verbose"]);
    expect(human.code).toBe(0);
    expect(human.stdout).not.toContain(linuxForm());
    expect(human.stdout).toContain(`✔ manifest ${home}\\mcp-twin.jsonc. [manifest.found]`);
    expect(human.stdout).toContain(
      `✔ ${home}\\secrets.json holds 1 secret; it is in your Windows profile, which its ACL keeps to your Windows account (mode bits mean nothing on the Windows drive). [secrets.file]`,
    );
    expect(human.stdout).toContain(`✔ home ${home} (shared by Windows and every WSL distro). [env.home]`);
    expect(human.stdout).toContain("WSL interop is on (C:\\Windows\\System32\\cmd.exe)");
    // Linux files keep their Linux form.
    expect(human.stdout).toContain(`${code()} parses. [config.parse]`);
    const run = await doctor(machine, ["--verbose"]);
    for (const c of run.checks) expect(`${c.message} ${c.fix ?? ""}`, c.id).not.toContain(linuxForm());
    expect(one(run, "state.file").message).toBe(`${home}\\state.json is well-formed (3 targets recorded).`);
  });

  test("a broken home file: its message in Windows form, its fix names no path a shell would misread", async () => {
    const state = path.join(machine.paths.home, "state.json");
    const before = readFileSync(state, "utf8");
    writeFileSync(state, "{ nope");
    try {
      const c = one(await doctor(machine, ["--no-probe"]), "state.file");
      expect(c.status).toBe("fail");
      expect(c.message).toContain(`${home}\\state.json:1:`);
      expect(c.message).not.toContain(linuxForm());
      // Moving it aside needs no path in either form (a `mv` of the Windows form fails in the WSL
      // shell; the Linux form is the one style this side does not show): the file's own name.
      expect(c.fix).toContain("move it aside (rename it to state.json.broken, in the same folder)");
      expect(c.fix).not.toContain(linuxForm());
    } finally {
      writeFileSync(state, before);
    }
  });

  test("a broken Windows client config: restore is given the path it accepts, and accepts it", async () => {
    const file = "C:\\Users\\alice\\.cursor\\mcp.json";
    const broken = '{\n  "mcpServers": {\n    "fixture": { "command": \n';
    const before = readFileSync(cursor(), "utf8");
    const fixture = {
      package: inject("fixtureName"),
      share: "off",
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    };
    try {
      // sync created the file: no backup is older, but what sync wrote is kept, and restore puts it back.
      writeFileSync(cursor(), broken);
      const created = one(await doctor(machine, ["--no-probe"]), "config.parse", { client: "cursor" });
      expect(created.message).toContain(`${file}:4:`);
      expect(created.fix).toContain(
        `\`mcp-twin restore '${file}'\` to put the whole file back as mcp-twin last wrote it`,
      );
      // Without that copy (a home of an older version): nothing older to put back, and the fix says why.
      const written = readdirSync(path.join(machine.paths.home, "backups"), {
        recursive: true,
        encoding: "utf8",
      })
        .filter((f) => f.endsWith("last-written.txt"))
        .map((f) => path.join(machine.paths.home, "backups", f));
      const copies = written.map((f) => [f, readFileSync(f, "utf8")] as const);
      for (const f of written) rmSync(f);
      const older = one(await doctor(machine, ["--no-probe"]), "config.parse", { client: "cursor" });
      for (const [f, text] of copies) writeFileSync(f, text, { mode: 0o600 });
      expect(older.fix).toBe(
        `Fix it by hand at ${file}:4:1 (value expected); mcp-twin has no backup of it (it created this file: there was nothing before).`,
      );
      // After a sync that changed it, restore can put it back: the fix names it by the path restore takes.
      writeFileSync(cursor(), before);
      writeManifest(machine, { servers: { fixture, extra: { command: "node", args: [server] } } });
      expect((await machine.run(["sync"])).code).toBe(0);
      writeFileSync(cursor(), broken);
      const c = one(await doctor(machine, ["--no-probe"]), "config.parse", { client: "cursor" });
      expect(c.fix).toContain(`\`mcp-twin restore '${file}'\``);
      const dry = await machine.run(["restore", file, "--dry-run"]);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain("whole file put back");
    } finally {
      writeFileSync(cursor(), before);
      writeManifest(machine, { servers: { fixture } });
      expect((await machine.run(["sync"])).code).toBe(0);
    }
  });

  test("a WSL client's project file on the Windows drive: shown in Windows form, no chmod that changes nothing", async () => {
    const project = path.join(machine.paths.profile, "proj");
    const file = path.join(project, ".mcp.json");
    writeJson(file, {
      mcpServers: { keyed: { command: "node", args: [server], env: { API_KEY: "k-4b8e2f9c1d7a" } } },
    });
    chmodSync(file, 0o644);
    try {
      const human = await machine.run(["doctor", "--no-probe", "--client", "claude-code"], { cwd: project });
      expect(human.stdout).toContain("Claude Code (project)  C:\\Users\\alice\\proj\\.mcp.json");
      expect(human.stdout).not.toContain(linuxForm());
      // DrvFs makes a mode up; the Windows profile's ACL protects the file: chmod would change nothing.
      const run = await doctor(machine, ["--no-probe", "--client", "claude-code"], { cwd: project });
      expect(pick(run, "config.private", { client: "claude-code" }).map((c) => c.message)).not.toContainEqual(
        expect.stringContaining("proj"),
      );
      expect(human.stdout + run.stdout).not.toContain("k-4b8e2f9c1d7a");
    } finally {
      rmSync(project, { recursive: true });
    }
  });
});

describe("usage", () => {
  test("bad flags are exit 2 with a JSON error; filters narrow the report", async () => {
    for (const args of [
      ["--timeout", "soon"],
      ["--env", "dos"],
      ["--client", "notepad"],
      ["--server", "nope"],
    ]) {
      const r = await machine.run(["doctor", "--json", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(JSON.parse(r.stdout).errors[0].message).toBeTruthy();
    }
    const run = await doctor(machine, ["--no-probe", "--env", "windows", "--client", "cursor"]);
    expect(new Set(run.checks.filter((c) => c.client).map((c) => `${c.env} ${c.client}`))).toEqual(
      new Set(["windows cursor"]),
    );
  });
});
