/**
 * The TOML engine case by case: edits follow the shape already in the file (a multi-line array
 * stays multi-line, an env sub-table stays a sub-table, an inline entry stays inline), only the
 * keys mcp-twin owns change, an entry inside an inline `mcp_servers = { … }` is refused with its
 * position, and strings of any content survive a write and a read by another parser.
 */
import fc from "fast-check";
import { parse as oracle } from "smol-toml";
import { describe, expect, test } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { tomlFormat } from "../../src/core/formats/toml/index.js";
import { tomlValue } from "../../src/core/formats/toml/serialize.js";

const OWNED = ["command", "args", "env", "env_vars", "url", "http_headers", "bearer_token_env_var"];
const edit = (
  text: string,
  edits: Parameters<typeof tomlFormat.applyEntryEdits>[2],
  owned?: readonly string[],
) => tomlFormat.applyEntryEdits(text, ["mcp_servers"], edits, "config.toml", owned);

describe("edits follow the file's own shapes", () => {
  test("a multi-line args array is rewritten multi-line, with its indent and trailing comma", () => {
    const text = '[mcp_servers.a]\ncommand = "npx"\nargs = [\n    "-y",\n    "pkg",\n]\n';
    expect(edit(text, [{ name: "a", value: { command: "npx", args: ["-y", "pkg@2", "--x"] } }])).toBe(
      '[mcp_servers.a]\ncommand = "npx"\nargs = [\n    "-y",\n    "pkg@2",\n    "--x",\n]\n',
    );
  });

  test("an env sub-table (how `codex mcp add` writes it) keeps its header; only its lines change", () => {
    const text = '[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.a.env]\nK = "1"\n\n[other]\nz = 1\n';
    expect(edit(text, [{ name: "a", value: { command: "x", env: { K: "2", L: "3" } } }])).toBe(
      '[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.a.env]\nK = "2"\nL = "3"\n\n[other]\nz = 1\n',
    );
  });

  test("an inline entry stays inline", () => {
    const text = '[mcp_servers]\na = { command = "x" } # mine\n';
    expect(edit(text, [{ name: "a", value: { command: "y", args: ["1"] } }])).toBe(
      '[mcp_servers]\na = { command = "y", args = ["1"] } # mine\n',
    );
  });

  test("a key's comment and spacing stay when its value changes", () => {
    const text = '[mcp_servers.a]\ncommand   =   "x"   # which one\n';
    expect(edit(text, [{ name: "a", value: { command: "y" } }])).toBe(
      '[mcp_servers.a]\ncommand   =   "y"   # which one\n',
    );
  });

  test("new keys go after the entry's last key, in its indentation", () => {
    const text = '[mcp_servers.a]\n  command = "x"\n\n[b]\n';
    expect(edit(text, [{ name: "a", value: { command: "x", args: ["1"] } }])).toBe(
      '[mcp_servers.a]\n  command = "x"\n  args = ["1"]\n\n[b]\n',
    );
  });

  test("a new entry goes after the last server table (its sub-tables included), not at the end", () => {
    const text =
      '[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.a.tools.t]\napproval_mode = "approve"\n\n[tui]\ntheme = "x"\n';
    expect(edit(text, [{ name: "b", value: { command: "y" } }])).toBe(
      '[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.a.tools.t]\napproval_mode = "approve"\n\n[mcp_servers.b]\ncommand = "y"\n\n[tui]\ntheme = "x"\n',
    );
  });
});

describe("ownership inside an entry", () => {
  test("with owned keys, Codex's keys stay (tools, enabled, timeouts) and a dropped launch key goes", () => {
    const text =
      '[mcp_servers.a]\ncommand = "x"\nenv = { K = "1" }\nenabled = false\nstartup_timeout_sec = 30\n\n[mcp_servers.a.tools.t]\napproval_mode = "approve"\n';
    const after = edit(text, [{ name: "a", value: { url: "http://127.0.0.1:7760/mcp" } }], OWNED);
    expect(oracle(after).mcp_servers).toEqual({
      a: {
        url: "http://127.0.0.1:7760/mcp",
        enabled: false,
        startup_timeout_sec: 30,
        tools: { t: { approval_mode: "approve" } },
      },
    });
    expect(after).toContain('[mcp_servers.a.tools.t]\napproval_mode = "approve"\n');
  });

  test("without owned keys the entry is replaced whole; removing it removes its sub-tables wherever they are", () => {
    const text =
      '[mcp_servers.a]\ncommand = "x"\n\n[mcp_servers.b]\ncommand = "y"\n\n[mcp_servers.a.tools.t]\napproval_mode = "approve"\n';
    expect(oracle(edit(text, [{ name: "a", value: { command: "z" } }])).mcp_servers).toEqual({
      a: { command: "z" },
      b: { command: "y" },
    });
    expect(edit(text, [{ name: "a", remove: true }])).toBe('[mcp_servers.b]\ncommand = "y"\n');
  });
});

describe("refusals, with a position", () => {
  test("a server cannot be added next to an inline `mcp_servers = { … }`", () => {
    const text = 'model = "x"\nmcp_servers = { a = { command = "x" } }\n';
    expect(() => edit(text, [{ name: "b", value: { command: "y" } }])).toThrow(UsageError);
    try {
      edit(text, [{ name: "b", value: { command: "y" } }]);
    } catch (error) {
      expect((error as UsageError).location).toEqual({ file: "config.toml", line: 2, column: 1 });
      expect((error as UsageError).message).toMatch(/inline table/);
    }
    expect(() => edit(text, [{ name: "a", value: { command: "z" } }])).toThrow(/inside the inline table/);
  });

  test("`mcp_servers` that is not a table is a shape error at its line", () => {
    for (const text of ['mcp_servers = "no"\n', "[[mcp_servers]]\nname = 'x'\n"]) {
      let error: unknown;
      try {
        tomlFormat.parse(text, "config.toml").entries(["mcp_servers"]);
      } catch (e) {
        error = e;
      }
      expect((error as UsageError).code).toBe("config-shape");
      expect((error as UsageError).location.line).toBe(1);
    }
  });
});

describe("values", () => {
  test("any string survives a write and a read by another parser (literal when it has backslashes)", () => {
    expect(tomlValue("C:\\Program Files\\nodejs\\node.exe")).toBe("'C:\\Program Files\\nodejs\\node.exe'");
    expect(tomlValue("it's C:\\x")).toBe('"it\'s C:\\\\x"');
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.dictionary(fc.string(), fc.string({ unit: "grapheme" })),
        (s, env) => {
          fc.pre(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s));
          const text = `[mcp_servers.a]\ncommand = ${tomlValue(s)}\nenv = ${tomlValue(env)}\n`;
          const back = oracle(text).mcp_servers as { a: { command: string; env: Record<string, string> } };
          expect(back.a.command).toBe(s);
          expect(back.a.env).toEqual(env);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("adding then removing any entry gives back the same bytes", () => {
    const base = '# mine\r\nmodel = "x"\r\n\r\n[mcp_servers.keep]\r\ncommand = "k"\r\n';
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/),
        fc.record({
          command: fc.string({ minLength: 1 }),
          args: fc.array(fc.string()),
          env: fc.dictionary(fc.stringMatching(/^[A-Z_]{1,8}$/), fc.string()),
        }),
        (name, value) => {
          fc.pre(name !== "keep");
          const added = edit(base, [{ name, value }]);
          expect((oracle(added).mcp_servers as Record<string, unknown>)[name]).toEqual(value);
          expect(edit(added, [{ name, remove: true }])).toBe(base);
        },
      ),
      { numRuns: 200 },
    );
  });
});
