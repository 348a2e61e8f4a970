/**
 * One shared server looked after on its own, through the real CLI against a real bridge:
 * `bridge status <server>` (each process, the last error with its folder, cleared by a start that
 * works), `bridge restart <server>` (its processes stop, sessions stay, the next call starts it),
 * `bridge logs <server>` (its stderr, timed and keyed, a secret masked, bounded on disk).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { SHARE_LOG_BYTES } from "../../../src/bridge-server/gateway/share-log.js";
import { runCli, tempDir } from "../helpers.js";
import { callText, closeAfterEach, type Gateway, gatewayBridge, until, v2Client } from "./gateway-helpers.js";

closeAfterEach();

const SECRET = "nz-7d1f0c9a2b44e6";
/** A key as a server may hold one: a backslash, a quote, characters URLs and base64 spell otherwise. */
const KEY = 'k3y\\w1th"q/+=x9Z&s p';

/**
 * A plain 2025-11-25 stdio server that talks on stderr: it says its token at start (as a careless
 * server does), refuses to start in a folder holding `fail-here`, and its tools `where` (pid,
 * folder), `shout` (count lines of size characters on stderr), `say` (one line on stderr) and
 * `print` (count lines that are not JSON-RPC on stdout) and `leak` (its key in the forms servers print
 * one: its whole environment, JSON, URL-encoded, in a Basic header, hex, across a long line's cut).
 */
function noisyServer(): string {
  const file = path.join(tempDir(), "noisy.mjs");
  writeFileSync(
    file,
    `import { existsSync } from "node:fs";
if (existsSync("fail-here")) {
  process.stderr.write("cannot start in " + process.cwd() + "\\n");
  process.exit(3);
}
process.stderr.write("starting, token " + process.env.NOISY_TOKEN + "\\n");
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: "2.0", ...m }) + "\\n");
const text = (t) => ({ content: [{ type: "text", text: t }] });
const answer = {
  initialize: (p) => ({
    protocolVersion: p?.protocolVersion ?? "2025-11-25",
    capabilities: { tools: {} },
    serverInfo: { name: "noisy", version: "1.0.0" },
  }),
  ping: () => ({}),
  "tools/list": () => ({
    tools: ["where", "shout", "say", "print", "leak"].map((name) => ({ name, inputSchema: { type: "object" } })),
  }),
  "tools/call": (p) => {
    const a = p.arguments ?? {};
    if (p.name === "where") return text(JSON.stringify({ pid: process.pid, cwd: process.cwd() }));
    if (p.name === "shout") process.stderr.write(("x".repeat(a.size) + "\\n").repeat(a.count));
    if (p.name === "say") process.stderr.write(a.text + "\\n");
    if (p.name === "print") process.stdout.write(("printed " + a.text + "\\n").repeat(a.count));
    if (p.name === "leak") {
      const k = process.env.NOISY_KEY;
      console.error(process.env);
      console.error(JSON.stringify({ key: k }));
      console.error("url " + encodeURIComponent(k) + " form " + new URLSearchParams({ k }));
      console.error("header Basic " + Buffer.from("user:" + k).toString("base64"));
      console.error("hex " + Buffer.from(k).toString("hex"));
      console.error("y".repeat(190) + k + "z".repeat(70000));
      process.stdout.write("z".repeat(190) + k + "\\n");
    }
    return text("said");
  },
};
let buffer = "";
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf("\\n")) !== -1) {
    const m = JSON.parse(buffer.slice(0, nl));
    buffer = buffer.slice(nl + 1);
    if (m.id === undefined || m.method === undefined) continue;
    const handle = answer[m.method];
    if (handle) send({ id: m.id, result: handle(m.params) });
    else send({ id: m.id, error: { code: -32601, message: "Method not found: " + m.method } });
  }
});
`,
  );
  return file;
}

/** A bridge sharing the noisy server as `name` in `mode` (its token a secret), and `plain` unshared. */
async function noisyBridge(name: string, mode: string): Promise<Gateway> {
  const g = await gatewayBridge({
    servers: {
      [name]: {
        command: process.execPath,
        args: [noisyServer()],
        env: { NOISY_TOKEN: "${secret:NOISY_TOKEN}", NOISY_KEY: "${secret:NOISY_KEY}" },
        share: mode,
      },
      plain: { command: process.execPath, args: ["-e", ""] },
    },
  });
  writeFileSync(
    path.join(g.root, "mcp-twin-home", "secrets.json"),
    JSON.stringify({ version: 1, secrets: { NOISY_TOKEN: SECRET, NOISY_KEY: KEY } }),
    { mode: 0o600 },
  );
  // The secret is read when the manifest is: the bridge reads it again.
  await g.reload();
  return g;
}

const cli = (g: Gateway, ...args: string[]) => runCli(["bridge", ...args], g.env);
const json = async (g: Gateway, ...args: string[]) => {
  const r = await cli(g, ...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};
const folderAt = (root: string, name: string) => {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

test("status <server>: its process per folder, the last error with its folder and when, cleared by a start that works", async () => {
  const g = await noisyBridge("flaky", "project");
  const bad = folderAt(g.root, "bad");
  const good = folderAt(g.root, "good");
  writeFileSync(path.join(bad, "fail-here"), "");
  const inFolder = (dir: string) =>
    v2Client(g.shareUrl("flaky"), g.token, "legacy", { headers: { "Mcp-Twin-Project": dir } });
  const refused = await inFolder(bad).then(
    () => "connected",
    (e: Error) => e.message,
  );
  expect(refused).toMatch(/did not start/);

  const failed = await json(g, "status", "flaky");
  expect(failed).toMatchObject({
    name: "flaky",
    mode: "project",
    state: "failed",
    lastError: expect.any(String),
    lastErrorIn: `project:${bad}`,
    lastErrorAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    bridge: { state: expect.stringMatching(/^(running|elsewhere)$/) },
    log: path.join(g.dir, "logs", "flaky.log"),
  });
  expect(failed.children).toEqual([
    expect.objectContaining({
      key: `project:${bad}`,
      state: "failed",
      pid: null,
      lastError: expect.any(String),
    }),
  ]);
  const text = await cli(g, "status", "flaky");
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain(
    `✖ flaky: project, failed in ${bad}: the server exited (code 3) before it answered\n`,
  );
  expect(text.stdout).toMatch(new RegExp(`last error +\\d+s ago, in project ${bad}: `));
  expect(text.stdout).toContain(`processes  project ${bad}: failed, 0 sessions attached; `);
  expect(text.stdout).toContain("(`mcp-twin bridge logs flaky`)");
  // The bridge's own log (serve.log) names the server and the folder it failed in.
  expect(g.stderr()).toContain(`[share flaky] project:${bad}: did not start: `);
  // What it printed before it exited is in its own log, keyed by its folder.
  await until("its stderr in its own log", () =>
    existsSync(path.join(g.dir, "logs", "flaky.log")) &&
    readFileSync(path.join(g.dir, "logs", "flaky.log"), "utf8").includes(
      `[project:${bad}] cannot start in ${bad}`,
    )
      ? true
      : undefined,
  );

  // Another folder's start that works: the server is no longer failed; the folder's own error stays.
  const elsewhere = await inFolder(good);
  expect(JSON.parse(await callText(elsewhere, "where")).cwd).toBe(good);
  const other = await json(g, "status", "flaky");
  expect(other).toMatchObject({ state: "running", lastErrorIn: `project:${bad}` });

  // The folder fixed, a start there works: its error is gone.
  rmSync(path.join(bad, "fail-here"));
  const fixed = await inFolder(bad);
  expect(JSON.parse(await callText(fixed, "where")).cwd).toBe(bad);
  const cleared = await json(g, "status", "flaky");
  expect(cleared.state).toBe("running");
  expect(cleared).not.toHaveProperty("lastError");
  expect(cleared.children).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ key: `project:${bad}`, state: "running", pid: expect.any(Number) }),
    ]),
  );
  expect((cleared.children as Array<Record<string, unknown>>).every((c) => !("lastError" in c))).toBe(true);
  // `status` and the control route agree.
  expect((await g.status()).shares.find((s) => s.name === "flaky")).not.toHaveProperty("lastError");
}, 90_000);

test("GET /control/status: a failure is the server's until a start works, then it is gone (serve.log names where it was)", async () => {
  const g = await noisyBridge("noisy", "machine");
  // A machine-wide process runs in the home folder: the bridge's HOME here.
  writeFileSync(path.join(g.root, "fail-here"), "");
  const attempt = await v2Client(g.shareUrl("noisy"), g.token, "legacy").then(
    () => "connected",
    (e: Error) => e.message,
  );
  expect(attempt).toMatch(/noisy.{1,2} did not start: the server exited \(code 3\) before it answered/);
  expect((await g.status()).shares[0]).toMatchObject({
    state: "failed",
    lastError: "the server exited (code 3) before it answered",
    lastErrorIn: "machine",
    children: [expect.objectContaining({ key: "machine", state: "failed", pid: null })],
  });
  expect(g.stderr()).toContain(
    "[share noisy] machine: did not start: the server exited (code 3) before it answered",
  );
  rmSync(path.join(g.root, "fail-here"));
  const client = await v2Client(g.shareUrl("noisy"), g.token, "legacy");
  expect(JSON.parse(await callText(client, "where")).cwd).toBe(g.root);
  const [after] = (await g.status()).shares;
  expect(after).toMatchObject({
    state: "running",
    children: [expect.objectContaining({ state: "running" })],
  });
  expect(after).not.toHaveProperty("lastError");
  expect(after?.children[0]).not.toHaveProperty("lastError");
}, 60_000);

test("restart <server>: its processes stop, the session stays connected and its next call starts it again", async () => {
  const g = await noisyBridge("noisy", "machine");
  const client = await v2Client(g.shareUrl("noisy"), g.token, "legacy");
  const before = JSON.parse(await callText(client, "where")).pid as number;

  const r = await cli(g, "restart", "noisy");
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.trim()).toBe(
    `✔ Stopped 1 process of noisy (pid ${before}): the next call starts it again; the session attached stays connected.`,
  );
  await until("the old process gone", () => {
    try {
      process.kill(before, 0);
      return undefined;
    } catch {
      return true;
    }
  });
  const after = JSON.parse(await callText(client, "where")).pid as number;
  expect(after).not.toBe(before);
  expect(await json(g, "restart", "noisy")).toEqual({
    name: "noisy",
    state: "restarted",
    stopped: 1,
    pids: [after],
    sessions: 1,
  });
  // Nothing running: said so, nothing stopped.
  const none = await cli(g, "restart", "noisy");
  expect(none.stdout.trim()).toBe(
    "✔ No process of noisy was running: nothing to stop; the next call starts it.",
  );

  // A name that is no shared server: exit 2, saying what it is and what to do.
  const unknown = await cli(g, "restart", "noisey");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain(
    "mcp-twin bridge restart noisey: not a shared server. Did you mean noisy?",
  );
  const plain = await cli(g, "status", "plain");
  expect(plain.code).toBe(2);
  expect(plain.stderr).toContain("plain is not shared");
  expect(plain.stderr).toContain("`mcp-twin share plain machine`");
  const start = await cli(g, "start", "noisy");
  expect(start.code).toBe(2);
  expect(start.stderr).toContain("`mcp-twin bridge restart noisy`");
}, 90_000);

test("logs <server>: a secret in every form a server prints it is masked — its environment dumped, JSON, URL-encoded, base64, hex, across a long line's cut", async () => {
  const g = await noisyBridge("leaky", "machine");
  const client = await v2Client(g.shareUrl("leaky"), g.token, "legacy");
  await callText(client, "leak");
  const file = path.join(g.dir, "logs", "leaky.log");
  await until("the long line's start in the log", () =>
    existsSync(file) && readFileSync(file, "utf8").includes("KiB, cut)") ? true : undefined,
  );
  await until("the stray stdout line in the log", () =>
    readFileSync(file, "utf8").includes("stdout (not JSON-RPC") ? true : undefined,
  );
  const shown = await cli(g, "logs", "leaky", "--lines", "1000");
  expect(shown.code, shown.stderr).toBe(0);
  const basic = Buffer.from(`user:${KEY}`).toString("base64");
  const forms = {
    raw: KEY,
    json: JSON.stringify(KEY).slice(1, -1),
    inspect: KEY.replace(/\\/g, "\\\\"),
    url: encodeURIComponent(KEY),
    form: new URLSearchParams({ k: KEY }).toString().slice(2),
    base64: basic.slice(8, -4),
    hex: Buffer.from(KEY).toString("hex"),
    head: KEY.slice(0, 6),
  };
  for (const text of [readFileSync(file, "utf8"), shown.stdout])
    for (const [form, value] of Object.entries(forms)) expect(text, form).not.toContain(value);
  // What was masked is said where it was.
  expect(shown.stdout).toContain("NOISY_KEY: '********'");
  expect(shown.stdout).toContain("url ******** form k=********");
}, 90_000);

test("logs <server>: its stderr, each line timed and keyed, its secret masked, bounded on disk", async () => {
  const g = await noisyBridge("noisy", "machine");
  const client = await v2Client(g.shareUrl("noisy"), g.token, "legacy");
  // Past twice the cap, a burst at a time (a burst past what waits for the disk is dropped).
  const calls = Math.ceil((2.5 * SHARE_LOG_BYTES) / (200 * 1000));
  for (let i = 0; i < calls; i++) await callText(client, "shout", { count: 200, size: 1000 });
  const file = path.join(g.dir, "logs", "noisy.log");
  // Said until it is in the log: a line that comes while the bursts still wait for the disk is
  // dropped (as the bound says), and under load that can be this one.
  await until(
    "the last line in its log",
    async () => {
      await callText(client, "say", { text: "the last word" });
      return existsSync(file) && readFileSync(file, "utf8").includes("the last word") ? true : undefined;
    },
    30_000,
  );
  expect(statSync(file).size).toBeLessThanOrEqual(SHARE_LOG_BYTES);
  expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(SHARE_LOG_BYTES);
  expect(statSync(file).mode & 0o777).toBe(0o600);

  // The last lines (a line of the gateway's own, such as a stop, may follow the child's).
  const last = await cli(g, "logs", "noisy", "-n", "3");
  expect(last.code, last.stderr).toBe(0);
  expect(last.stdout.split("\n").length).toBeLessThanOrEqual(4);
  expect(last.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[machine\] the last word$/m);
  const doc = await json(g, "logs", "noisy", "--lines", "100000");
  expect(doc).toMatchObject({ name: "noisy", file });
  const lines = doc.lines as string[];
  // The start's line (in `.1` by now, or dropped with the rest) never holds the secret.
  const all = `${readFileSync(`${file}.1`, "utf8")}${readFileSync(file, "utf8")}`;
  expect(all).not.toContain(SECRET);
  expect(lines.join("\n")).not.toContain(SECRET);
  expect(lines.length).toBeGreaterThan(100);
  // Its stderr is its own log's, not the bridge's.
  expect(g.stderr()).not.toContain("x".repeat(1000));

  // The secret, masked, where the start's line is kept.
  await cli(g, "restart", "noisy");
  await callText(client, "where");
  await until("the new start's line", () =>
    readFileSync(file, "utf8").includes("[machine] starting, token ********") ? true : undefined,
  );
  expect(readFileSync(file, "utf8")).not.toContain(SECRET);

  // --follow: what is written from now on, until Ctrl-C.
  const { spawn } = await import("node:child_process");
  const { BIN } = await import("../helpers.js");
  const follow = spawn(process.execPath, [BIN, "bridge", "logs", "noisy", "--follow", "-n", "0"], {
    env: g.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let seen = "";
  follow.stdout.on("data", (c: Buffer) => {
    seen += c.toString();
  });
  const ended = new Promise<number | null>((resolve) => follow.once("exit", (code) => resolve(code)));
  // Said until the follower (which starts reading once it runs) has shown it.
  await until(
    "the followed line",
    async () => {
      await callText(client, "say", { text: "followed" });
      return seen.includes("[machine] followed") ? true : undefined;
    },
    20_000,
  );
  follow.kill("SIGINT");
  expect(await ended).toBe(130);
  expect(seen).not.toContain("the last word");
}, 120_000);

test("stdout lines that are not JSON-RPC go to the server's own log, not the bridge's (serve.log)", async () => {
  const g = await noisyBridge("noisy", "machine");
  const client = await v2Client(g.shareUrl("noisy"), g.token, "legacy");
  expect(await callText(client, "print", { count: 500, text: "a line not JSON" })).toBe("said");
  await until("the printed lines in its own log", () =>
    g.serverLog("noisy").split("stdout (not JSON-RPC, ignored): printed a line not JSON").length === 501
      ? true
      : undefined,
  );
  expect(g.serverLog("noisy")).toMatch(
    /^\d{4}-\d\d-\d\dT[\d:.]+Z \[machine\] stdout \(not JSON-RPC, ignored\): printed a line not JSON$/m,
  );
  // The server still answers, and the bridge's own log holds none of it.
  expect(await callText(client, "say", { text: "still here" })).toBe("said");
  expect(g.stderr()).not.toContain("printed a line not JSON");
}, 60_000);

test("logs <server> with no log yet, and an unknown name", async () => {
  const g = await noisyBridge("noisy", "session");
  const none = await cli(g, "logs", "noisy");
  expect(none.code, none.stderr).toBe(0);
  expect(none.stdout).toBe("");
  expect(none.stderr).toContain("No log of noisy yet");
  const unknown = await cli(g, "logs", "nothing");
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("mcp-twin bridge logs nothing: not a shared server.");
}, 60_000);

test("run on Windows, the bridge in WSL: status, restart and logs of one server run there, shown here", async () => {
  const { createFakeMachine, writeManifest } = await import("../../helpers/fake-machine.js");
  const { freePort } = await import("../../helpers/net.js");
  const { spawn } = await import("node:child_process");
  const { BIN } = await import("../helpers.js");
  const port = await freePort();
  const win = createFakeMachine({ kind: "windows" });
  let bridge: ReturnType<typeof spawn> | undefined;
  try {
    writeManifest(win, {
      bridge: { port },
      servers: { noisy: { command: process.execPath, args: [noisyServer()], share: "machine" } },
    });
    // mcp-twin installed in WSL: this very build.
    const script = path.join(win.paths.linuxPrefix, "lib", "node_modules", "mcp-twin", "bin", "mcp-twin.js");
    mkdirSync(path.dirname(script), { recursive: true });
    const { symlinkSync } = await import("node:fs");
    symlinkSync(BIN, script);
    // A command run on Windows leaves WSL the way to the home (its manifest), then the bridge starts there.
    expect((await win.run(["bridge", "status"], { cwd: win.paths.profile })).code).toBe(0);
    bridge = spawn(process.execPath, [script, "serve", "--http", "--port", String(port)], {
      env: win.wslEnv,
      cwd: win.paths.linuxHome,
      stdio: "ignore",
    });
    const state = path.join(win.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
    const token = await until("the bridge in WSL", () =>
      existsSync(path.join(state, "serve.json"))
        ? readFileSync(path.join(state, "token"), "utf8").trim()
        : undefined,
    );
    const client = await v2Client(`http://127.0.0.1:${port}/share/noisy`, token, "legacy");
    const pid = JSON.parse(await callText(client, "where")).pid as number;
    await callText(client, "say", { text: "from wsl" });

    win.clearInteropLog();
    const status = await win.run(["bridge", "status", "noisy"], { cwd: win.paths.profile });
    expect(status.code, status.stderr).toBe(0);
    expect(win.interopCalls().filter((c) => c.includes("bridge status noisy --json"))).toHaveLength(1);
    expect(status.stdout).toContain(`✔ noisy: machine, running: pid ${pid}`);
    expect(status.stdout).toContain(`processes  machine: running, pid ${pid}`);
    expect(status.stdout).toContain(
      `${path.join(state, "logs", "noisy.log")} (\`mcp-twin bridge logs noisy\`)`,
    );
    await until("the line in its log", () =>
      readFileSync(path.join(state, "logs", "noisy.log"), "utf8").includes("from wsl") ? true : undefined,
    );
    const logs = await win.run(["bridge", "logs", "noisy", "-n", "1"], { cwd: win.paths.profile });
    expect(logs.stdout).toMatch(/ \[machine\] from wsl\n$/);
    const follow = await win.run(["bridge", "logs", "noisy", "--follow"], { cwd: win.paths.profile });
    expect(follow.code).toBe(2);
    expect(follow.stderr).toContain("--follow reads the log where the bridge runs (wsl:Ubuntu)");
    const restart = await win.run(["bridge", "restart", "noisy"], { cwd: win.paths.profile });
    expect(restart.stdout.trim()).toBe(
      `✔ Stopped 1 process of noisy (pid ${pid}): the next call starts it again; the session attached stays connected.`,
    );
    // A name that is no shared server, said there: exit 2 here too, with the same words.
    const unknown = await win.run(["bridge", "status", "nosiy"], { cwd: win.paths.profile });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "mcp-twin bridge status nosiy: not a shared server. Did you mean noisy?",
    );
  } finally {
    if (bridge?.exitCode === null) {
      const exited = new Promise((resolve) => bridge?.once("exit", resolve));
      bridge.kill("SIGTERM");
      await exited;
    }
    win.cleanup();
  }
}, 120_000);

test("a server the manifest disables: status, restart and logs of it say so (exit 2) and how to turn it on; share says it stays off", async () => {
  const g = await gatewayBridge({
    servers: { off: { command: process.execPath, args: ["-e", ""], share: "machine", disabled: true } },
  });
  for (const verb of ["status", "restart", "logs"]) {
    const r = await cli(g, verb, "off");
    expect(r.code, `${verb}: ${r.stdout}${r.stderr}`).toBe(2);
    expect(r.stderr).toContain("off is disabled in the manifest, so the bridge does not run it.");
    expect(r.stderr).toContain('Take "disabled": true out of servers.off, then run `mcp-twin sync`.');
  }
  // Sharing it in another mode is written, and said true: disabled, the bridge still runs none.
  const share = await runCli(["share", "off", "session", "--no-sync"], g.env);
  expect(share.code, share.stderr).toBe(0);
  expect(share.stdout).toContain(
    "off is shared per session in " +
      path.join(g.root, "mcp-twin-home", "mcp-twin.jsonc") +
      ', but it is disabled there: the bridge runs it once you take "disabled": true out of servers.off and sync.',
  );
  expect(share.stdout).not.toContain("it runs in the bridge once synced");
});
