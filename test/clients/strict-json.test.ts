/**
 * What a strict JSON reader refuses, by its dialect (clients/strict-json.ts), and the variables
 * Crush and Warp expand in an entry, as doctor and import read them.
 */
import { describe, expect, test } from "vitest";
import { expandEntry, readEntry } from "../../src/core/clients/entry-view.js";
import { strictJsonRefusal } from "../../src/core/clients/strict-json.js";

const COMMENTED = '// mine\n{ "mcpServers": { "a": { "command": "x" } } }\n';
const TRAILING = '{ "mcpServers": { "a": { "command": "x" }, } }\n';
const BOM = '\uFEFF{ "mcpServers": {} }\n';

describe("strict JSON, by its reader's dialect", () => {
  test("JSON.parse's (Claude Desktop): comments and trailing commas refused, a BOM skipped", () => {
    expect(strictJsonRefusal(COMMENTED)?.cause).toBe("comments or trailing commas");
    expect(strictJsonRefusal(TRAILING)?.cause).toBe("comments or trailing commas");
    expect(strictJsonRefusal(BOM)).toBeUndefined();
  });

  test("Factory Droid's: comments read; a trailing comma or a BOM refused", () => {
    const droid = { comments: true, bom: false };
    expect(strictJsonRefusal(COMMENTED, droid)).toBeUndefined();
    expect(strictJsonRefusal(`${COMMENTED.trimEnd()} /* and a block */\n`, droid)).toBeUndefined();
    expect(strictJsonRefusal(TRAILING, droid)?.cause).toBe("trailing commas");
    expect(strictJsonRefusal(BOM, droid)).toEqual({
      error: "the file starts with a byte-order mark (U+FEFF)",
      cause: "a byte-order mark",
    });
  });

  test("Go's and Rust's (Crush, Warp): a BOM refused before anything else", () => {
    const strict = { comments: false, bom: false };
    expect(strictJsonRefusal(BOM, strict)?.cause).toBe("a byte-order mark");
    expect(strictJsonRefusal(COMMENTED, strict)?.cause).toBe("comments or trailing commas");
    expect(strictJsonRefusal('{"mcp": {}}', strict)).toBeUndefined();
  });
});

describe("the variables each client expands", () => {
  const vars: Record<string, string> = { TOKEN: "t0k", EMPTY: "" };
  const ctx = { vars: (n: string) => vars[n], home: "/home/bob" };
  const expand = (client: "crush" | "warp" | "factory-droid", value: string) =>
    expandEntry(readEntry({ type: "stdio", command: "node", env: { V: value } }, client), client, ctx);

  test("Crush: $VAR, ${VAR}, ${VAR:-default} (also when empty), \\$ for a literal $; unset is empty and named", () => {
    expect(expand("crush", "$TOKEN/${TOKEN}").view.env.V).toBe("t0k/t0k");
    expect(expand("crush", "${EMPTY:-dflt}").view.env.V).toBe("dflt");
    expect(expand("crush", "${NOPE:-dflt}").view.env.V).toBe("dflt");
    expect(expand("crush", "pa\\$\\$word").view.env.V).toBe("pa$$word");
    const unset = expand("crush", "a$NOPE");
    expect(unset.view.env.V).toBe("a");
    expect(unset.unset).toEqual(["NOPE"]);
  });

  test("Warp: ${NAME} only ($VAR is text); unset or empty is a failure, named", () => {
    expect(expand("warp", "${TOKEN} $TOKEN").view.env.V).toBe("t0k $TOKEN");
    expect(expand("warp", "${EMPTY}").unset).toEqual(["EMPTY"]);
    expect(expand("warp", "${NOPE}").unset).toEqual(["NOPE"]);
  });

  test("Factory Droid: ${VAR} and ${VAR:-default}", () => {
    expect(expand("factory-droid", "${TOKEN}").view.env.V).toBe("t0k");
    expect(expand("factory-droid", "${NOPE:-x}").view.env.V).toBe("x");
    expect(expand("factory-droid", "${NOPE}").unset).toEqual(["NOPE"]);
  });
});

describe("how each reads `type`", () => {
  test("Crush: every entry needs one; Droid: a url needs one", () => {
    expect(readEntry({ command: "node" }, "crush").problems).toEqual([
      'has no "type" (Crush requires "stdio" or "http")',
    ]);
    expect(readEntry({ type: "stdio", command: "node" }, "crush").kind).toBe("stdio");
    expect(readEntry({ url: "https://h/mcp" }, "factory-droid").problems).toEqual([
      'has a url but no "type": Factory Droid reads it as a stdio entry without a command',
    ]);
    expect(readEntry({ command: "node" }, "factory-droid").kind).toBe("stdio");
    expect(readEntry({ url: "https://h/mcp" }, "warp").kind).toBe("remote");
  });
});
