/**
 * The lean entries' command lines (`connect`, `serve --http`, run without commander): what they
 * take, read as commander reads it, and what they leave to the full command line (null), which says
 * what is wrong with its usage.
 */
import { describe, expect, test } from "vitest";
import { parseConnectArgv } from "../../src/commands/connect/entry.js";
import { parseServeArgv } from "../../src/commands/serve/http-entry.js";

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
