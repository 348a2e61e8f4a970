/**
 * The merge engine on the rarer shapes (empty files, comment-only files, single-line files,
 * duplicate keys, wrong shapes) with the exact bytes shown, and a property test over generated
 * JSONC documents in every style.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { parse } from "jsonc-parser";
import { describe, expect, test } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import {
  applyEntryEdits,
  detectFormat,
  parseConfig,
  readEntries,
} from "../../src/core/formats/json/merge.js";
import { canonicalJson } from "../../src/core/text/canonical-json.js";

const add = (text: string, value: unknown = { command: "node", args: ["a.js"] }) =>
  applyEntryEdits(text, ["mcpServers"], [{ name: "twin", value }], "c.json");
const remove = (text: string) =>
  applyEntryEdits(text, ["mcpServers"], [{ name: "twin", remove: true }], "c.json");

describe("shapes", () => {
  test("an empty file is an empty config", () => {
    expect(add("")).toMatchInlineSnapshot(`
      "{
        "mcpServers": {
          "twin": {
            "command": "node",
            "args": [
              "a.js"
            ]
          }
        }
      }
      "
    `);
    expect(add("  \n\n")).toBe(add(""));
  });

  test("a file with only a comment keeps it", () => {
    expect(add("// my settings\n")).toBe(`// my settings\n${add("")}`);
  });

  test("{} on one line", () => {
    // No spacing to follow: one style throughout (main mixed `": "` with `":"`).
    expect(add("{}")).toBe('{"mcpServers": {"twin": {"command": "node", "args": ["a.js"]}}}');
  });

  test("a one-line file gets the file's own spacing between entries and inside them", () => {
    const tight = '{"mcpServers":{"memory":{"command":"npx","args":["-y","m"]}}}';
    expect(add(tight)).toBe(
      '{"mcpServers":{"memory":{"command":"npx","args":["-y","m"]},"twin":{"command":"node","args":["a.js"]}}}',
    );
    expect(remove(add(tight))).toBe(tight);
    const spaced = '{"mcpServers": {"memory": {"command": "npx", "args": ["-y", "m"]}}}';
    expect(add(spaced)).toBe(
      '{"mcpServers": {"memory": {"command": "npx", "args": ["-y", "m"]}, "twin": {"command": "node", "args": ["a.js"]}}}',
    );
    expect(remove(add(spaced))).toBe(spaced);
    // A changed entry keeps the style too.
    const changed = applyEntryEdits(
      add(tight),
      ["mcpServers"],
      [{ name: "twin", value: { command: "node", args: ["b.js"] } }],
      "c.json",
    );
    expect(changed).toBe(
      '{"mcpServers":{"memory":{"command":"npx","args":["-y","m"]},"twin":{"command":"node","args":["b.js"]}}}',
    );
  });

  test("a one-line file from the corpus (AIRix315/AiMatrix) stays tight", () => {
    const text = readFileSync(
      path.join(import.meta.dirname, "..", "fixtures", "corpus", "other--AIRix315-AiMatrix--1.json"),
      "utf8",
    );
    const out = add(text);
    expect(out).toContain(',"twin":{"command":"node","args":["a.js"]}');
    expect(remove(out)).toBe(text);
  });

  test("an empty servers object in a normal file", () => {
    expect(add('{\n  "a": 1,\n  "mcpServers": {}\n}\n')).toMatchInlineSnapshot(`
      "{
        "a": 1,
        "mcpServers": {
          "twin": {
            "command": "node",
            "args": [
              "a.js"
            ]
          }
        }
      }
      "
    `);
  });

  test("tabs, CRLF and a comment after the last entry", () => {
    const text = '{\r\n\t"mcpServers": {\r\n\t\t"x": { "command": "y" } // mine\r\n\t}\r\n}';
    expect(add(text)).toBe(
      '{\r\n\t"mcpServers": {\r\n\t\t"x": { "command": "y" }, // mine\r\n\t\t"twin": {\r\n\t\t\t"command": "node",\r\n\t\t\t"args": [\r\n\t\t\t\t"a.js"\r\n\t\t\t]\r\n\t\t}\r\n\t}\r\n}',
    );
    expect(remove(add(text))).toBe(text);
  });

  test("a BOM stays first", () => {
    const out = add('\uFEFF{\n  "mcpServers": {}\n}\n');
    expect(out.charCodeAt(0)).toBe(0xfeff);
    expect(out.indexOf("\uFEFF", 1)).toBe(-1);
  });

  test("duplicate keys: the last one wins, as in JSON.parse, and is the one we edit", () => {
    const text = '{\n  "mcpServers": {\n    "twin": 1,\n    "twin": { "command": "old" }\n  }\n}\n';
    expect(readEntries(parseConfig(text, "c.json"), ["mcpServers"], "c.json").twin).toEqual({
      command: "old",
    });
    const out = add(text);
    expect(out.startsWith('{\n  "mcpServers": {\n    "twin": 1,\n')).toBe(true);
    expect(JSON.parse(out).mcpServers.twin).toEqual({ command: "node", args: ["a.js"] });
  });

  test("a root that is not an object is refused", () => {
    expect(() => add("[1, 2]")).toThrow(UsageError);
    expect(() => add("[1, 2]")).toThrow(/c\.json:1:1: expected a JSON object/);
  });

  test("a servers key that is not an object is refused with its position", () => {
    expect(() => add('{\n  "mcpServers": [\n  ]\n}')).toThrow(/c\.json:2:17: "mcpServers" is an array/);
  });

  test("a broken file names line and column", () => {
    expect(() => add('{\n  "mcpServers": {\n    "x": 1\n    "y": 2\n  }\n}')).toThrow(
      /c\.json:4:5: comma expected/,
    );
  });

  test("nested paths are created (Claude Code local scope)", () => {
    const out = applyEntryEdits(
      '{\n  "projects": {}\n}\n',
      ["projects", "/home/bob/app", "mcpServers"],
      [{ name: "twin", value: { command: "x" } }],
      "c.json",
    );
    expect(JSON.parse(out)).toEqual({
      projects: { "/home/bob/app": { mcpServers: { twin: { command: "x" } } } },
    });
  });

  test("format detection", () => {
    expect(detectFormat('{\r\n    "a": 1\r\n}')).toEqual({
      bom: false,
      eol: "\r\n",
      indent: "    ",
      compact: false,
    });
    expect(detectFormat('{\n\t"a": 1\n}')).toMatchObject({ eol: "\n", indent: "\t" });
    expect(detectFormat('{"a": 1}')).toMatchObject({ compact: true });
  });

  // Found by giveback-property (seed -1412813935): a CRLF file whose first line break is a bare LF
  // inside a comment got an LF where uninstall took an entry out, and was not given back byte for byte.
  test("a CRLF file's line ending is its lines', not the first break's (a bare LF in a comment)", () => {
    const text = '/*\n\0*/{\r\n  "mcpServers": {\r\n    "a": {}\r\n  }\r\n}';
    expect(detectFormat(text).eol).toBe("\r\n");
    const added = applyEntryEdits(text, ["mcpServers"], [{ name: "b", value: { command: "x" } }], "f.json");
    expect(added).not.toMatch(/[^\r]\n {2,}/);
    const back = applyEntryEdits(added, ["mcpServers"], [{ name: "b", remove: true }], "f.json");
    expect(back).toBe(text);
    // A tie keeps the first break's ending, as before.
    expect(detectFormat('{\n  "a": 1\r\n}').eol).toBe("\n");
  });
});

// ---------------------------------------------------------------------------------------------
// Property test: any JSON object written in any style, with comments and trailing commas.

const key = fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !k.includes("\\") && k !== "__proto__");
const leaf = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 10 }));
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { maxDepth: 3 },
    leaf,
    fc.array(tie("node"), { maxLength: 3 }),
    fc.dictionary(key, tie("node"), { maxKeys: 3 }),
  ),
})).node;

interface Style {
  indent: string;
  eol: string;
  bom: boolean;
  comments: boolean;
  trailingCommas: boolean;
  finalNewline: boolean;
}

const style = fc.record({
  indent: fc.constantFrom("  ", "    ", "\t", " "),
  eol: fc.constantFrom("\n", "\r\n"),
  bom: fc.boolean(),
  comments: fc.boolean(),
  trailingCommas: fc.boolean(),
  finalNewline: fc.boolean(),
});

/** Serialise like a person might: chosen indent and EOL, comments at line ends, trailing commas. */
function write(doc: unknown, s: Style): string {
  const lines: string[] = [];
  const emit = (v: unknown, depth: number, prefix: string, last: boolean) => {
    const pad = s.indent.repeat(depth);
    const comma = last ? (s.trailingCommas && depth > 0 ? "," : "") : ",";
    const note = s.comments ? " // note" : "";
    if (v && typeof v === "object") {
      const entries = Array.isArray(v)
        ? v.map((x) => [undefined, x] as const)
        : Object.entries(v as Record<string, unknown>);
      const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
      if (entries.length === 0) {
        lines.push(`${pad}${prefix}${open}${close}${comma}`);
        return;
      }
      lines.push(`${pad}${prefix}${open}${s.comments && depth === 0 ? " /* top */" : ""}`);
      for (const [i, [k, x]] of entries.entries()) {
        emit(x, depth + 1, k === undefined ? "" : `${JSON.stringify(k)}: `, i === entries.length - 1);
      }
      lines.push(`${pad}${close}${comma}`);
    } else {
      lines.push(`${pad}${prefix}${JSON.stringify(v)}${comma}${note}`);
    }
  };
  emit(doc, 0, "", true);
  return (s.bom ? "\uFEFF" : "") + lines.join(s.eol) + (s.finalNewline ? s.eol : "");
}

const jsonc = (t: string) => parse(t.replace(/^\uFEFF/, ""), [], { allowTrailingComma: true });

test("property: our edit adds or removes one entry and keeps everything else", () => {
  fc.assert(
    fc.property(
      fc.dictionary(key, value, { maxKeys: 5 }),
      fc.option(fc.dictionary(key, value, { maxKeys: 4 }), { nil: undefined }),
      style,
      value,
      (rest, servers, s, entry) => {
        const doc = servers === undefined ? { ...rest } : { ...rest, mcpServers: servers };
        if (servers === undefined) delete (doc as Record<string, unknown>).mcpServers;
        const before = write(doc, s);
        const after = add(before, entry);
        const parsed = jsonc(after) as Record<string, unknown>;
        // ours is there, everything else is as it was
        expect(canonicalJson((parsed.mcpServers as Record<string, unknown>).twin)).toBe(canonicalJson(entry));
        for (const k of Object.keys(doc))
          if (k !== "mcpServers")
            expect(canonicalJson(parsed[k])).toBe(canonicalJson((doc as Record<string, unknown>)[k]));
        for (const [k, v] of Object.entries(servers ?? {}))
          if (k !== "twin")
            expect(canonicalJson((parsed.mcpServers as Record<string, unknown>)[k])).toBe(canonicalJson(v));
        // style kept
        expect(after.startsWith("\uFEFF")).toBe(s.bom);
        if (s.eol === "\r\n") expect(/[^\r]\n/.test(after)).toBe(false);
        else expect(after.includes("\r")).toBe(false);
        expect(after.endsWith(s.eol)).toBe(s.finalNewline);
        if (before.includes("/* top */")) expect(after).toContain("/* top */");
        // idempotent
        expect(add(after, entry)).toBe(after);
        // and reversible whenever the entry was ours to add
        if (!servers || !Object.hasOwn(servers, "twin")) {
          const back = remove(after);
          const expected = servers === undefined ? { ...doc, mcpServers: {} } : doc;
          expect(canonicalJson(jsonc(back))).toBe(canonicalJson(expected));
          if (servers && Object.keys(servers).length > 0) expect(back).toBe(before);
        }
      },
    ),
    { numRuns: 400 },
  );
});

describe("canonicalJson", () => {
  // What it was first written as: JSON.stringify with a replacer that sorts every object's keys.
  // Entry hashes in users' state files were made with it, so the output must not change.
  const reference = (value: unknown) =>
    JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
          )
        : v,
    );

  test("writes exactly what the sorted-keys JSON.stringify wrote, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 500 },
    );
  });

  test("key order does not matter; undefined members are left out as JSON does", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, undefined, "x"], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, undefined, "x"] }, b: 1 }),
    );
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(canonicalJson({ é: 1, Z: 2, a: 3 })).toBe(reference({ é: 1, Z: 2, a: 3 }));
    // Integer-like keys come first in a JS object, whatever the sort said: the reference kept that.
    const numeric = Object.fromEntries(
      ["10", "9", "a", "01", "4294967295", "4294967294", "-1", "1.5", ""].map((k, i) => [k, i]),
    );
    expect(canonicalJson(numeric)).toBe(reference(numeric));
  });
});

describe("reading entries: strict JSON (JSON.parse) and JSONC (syntax tree) agree", () => {
  const read = (text: string, path: string[] = ["mcpServers"]) =>
    readEntries(parseConfig(text, "c.json"), path, "c.json");

  test("the same entries either way, duplicate keys last-wins, nested paths", () => {
    const strict = '{"mcpServers":{"a":{"command":"x"},"a":{"command":"y"},"b":{"args":[1,null]}}}';
    const jsonc = `// hi\n${strict.replace('"b"', '/* c */ "b"')}`;
    expect(parseConfig(strict, "s.json").value).toBeDefined();
    expect(parseConfig(jsonc, "j.json").value).toBeUndefined();
    expect(read(strict)).toEqual({ a: { command: "y" }, b: { args: [1, null] } });
    expect(read(jsonc)).toEqual(read(strict));
    const nested = '{"projects":{"/p":{"mcpServers":{"z":{"url":"u"}}}}}';
    expect(read(nested, ["projects", "/p", "mcpServers"])).toEqual({ z: { url: "u" } });
    expect(read(nested, ["projects", "/q", "mcpServers"])).toEqual({});
  });

  test("a BOM, and a servers key that is not an object, with its line and column", () => {
    expect(read('\uFEFF{"mcpServers":{"a":{}}}')).toEqual({ a: {} });
    expect(() => read('{\n  "mcpServers": 3\n}')).toThrow(/c\.json:2:17: "mcpServers" is a number/);
  });

  test("each read is a fresh copy: changing one does not change the next", () => {
    const text = '{"mcpServers":{"a":{"args":["1"]}}}';
    const first = read(text);
    (first.a as { args: string[] }).args.push("2");
    expect(read(text)).toEqual({ a: { args: ["1"] } });
  });
});
