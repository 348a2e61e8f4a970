/**
 * The lean entries' command lines (`connect`, `serve --http`, run without commander): what they
 * take, read as commander reads it, and what they leave to the full command line (null), which says
 * what is wrong with its usage.
 */
import { describe, expect, test } from "vitest";
import { parseConnectArgv } from "../../src/commands/connect/entry.js";
import { connectCommand } from "../../src/commands/connect-flags.js";
import { parseServeArgv } from "../../src/commands/serve/http-entry.js";
import { serveCommand } from "../../src/commands/serve-flags.js";
import type { Flag } from "../../src/commands/shared/command.js";
import { leanArgv } from "../../src/commands/shared/lean-argv.js";

/** A flag given on the command line (a value flag with `v`), and what commander reads from it. */
const given = (flag: Flag<unknown>) => {
  const long = /--[\w-]+/.exec(flag.flags)?.[0] ?? "";
  return flag.kind === "value" || flag.kind === "list" ? [long, "v"] : [long];
};
const read = (flag: Flag<unknown>) => ({ switch: true, negated: false, value: "v", list: ["v"] })[flag.kind];

describe("each flag is declared once, in <command>-flags.ts, and the lean entries read it from there", () => {
  test("connect: every flag connect-flags.ts declares", () => {
    for (const [key, flag] of Object.entries(connectCommand.flags))
      expect(leanArgv(connectCommand, ["http://a", ...given(flag)])?.options, key).toMatchObject({
        [key]: read(flag),
      });
  });

  test("serve --http: every flag serve-flags.ts declares but the token's, which commander takes", () => {
    for (const [key, flag] of Object.entries(serveCommand.flags)) {
      const options = parseServeArgv(["--http", ...given(flag)]);
      if (key === "printToken" || key === "rotateToken") expect(options, key).toBeNull();
      else expect(options, key).toMatchObject({ [key]: read(flag) });
    }
  });
});

describe("connect", () => {
  test("a url with every flag, in either form, repeatable headers kept in order", () => {
    expect(
      parseConnectArgv([
        "http://127.0.0.1:7760/share/fs",
        "--header",
        "A: 1",
        "--header=B: 2",
        "--token-file",
        "/t",
        "--transport=sse",
        "--auth",
        "fs",
        "--as",
        "linux:claude-code",
        "--no-start",
        "--no-color",
        "--verbose",
      ]),
    ).toEqual({
      url: "http://127.0.0.1:7760/share/fs",
      header: ["A: 1", "B: 2"],
      tokenFile: "/t",
      start: false,
      transport: "sse",
      auth: "fs",
      client: "linux:claude-code",
      noColor: true,
    });
    expect(parseConnectArgv(["https://x.example/mcp"])).toEqual({
      url: "https://x.example/mcp",
      header: [],
      tokenFile: undefined,
      start: true,
      transport: "http",
      auth: undefined,
      client: undefined,
      noColor: false,
    });
  });

  test.each([
    ["no url", []],
    ["two urls", ["http://a", "http://b"]],
    ["help", ["--help"]],
    ["a short flag", ["-h"]],
    ["an unknown flag", ["http://a", "--nope"]],
    ["a value missing", ["http://a", "--header"]],
    ["a value that looks like a flag", ["http://a", "--header", "--no-start"]],
    ["a switch given a value", ["http://a", "--no-start=yes"]],
    ["the end of the flags", ["--", "http://a"]],
  ])("%s: left to the full command line", (_, args) => {
    expect(parseConnectArgv(args)).toBeNull();
  });
});

describe("serve --http", () => {
  test("what a bridge start passes, and the HTTP face's flags", () => {
    expect(
      parseServeArgv([
        "--http",
        "--port",
        "7761",
        "--host",
        "127.0.0.1",
        "--listen-fd",
        "3",
        "--share",
        "fs",
        "--share",
        "gh",
        "--allow-origin",
        "https://a.example",
        "--no-plugins",
        "--keep",
        "--json",
        "--no-color",
      ]),
    ).toMatchObject({
      http: true,
      port: "7761",
      host: "127.0.0.1",
      listenFd: "3",
      share: ["fs", "gh"],
      allowOrigin: ["https://a.example"],
      plugins: false,
      keep: true,
      json: true,
      color: false,
    });
    const bare = parseServeArgv(["--http"]);
    expect(bare).toMatchObject({ http: true, share: [], allowOrigin: [], plugins: true });
    expect(bare && "json" in bare).toBe(false);
  });

  test.each([
    ["no --http (stdio)", ["--port", "7761"]],
    ["an argument", ["--http", "extra"]],
    ["a flag it leaves to commander", ["--http", "--print-token"]],
    ["a value missing", ["--http", "--port"]],
    ["help", ["--http", "--help"]],
  ])("%s: left to the full command line", (_, args) => {
    expect(parseServeArgv(args)).toBeNull();
  });
});
