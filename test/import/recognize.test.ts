/**
 * The recognisers, table by table: one config entry in, what it runs out. Every wrapper and runner
 * form import claims to understand is here, and so is each "not understood" reason.
 */
import { describe, expect, test } from "vitest";
import { parseRunner } from "../../src/core/entries/launch/runners.js";
import { RELAY_NODE_FLAGS } from "../../src/core/entries/relay-node-flags.js";
import type { EnvKind } from "../../src/core/environments/types.js";
import {
  type PackageJson,
  type Recognition,
  type RecognizeContext,
  recognizeEntry,
} from "../../src/core/import/recognize.js";
import type { ClientId } from "../../src/core/manifest/schema.js";

/** One line per recognition, so a table row shows everything that matters. */
function summary(r: Recognition): string {
  if (r.kind === "unknown") return `unknown: ${r.reason}`;
  if (r.kind === "url")
    return `url${r.transport ? ` (${r.transport})` : ""} ${r.url}${Object.keys(r.headers).length ? ` headers=${Object.keys(r.headers).join(",")}` : ""}`;
  const where = r.runsIn.where === "wsl" ? ` in wsl${r.runsIn.distro ? `:${r.runsIn.distro}` : ""}` : "";
  const env = Object.keys(r.env).length > 0 ? ` env=${Object.keys(r.env).join(",")}` : "";
  const head =
    r.kind === "package"
      ? `package ${r.name}${r.range ? `@${r.range}` : ""}${r.bin ? ` bin=${r.bin}` : ""}`
      : `command ${r.command}`;
  return `${head} [${r.args.join(" ")}]${where}${env} via ${r.via}`;
}

const PACKAGES: Record<string, PackageJson> = {
  "/home/bob/.npm-global/lib/node_modules/@acme/mcp": {
    name: "@acme/mcp",
    version: "1.2.3",
    bin: { "acme-mcp": "dist/index.js", "acme-cli": "dist/cli.js" },
  },
  "C:\\Users\\alice\\AppData\\Roaming\\npm\\node_modules\\tavily-mcp": {
    name: "tavily-mcp",
    version: "0.2.22",
    bin: "./build/index.js",
  },
  "C:\\path\\to\\local-mcp": { name: "local-mcp", version: "0.1.0", bin: { "local-mcp": "dist/index.js" } },
};

/** The scripts that are there, and the ones known not to be (any other path: cannot tell). */
const THERE = new Set([
  "C:\\path\\to\\local-mcp\\dist\\index.js",
  "C:\\path\\to\\local-mcp\\scripts\\dev.js",
]);
const GONE = new Set(["C:\\path\\to\\local-mcp\\dist\\gone.js"]);

function ctx(client: ClientId = "claude-desktop", envKind: EnvKind = "windows"): RecognizeContext {
  return {
    client,
    envKind,
    readPackageJson: (dir) => PACKAGES[dir],
    exists: (file) => (THERE.has(file) ? true : GONE.has(file) ? false : undefined),
  };
}

const stdio = (command: string, args: string[] = [], env?: Record<string, string>) => ({
  command,
  args,
  ...(env ? { env } : {}),
});

describe("package runners", () => {
  test.each([
    [
      stdio("npx", ["-y", "@modelcontextprotocol/server-filesystem", "C:/a", "C:/b"]),
      "package @modelcontextprotocol/server-filesystem [C:/a C:/b] via npx",
    ],
    [stdio("npx", ["pkg@1.2.3"]), "package pkg@1.2.3 [] via npx"],
    [stdio("npx", ["-y", "pkg@latest"]), "package pkg [] via npx"],
    [
      stdio("npx", ["-y", "@scope/pkg@^1.2.0", "--port", "3"]),
      "package @scope/pkg@^1.2.0 [--port 3] via npx",
    ],
    [stdio("npx", ["--yes", "pkg@next", "--flag"]), "package pkg@next [--flag] via npx"],
    [stdio("npx", ["-y", "--package=task-master-ai", "task-master-ai"]), "package task-master-ai [] via npx"],
    [
      stdio("npx", ["-y", "-p", "@acme/tools", "acme-mcp", "serve"]),
      "package @acme/tools bin=acme-mcp [serve] via npx",
    ],
    [stdio("npx", ["--package", "@acme/tools", "acme-mcp"]), "package @acme/tools bin=acme-mcp [] via npx"],
    [stdio("npx", ["-y", "--", "pkg", "-y"]), "package pkg [-y] via npx"],
    [stdio("npx", ["-q", "--prefer-offline", "pkg"]), "package pkg [] via npx"],
    [stdio("C:\\Program Files\\nodejs\\npx.cmd", ["-y", "pkg"]), "package pkg [] via npx"],
    [stdio("/home/bob/.nvm/versions/node/v22.12.0/bin/npx", ["-y", "pkg"]), "package pkg [] via npx"],
    [
      stdio("bunx", ["-y", "@brave/brave-search-mcp-server", "--transport", "stdio"]),
      "package @brave/brave-search-mcp-server [--transport stdio] via bunx",
    ],
    [stdio("bunx", ["@playwright/mcp@latest"]), "package @playwright/mcp [] via bunx"],
    [stdio("bun", ["x", "--bun", "pkg@2.0.0"]), "package pkg@2.0.0 [] via bun x"],
    [stdio("pnpm", ["dlx", "pkg", "arg"]), "package pkg [arg] via pnpm dlx"],
    [stdio("pnpx", ["pkg"]), "package pkg [] via pnpx"],
    [
      stdio("yarn", ["dlx", "-p", "@acme/tools", "acme-mcp"]),
      "package @acme/tools bin=acme-mcp [] via yarn dlx",
    ],
    [stdio("npm", ["exec", "-y", "--", "pkg", "--port", "1"]), "package pkg [--port 1] via npm exec"],
    [stdio("npm", ["exec", "--yes", "pkg", "--", "--port", "1"]), "package pkg [--port 1] via npm exec"],
    [stdio("npm", ["x", "pkg"]), "package pkg [] via npm exec"],
    [stdio("npx -y pkg /data"), "package pkg [/data] via npx"],
  ])("%j → %s", (entry, expected) => expect(summary(recognizeEntry(entry, ctx()))).toBe(expected));

  test("a registry option is reported (sync installs from the npm configuration)", () => {
    const r = recognizeEntry(stdio("npx", ["--registry=https://r.example", "pkg"]), ctx());
    expect(r).toMatchObject({ kind: "package", name: "pkg" });
    expect((r as { notes: string[] }).notes.join()).toContain("https://r.example");
  });

  test.each([
    [["-c", "echo hi"], "runs a shell command line"],
    [["github:user/repo"], '"github:user/repo" is not an npm package name'],
    [["./local-server"], "is not an npm package name"],
    [["--weird", "pkg"], "option --weird is not one mcp-twin understands"],
    [["-y"], "with nothing to run"],
    [["-p", "a", "-p", "b", "a"], "several packages"],
  ])("npx %j stays a command, with the reason", (args, reason) => {
    const r = recognizeEntry(stdio("npx", args), ctx("cursor", "linux"));
    expect(r).toMatchObject({ kind: "command", command: "npx", args });
    expect((r as { notes: string[] }).notes.join()).toContain(reason);
  });

  test("parseRunner ignores programs that are not runners", () => {
    expect(parseRunner("node", ["x"])).toBeUndefined();
    expect(parseRunner("pnpm", ["install"])).toBeUndefined();
    expect(parseRunner("npm", ["start"])).toBeUndefined();
  });
});

describe("wrappers", () => {
  test.each([
    [
      stdio("cmd", ["/c", "npx", "-y", "@upstash/context7-mcp"]),
      "package @upstash/context7-mcp [] via cmd /c npx",
    ],
    [stdio("cmd.exe", ["/C", "npx", "pkg"]), "package pkg [] via cmd /c npx"],
    [
      stdio("C:\\Windows\\System32\\cmd.exe", ["/d", "/s", "/c", "npx", "-y", "pkg"]),
      "package pkg [] via cmd /c npx",
    ],
    [stdio("cmd", ["/c", "npx -y pkg C:\\data"]), "package pkg [C:\\data] via cmd /c npx"],
    [stdio("cmd", ["/s", "/c", '"npx -y pkg "C:\\My Data""']), "package pkg [C:\\My Data] via cmd /c npx"],
    [stdio("cmd", ["/c", "npx.cmd", "-y", "pkg"]), "package pkg [] via cmd /c npx"],
    [
      stdio("wsl", ["npx", "-y", "@supabase/mcp-server-supabase@latest"]),
      "package @supabase/mcp-server-supabase [] in wsl via wsl npx",
    ],
    [
      stdio("wsl.exe", ["-d", "Ubuntu", "--exec", "npx", "-y", "pkg"]),
      "package pkg [] in wsl:Ubuntu via wsl npx",
    ],
    [
      stdio("C:\\Windows\\System32\\wsl.exe", ["--distribution", "Debian", "-e", "npx", "pkg"]),
      "package pkg [] in wsl:Debian via wsl npx",
    ],
    [stdio("wsl", ["--", "npx", "pkg"]), "package pkg [] in wsl via wsl npx"],
    [stdio("wsl", ["~", "-d", "Ubuntu", "npx", "pkg"]), "package pkg [] in wsl:Ubuntu via wsl npx"],
    [stdio("wsl", ["--shell-type", "login", "npx", "pkg"]), "package pkg [] in wsl via wsl npx"],
    [stdio("wsl", ["bash", "-c", "npx -y pkg"]), "package pkg [] in wsl via wsl bash -c npx"],
    [
      stdio("wsl", ["bash", "-lc", "source ~/.nvm/nvm.sh && exec npx -y pkg /home/bob/docs"]),
      "package pkg [/home/bob/docs] in wsl via wsl bash -c npx",
    ],
    [
      stdio("wsl", ["-d", "Ubuntu", "bash", "-ic", "export FOO=1; nvm use 22; npx 'pkg' \"a b\""]),
      "package pkg [a b] in wsl:Ubuntu env=FOO via wsl bash -c npx",
    ],
    [
      stdio("wsl.exe", ["-d", "Ubuntu", "uvx", "mcp-server-time"]),
      "command uvx [mcp-server-time] in wsl:Ubuntu via wsl uvx",
    ],
    [stdio("wsl", ["-u", "root", "npx", "pkg"]), "package pkg [] in wsl via wsl npx"],
    [stdio("bash", ["-c", "BAR=2 exec npx pkg"]), "package pkg [] env=BAR via bash -c npx"],
    [stdio("sh", ["-l", "-c", "npx pkg"]), "package pkg [] via sh -c npx"],
    [stdio("/usr/bin/env", ["FOO=1", "npx", "pkg"]), "package pkg [] env=FOO via env npx"],
    [
      stdio("cmd", ["/c", "wsl", "-d", "Ubuntu", "npx", "pkg"]),
      "package pkg [] in wsl:Ubuntu via cmd /c wsl npx",
    ],
  ])("%j → %s", (entry, expected) => expect(summary(recognizeEntry(entry, ctx()))).toBe(expected));

  test("WSLENV is dropped (sync writes its own); the other variables stay", () => {
    const r = recognizeEntry(stdio("wsl.exe", ["npx", "pkg"], { API_KEY: "k", WSLENV: "API_KEY/u" }), ctx());
    expect(r).toMatchObject({ kind: "package", env: { API_KEY: "k" } });
  });

  test.each([
    // Shell syntax a wrapper cannot be peeled from: kept verbatim.
    [
      stdio("cmd", ["/c", "npx", "-y", "pkg", "&&", "echo", "done"]),
      "command cmd [/c npx -y pkg && echo done] via cmd",
    ],
    [stdio("cmd", ["/c", "npx -y pkg | more"]), "command cmd [/c npx -y pkg | more] via cmd"],
    [
      stdio("bash", ["-c", "npx -y pkg | tee /tmp/log"]),
      "command bash [-c npx -y pkg | tee /tmp/log] via bash",
    ],
    [stdio("sh", ["-c", "cd /srv && npx pkg"]), "command sh [-c cd /srv && npx pkg] via sh"],
    [stdio("bash", ["-c", "npx pkg $HOME"]), "command bash [-c npx pkg $HOME] via bash"],
    [stdio("bash", ["-c", "npx pkg", "argv0", "x"]), "command bash [-c npx pkg argv0 x] via bash"],
    // What runs inside WSL is kept when the inner part is not understood.
    [
      stdio("wsl", ["bash", "-c", "cd ~/srv && node server.js"]),
      "command bash [-c cd ~/srv && node server.js] in wsl via wsl bash",
    ],
  ])("%j → %s", (entry, expected) => expect(summary(recognizeEntry(entry, ctx()))).toBe(expected));

  test.each([
    [["--cd", "/srv", "npx", "pkg"], "working folder"],
    [["--install"], "option --install"],
    [["-d", "Ubuntu"], "no command"],
  ])("wsl %j is not understood", (args, reason) => {
    const r = recognizeEntry(stdio("wsl", args), ctx());
    expect(r.kind).toBe("unknown");
    expect((r as { reason: string }).reason).toContain(reason);
  });
});

describe("node <script> of an installed package", () => {
  test.each([
    [
      stdio("node", ["/home/bob/.npm-global/lib/node_modules/@acme/mcp/dist/index.js", "--x"]),
      "package @acme/mcp@1.2.3 [--x] via node <installed script>",
    ],
    [
      stdio("/usr/bin/node", ["/home/bob/.npm-global/lib/node_modules/@acme/mcp/dist/cli.js"]),
      "package @acme/mcp@1.2.3 bin=acme-cli [] via node <installed script>",
    ],
    [
      stdio("C:\\Program Files\\nodejs\\node.exe", [
        "C:\\Users\\alice\\AppData\\Roaming\\npm\\node_modules\\tavily-mcp\\build\\index.js",
      ]),
      "package tavily-mcp@0.2.22 [] via node <installed script>",
    ],
    [
      stdio("C:\\PROGRA~1\\nodejs\\node.exe", [
        "C:/Users/alice/AppData/Roaming/npm/node_modules/tavily-mcp/BUILD/index.js",
      ]),
      "package tavily-mcp@0.2.22 [] via node <installed script>",
    ],
    [
      stdio("node", ["/usr/lib/node_modules/unreadable-pkg/dist/index.js", "/data"]),
      "package unreadable-pkg [/data] via node <installed script>",
    ],
    [
      stdio("wsl", [
        "-d",
        "Ubuntu",
        "--exec",
        "/usr/bin/node",
        "/home/bob/.npm-global/lib/node_modules/@acme/mcp/dist/index.js",
      ]),
      "package @acme/mcp@1.2.3 [] in wsl:Ubuntu via wsl node <installed script>",
    ],
  ])("%j → %s", (entry, expected) => expect(summary(recognizeEntry(entry, ctx()))).toBe(expected));

  test("an unreadable package.json is reported: its script was taken to be the bin", () => {
    const r = recognizeEntry(stdio("node", ["/usr/lib/node_modules/unreadable-pkg/dist/index.js"]), ctx());
    expect((r as { notes: string[] }).notes.join()).toMatch(/could not read .*package\.json/);
  });

  test.each([
    [
      ["/home/bob/.npm-global/lib/node_modules/@acme/mcp/dist/helper.js"],
      "not one of its bins (acme-mcp, acme-cli)",
    ],
    [["C:\\path\\to\\ahk-mcp\\dist\\index.js"], "outside any installed package"],
    [
      ["C:\\path\\to\\local-mcp\\dist\\index.js"],
      "runs a script outside any installed package: the local-mcp bin of local-mcp 0.1.0, from its folder C:\\path\\to\\local-mcp",
    ],
    // In the package's folder but not its bin: not said to be the package's.
    [["C:\\path\\to\\local-mcp\\scripts\\dev.js"], "runs a script outside any installed package"],
    [
      ["C:\\path\\to\\local-mcp\\dist\\gone.js"],
      "runs C:\\path\\to\\local-mcp\\dist\\gone.js, which does not exist",
    ],
    [["--inspect", "/x/node_modules/p/i.js"], "node option --inspect"],
    [["server.js"], "not an absolute path"],
    [["~/.cursor/mcp-servers/planner/server.js"], "not an absolute path"],
    [["/x/node_modules/@scope"], "not a file inside a package"],
    [[], "without a script"],
  ])("node %j stays a command: %s", (args, reason) => {
    const r = recognizeEntry(
      stdio("C:\\Program Files\\nodejs\\node.exe", args, { NODE_ENV: "production" }),
      ctx(),
    );
    expect(r).toMatchObject({
      kind: "command",
      command: "C:\\Program Files\\nodejs\\node.exe",
      args,
      env: { NODE_ENV: "production" },
    });
    const notes = (r as { notes: string[] }).notes.join();
    expect(notes).toContain(reason);
    // Only a script that is a package's bin is named as that package's; npm is never promised.
    if (!reason.includes("bin of")) expect(notes).not.toContain("local-mcp 0.1.0");
    expect(notes).not.toMatch(/mcp-twin add|from npm/);
  });
});

describe("other programs are commands", () => {
  test.each([
    [stdio("uvx", ["mcp-server-time"]), "command uvx [mcp-server-time] via uvx"],
    [
      stdio("uv", ["run", "--directory", "${SERENA_PATH}", "serena"]),
      "command uv [run --directory ${SERENA_PATH} serena] via uv",
    ],
    [
      stdio("docker", ["run", "-i", "--rm", "mcp/fetch"]),
      "command docker [run -i --rm mcp/fetch] via docker",
    ],
    [stdio("gh", ["mcp"]), "command gh [mcp] via gh"],
    [
      stdio("C:\\Users\\ansar\\.local\\bin\\uv.EXE", ["run", "x.py"]),
      "command C:\\Users\\ansar\\.local\\bin\\uv.EXE [run x.py] via uv",
    ],
    [
      stdio("D:\\MCP Mods\\.venv\\Scripts\\python.exe", ["-u", "D:\\MCP Mods\\x.py"]),
      "command D:\\MCP Mods\\.venv\\Scripts\\python.exe [-u D:\\MCP Mods\\x.py] via python",
    ],
    [stdio("Java", ["-jar", "x.jar"]), "command Java [-jar x.jar] via java"],
    [stdio("cmd", ["/c", "uvx", "mcp-server-time"]), "command cmd [/c uvx mcp-server-time] via cmd"],
    [
      { type: "stdio", command: "node", args: ["/opt/srv/index.js"] },
      "command node [/opt/srv/index.js] via node",
    ],
  ])("%j → %s", (entry, expected) => expect(summary(recognizeEntry(entry, ctx()))).toBe(expected));
});

describe("remote entries", () => {
  test.each<[unknown, ClientId, string]>([
    [
      { type: "http", url: "https://mcp.context7.com/mcp", headers: { X: "1" } },
      "claude-code",
      "url https://mcp.context7.com/mcp headers=X",
    ],
    [{ type: "streamable-http", url: "https://a.example/mcp" }, "claude-code", "url https://a.example/mcp"],
    [{ url: "https://a.example/mcp" }, "cursor", "url https://a.example/mcp"],
    [{ type: "http", url: "http://127.0.0.1:7760/mcp" }, "vscode", "url http://127.0.0.1:7760/mcp"],
    [{ serverUrl: "https://w.example/mcp" }, "windsurf", "url https://w.example/mcp"],
    [{ httpUrl: "https://g.example/mcp" }, "gemini-cli", "url https://g.example/mcp"],
    [{ url: "https://a.example/mcp" }, "claude-desktop", "url https://a.example/mcp"],
    // SSE (was "not understood" before mcp-twin wrote SSE url servers)
    [{ type: "sse", url: "http://localhost:8081/sse" }, "vscode", "url (sse) http://localhost:8081/sse"],
    [
      { type: "sse", url: "https://s.example/sse", headers: { A: "1" } },
      "claude-code",
      "url (sse) https://s.example/sse headers=A",
    ],
    // Gemini CLI: url is SSE in its docs (newer versions try Streamable HTTP first); type says which.
    [{ url: "https://g.example/sse" }, "gemini-cli", "url (sse) https://g.example/sse"],
    [{ url: "https://g.example/sse", type: "sse" }, "gemini-cli", "url (sse) https://g.example/sse"],
    [{ url: "https://g.example/mcp", type: "http" }, "gemini-cli", "url https://g.example/mcp"],
    [{ url: "https://c.example/sse" }, "cursor", "url https://c.example/sse"],
  ])("%j in %s → %s", (entry, client, expected) =>
    expect(summary(recognizeEntry(entry, ctx(client)))).toBe(expected),
  );

  test.each<[unknown, ClientId, string]>([
    [{ type: "ws", url: "ws://x" }, "claude-code", "WebSocket"],
    [{ url: "https://a.example/mcp" }, "claude-code", 'without "type"'],
    [{ type: "grpc", url: "https://a.example" }, "cursor", "not a remote transport"],
    [{ url: "ftp://a.example" }, "cursor", "must be an http:// or https:// URL (not ftp:)"],
    [{ url: "https://a.example", headers: { A: 1 } }, "cursor", '"headers" is not an object of strings'],
    [{ url: "https://a", command: "npx" }, "cursor", 'both "command" and "url"'],
    // The gateway's entries sync writes (a client token in them), toolSearch's `tools` and a share's.
    [
      {
        url: "http://127.0.0.1:7760/tools",
        headers: { Authorization: "Bearer mt2.tools.windows:cursor.abc" },
      },
      "cursor",
      "url entry to mcp-twin's gateway",
    ],
    [
      {
        httpUrl: "http://127.0.0.1:7760/share/memory",
        headers: { authorization: "Bearer mt2.memory.wsl:Ubuntu:gemini-cli.abc" },
      },
      "gemini-cli",
      "url entry to mcp-twin's gateway",
    ],
  ])("%j in %s is not understood (%s)", (entry, client, reason) => {
    const r = recognizeEntry(entry, ctx(client));
    expect(r.kind).toBe("unknown");
    expect((r as { reason: string }).reason).toContain(reason);
  });
});

describe("entries that cannot be imported faithfully", () => {
  test.each([
    [null, "not an object"],
    [["npx"], "not an object"],
    [{ command: "npx", args: ["pkg"], disabled: true }, "disabled"],
    [{ command: "node", args: ["x.js"], cwd: "/srv" }, '"cwd"'],
    [{ command: "node", envFile: ".env" }, '"envFile"'],
    [{ type: "http", url: "https://a", headersHelper: "get-token" }, '"headersHelper"'],
    [{ command: "npx", args: ["pkg", 1] }, '"args" is not a list of strings'],
    [{ command: "npx", env: { A: 1 } }, '"env" is not an object of strings'],
    [{ args: ["x"] }, "neither a command nor a url"],
    [{ command: 42 }, '"command" is not a string'],
    [{ command: "npx", type: "http" }, '"type": "http" with a command'],
    [{ command: "npx", args: ["-y", "mcp-twin", "serve"] }, "mcp-twin bridge or relay"],
    [
      { command: "node", args: ["/usr/lib/node_modules/mcp-twin/bin/mcp-twin.js", "connect", "https://x"] },
      "mcp-twin bridge or relay",
    ],
    [
      {
        command: "C:\\Program Files\\nodejs\\node.exe",
        args: [
          ...RELAY_NODE_FLAGS,
          "C:\\Users\\bob\\AppData\\Roaming\\npm\\node_modules\\mcp-twin\\bin\\mcp-twin.js",
          "connect",
          "http://127.0.0.1:7760/mcp",
        ],
      },
      "mcp-twin bridge or relay",
    ],
  ])("%j → not understood (%s)", (entry, reason) => {
    const r = recognizeEntry(entry, ctx());
    expect(r.kind).toBe("unknown");
    expect((r as { reason: string }).reason).toContain(reason);
  });

  test('`"enabled": false` (Zed, opencode) is disabled in its client, as `"disabled": true` is', () => {
    const r = recognizeEntry({ source: "custom", command: "npx", args: ["pkg"], enabled: false }, ctx("zed"));
    expect(r).toEqual({ kind: "unknown", reason: "disabled in this client; left as it is" });
  });

  test("the client's own fields, which sync keeps, are no keys a rewrite would drop (Zed's source, enabled, remote)", () => {
    const r = recognizeEntry(
      { source: "custom", enabled: true, remote: false, command: "npx", args: ["pkg"], env: {} },
      ctx("zed"),
    );
    expect(r).toMatchObject({ kind: "package", extraKeys: [] });
  });

  test("client preferences a rewrite would drop are listed (alwaysAllow, timeout)", () => {
    const r = recognizeEntry(
      { command: "npx", args: ["pkg"], alwaysAllow: ["read"], timeout: 5, disabled: false },
      ctx(),
    );
    expect(r).toMatchObject({ kind: "package", extraKeys: ["alwaysAllow", "timeout"] });
  });
});

/**
 * Import and doctor read a launch line with one parser (src/core/entries/launch/). Where the two copies
 * used to read the same entry differently, import now reads it as doctor (and the client) does.
 */
describe("read as doctor reads it", () => {
  test.each([
    [{ command: "npx", args: ["-y", "pkg"], env: null }, '"env" is not an object of strings'],
    [{ type: "http", url: "https://a.example/mcp", headers: null }, '"headers" is not an object of strings'],
  ])(
    "%j: null is not an object of strings (doctor calls the entry invalid; clients refuse it)",
    (entry, reason) => {
      const r = recognizeEntry(entry, ctx("claude-code", "linux"));
      expect(r.kind).toBe("unknown");
      expect((r as { reason: string }).reason).toContain(reason);
    },
  );

  test.each([
    [
      // How sync starts a command inside WSL through a login shell: the package behind it is read.
      stdio("wsl.exe", ["-d", "Ubuntu", "--exec", "bash", "-lc", 'exec "$0" "$@"', "npx", "-y", "pkg"]),
      "package pkg [] in wsl:Ubuntu via wsl bash -c npx",
    ],
    [
      // A command that is no package keeps what runs inside WSL as written (import's rule).
      stdio("wsl.exe", ["-d", "Ubuntu", "--exec", "sh", "-lc", 'exec "$0" "$@"', "uvx", "mcp-server-time"]),
      'command sh [-lc exec "$0" "$@" uvx mcp-server-time] in wsl:Ubuntu via wsl sh',
    ],
    [stdio("bash", ["-e", "-c", "npx -y pkg"]), "package pkg [] via bash -c npx"],
    [stdio("bash", ["--noprofile", "-lc", "npx -y pkg"]), "package pkg [] via bash -c npx"],
  ])("%j → %s", (entry, expected) => expect(summary(recognizeEntry(entry, ctx()))).toBe(expected));
});
