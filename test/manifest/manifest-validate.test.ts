/** Manifest text in, a Manifest or errors naming file:line:column out (core/manifest/validate.ts), pure. */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { UsageError, UsageErrors } from "../../src/core/errors.js";
import { parseManifestText } from "../../src/core/manifest/validate.js";

function errorsOf(text: string): { message: string; line?: number; column?: number; hint?: string }[] {
  try {
    parseManifestText(text, "m.jsonc");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return (error instanceof UsageErrors ? error.errors : [error]).map((e) => ({
      message: e.message,
      line: e.location?.line,
      column: e.location?.column,
      hint: e.hint,
    }));
  }
  throw new Error("the manifest was accepted");
}

describe("syntax errors", () => {
  test("one slip is one error: the first of its line, not the parser's recovery after it", () => {
    // jsonc-parser reports `,,` three times (value expected, property name expected, value expected)
    const errors = errorsOf('{\n  "servers": {,,\n    "a": { "command": "x" }\n  }\n}\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 2, column: 15 });
    expect(errors[0]?.message).toBe("m.jsonc:2:15: value expected; the manifest is not valid JSON (JSONC).");
  });

  test("slips on different lines are each reported", () => {
    const errors = errorsOf(
      '{\n  "servers": {\n    "a": { "command": "x" }\n    "b": { "command": "y" }\n    "c": { "command": "z" }\n  }\n}\n',
    );
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [4, 5],
      [5, 5],
    ]);
    expect(errors[0]?.message).toContain("comma expected");
  });
});

describe("a manifest with nothing in it", () => {
  test.each([
    ["", "the manifest is empty"],
    ["\uFEFF", "the manifest is empty"],
    [" \n\t\r\n", "the manifest holds only whitespace"],
    ["// my servers\n/* tavily, memory */\n", "the manifest holds only comments"],
  ])("%j is refused at 1:1, never read as no servers", (text, what) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 1, column: 1 });
    expect(errors[0]?.message).toBe(
      `m.jsonc:1:1: ${what}; mcp-twin does not read that as "no servers" (an editor crash or a full disk can empty a file), so it changes nothing until the file holds a manifest.`,
    );
    expect(errors[0]?.hint).toContain('write { "servers": {} } in it if you mean no servers');
  });

  test("a comment left open is a syntax error at its position, not an empty manifest", () => {
    const [error] = errorsOf("\n/* servers");
    expect(error).toMatchObject({ line: 2, column: 1 });
    expect(error?.message).toContain("the manifest is not valid JSON (JSONC)");
  });

  test('an object the user wrote means what it says: {} and { "servers": {} } are no servers', () => {
    for (const text of ["{}", '// none for now\n{ "servers": {} }\n'])
      expect(parseManifestText(text, "m.jsonc").servers).toEqual({});
  });
});

describe("unknown fields", () => {
  test("point at the field's own key, with a did-you-mean", () => {
    const text = '{\n  "servers": {},\n  "enviroment": "wsl"\n}\n';
    const [error, ...rest] = errorsOf(text);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ line: 3, column: 3 });
    expect(error?.message).toBe(
      'm.jsonc:3:3: (top level): unknown field "enviroment" (did you mean "environments"?)',
    );
  });

  test("inside a server too", () => {
    const text =
      '{\n  "servers": {\n    "a": {\n      "command": "x",\n      "enviroment": ["wsl"]\n    }\n  }\n}\n';
    const [error] = errorsOf(text);
    expect(error).toMatchObject({ line: 5, column: 7 });
    expect(error?.message).toMatch(
      /servers\.a: unknown field "enviroment" \(did you mean "environments"\?\)/,
    );
  });

  test("a value outside its set gets a did-you-mean too, at the value", () => {
    const [error, ...rest] = errorsOf(
      '{\n  "servers": {\n    "a": { "command": "x", "share": "machin" }\n  }\n}\n',
    );
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ line: 3, column: 28 });
    expect(error?.message).toMatch(
      /^m\.jsonc:3:28: servers\.a\.share: .*"session".* \(did you mean "machine"\?\)$/,
    );
    // Nothing near: no guess.
    expect(
      errorsOf('{ "servers": { "a": { "command": "x", "share": "zzzzzzzz" } } }')[0]?.message,
    ).not.toContain("did you mean");
  });

  test("a wrong value still points at the value", () => {
    const [error] = errorsOf('{\n  "servers": {\n    "a": { "command": 5 }\n  }\n}\n');
    expect(error).toMatchObject({ line: 3, column: 12 });
    expect(error?.message).toContain("servers.a.command");
  });

  test("the hint names the manifest's page in the package's docs", () => {
    const [error] = errorsOf('{\n  "servers": {\n    "a": { "command": 5 }\n  }\n}\n');
    const page = /\b(docs\/[\w-]+\.md)\b/.exec(error?.hint ?? "")?.[1];
    expect(page, error?.hint).toBe("docs/manifest.md");
    expect(existsSync(path.join(fileURLToPath(new URL("../../", import.meta.url)), page!))).toBe(true);
  });
});

describe("a wrong value in the product's words, never zod's", () => {
  const ZOD = /Invalid (input|option|URL|string)|Too (small|big)|expected \w+, received|Unrecognized/;
  test.each([
    ['{ "servers": { "a": { "url": 5 } } }', "servers.a.url: must be a string (in quotes), not 5"],
    [
      '{ "servers": { "a": { "command": "x", "args": "y" } } }',
      "servers.a.args: must be a list ([ … ]), not a string",
    ],
    [
      '{ "servers": { "a": { "command": "x", "env": ["A"] } } }',
      "servers.a.env: must be an object ({ … }), not a list",
    ],
    ["[]", "(top level): must be an object ({ … }), not a list"],
    [
      '{ "servers": {}, "bridge": { "enabled": "yes" } }',
      "bridge.enabled: must be true or false, not a string",
    ],
    ['{ "servers": {}, "bridge": { "port": -1 } }', "bridge.port: must be at least 1"],
    ['{ "servers": {}, "bridge": { "port": 1.5 } }', "bridge.port: must be a whole number, not 1.5"],
    [
      '{ "servers": {}, "toolSearch": {} }',
      'toolSearch.clients: is missing: add it, as a list ([ … ]); toolSearch names the clients that get the tools entry: "toolSearch": { "clients": ["opencode", "cline"] }',
    ],
    ['{ "servers": {}, "registry": "nope" }', "registry: is not a URL: write it in full (https://…)"],
    ['{ "servers": { "a": { "command": "" } } }', "servers.a.command: must not be empty"],
    ['{ "version": 2, "servers": {} }', "version: must be 1, not 2"],
    [
      '{ "servers": { "a": { "command": "x", "share": 3 } } }',
      'servers.a.share: must be one of "machine", "project", "session" or "off", not 3',
    ],
  ])("%s", (text, words) => {
    const [error] = errorsOf(text);
    expect(error?.message).toMatch(/^m\.jsonc:\d+:\d+: /);
    expect(error?.message.replace(/^m\.jsonc:\d+:\d+: /, "")).toBe(words);
    expect(error?.message).not.toMatch(ZOD);
  });

  test("a string in the wrong place is never echoed (it may be a key pasted there)", () => {
    const [error] = errorsOf(
      '{ "servers": { "a": { "url": "https://x.example", "headers": "Bearer sk-live-123" } } }',
    );
    expect(error?.message).toContain("servers.a.headers: must be an object ({ … }), not a string");
    expect(error?.message).not.toContain("sk-live");
  });
});

describe("remote servers: http(s) URLs without credentials, headers on one line", () => {
  const manifest = (server: string) => `{\n  "servers": {\n    "r": ${server}\n  }\n}\n`;
  test.each([
    [
      '{ "url": "javascript:alert(1)" }',
      "servers.r.url: must be an http:// or https:// URL (not javascript:)",
      12,
    ],
    [
      '{ "url": "file:///etc/passwd", "transport": "sse" }',
      "servers.r.url: must be an http:// or https:// URL (not file:)",
      12,
    ],
    ['{ "url": "ws://x.example/mcp" }', "servers.r.url: must be an http:// or https:// URL (not ws:)", 12],
    [
      '{ "url": "https://x.example/m\\ncp" }',
      "servers.r.url: holds a space, line break or other control",
      12,
    ],
    ['{ "url": "https://user:hunter2@x.example/mcp" }', "servers.r.url: holds a user name or password", 12],
    ['{ "url": "https://tok3n@x.example/mcp" }', "servers.r.url: holds a user name or password", 12],
    [
      '{ "url": "https://x.example/mcp", "headers": { "X-A": "ok\\r\\nX-Injected: 1" } }',
      "servers.r.headers.X-A: holds a line break or another control character",
      57,
    ],
    [
      '{ "url": "https://x.example/mcp", "headers": { "X-A": "a\\u0000b" } }',
      "servers.r.headers.X-A: holds a line break or another control character",
      57,
    ],
    [
      '{ "url": "https://x.example/mcp", "headers": { "X A": "b" } }',
      "servers.r.headers.X A: is not a valid HTTP header name",
      57,
    ],
    [
      '{ "command": "x", "overrides": { "windows": { "url": "file:///c:/x" } } }',
      "servers.r.overrides.windows.url: must be an http:// or https:// URL (not file:)",
      56,
    ],
  ])("%s", (server, message, column) => {
    const errors = errorsOf(manifest(server));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 3, column });
    expect(errors[0]!.message).toContain(`m.jsonc:3:${column}: ${message}`);
    // A password in a URL is never repeated in the error.
    expect(errors[0]!.message).not.toContain("hunter2");
  });

  test("the way out of credentials in a URL: a header with a secret reference", () => {
    const [error] = errorsOf(manifest('{ "url": "https://u:p@x.example/mcp" }'));
    expect(error!.message).toContain(
      'put the token in a header instead, e.g. "headers": { "Authorization": "Bearer ${secret:NAME}" } (or the password in a secret: https://user:${secret:NAME}@…), and store it with `mcp-twin secret set NAME`',
    );
  });

  test("http(s) URLs, references in the query, a tab in a header value: accepted", () => {
    const text = manifest(
      '{ "url": "HTTPS://x.example/mcp?key=${secret:K}", "headers": { "Authorization": "Bearer\\t${secret:T}" } }',
    );
    expect(() => parseManifestText(text, "m.jsonc")).not.toThrow();
  });
});

test("a URL password kept in the secrets file (user:${secret:NAME}@, as import moves one) is accepted", () => {
  const text = '{ "servers": { "r": { "url": "https://u:${secret:R_PASSWORD}@x.example/mcp" } } }';
  expect(() => parseManifestText(text, "m.jsonc")).not.toThrow();
  const [half] = errorsOf(
    '{ "servers": { "r": { "url": "https://u:pw${secret:R_PASSWORD}@x.example/mcp" } } }',
  );
  expect(half!.message).toContain("holds a user name or password (user:password@) in plain text");
});

describe("shared servers", () => {
  test("share takes machine, project or session; bridge.idleMinutes takes decimals", () => {
    const manifest = parseManifestText(
      '{ "servers": { "m": { "command": "x", "share": "machine" }, "p": { "package": "a@1.0.0", "share": "project" }, "s": { "command": "y", "share": "session" } },\n  "bridge": { "idleMinutes": 0.5 } }',
      "m.jsonc",
    );
    expect(Object.values(manifest.servers).map((s) => s.share)).toEqual(["machine", "project", "session"]);
    expect(manifest.bridge?.idleMinutes).toBe(0.5);
  });

  test("a url server is shared per machine or session, never per project nor with a login; an unknown mode names the three", () => {
    const errors = errorsOf(
      '{\n  "servers": {\n    "docs": { "url": "https://example.com/mcp", "share": "project" },\n    "x": { "command": "x", "share": "always" },\n    "login": { "url": "https://example.com/mcp", "auth": "oauth", "share": "machine" },\n    "keyed": { "url": "https://example.com/mcp", "headers": { "Authorization": "Bearer ${secret:K}" }, "share": "machine" },\n    "own": { "url": "https://example.com/mcp", "share": "session" }\n  }\n}\n',
    );
    expect(errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(errors[0]?.message).toMatch(/a url server has no project folder to run in: share it "machine"/);
    expect(errors[1]?.message).toMatch(/"machine".*"project".*"session"/);
    expect(errors[2]?.message).toMatch(
      /"auth": "oauth" keeps the login in mcp-twin's home already .*: remove "share"/,
    );
  });

  test("a shared server with the bridge's own tools off is valid: the gateway runs for it all the same", () => {
    const text =
      '{\n  "servers": { "x": { "command": "x", "share": "machine" } },\n  "bridge": { "enabled": false }\n}\n';
    expect(() => parseManifestText(text, "m.jsonc")).not.toThrow();
    expect(parseManifestText(text, "m.jsonc").bridge).toEqual({ enabled: false });
  });

  test("`enabled` has no default: a `bridge` section without it says nothing of the own-tools entry", () => {
    expect(parseManifestText('{ "servers": {}, "bridge": { "port": 7761 } }', "m.jsonc").bridge).toEqual({
      port: 7761,
    });
  });

  test("bridge.idleMinutes must be above 0", () => {
    for (const bad of ["0", "-1", '"10"'])
      expect(errorsOf(`{ "servers": {}, "bridge": { "idleMinutes": ${bad} } }`)[0]?.message, bad).toMatch(
        /idleMinutes/,
      );
  });
});
