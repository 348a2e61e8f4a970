/**
 * Others' text on our terminal (core/text/control-chars.ts, applied by ui/output.ts to every
 * line): controls and bidi characters escaped, mcp-twin's own line breaks, tabs and colours kept,
 * JSON read back to the same value.
 */
import { describe, expect, test } from "vitest";
import { jsonPrintable, printable, untrusted } from "../../src/core/text/control-chars.js";
import { createOutput } from "../../src/ui/output.js";

const HOSTILE = "\u001b]0;pwned\u0007\u001b[2J\u202eevil\r\nFAKE\t\u009b31m\u007f\u2066\u200f\u061c";

describe("untrusted: one value, on one line", () => {
  test("every control and bidi character escaped, the rest as it is", () => {
    expect(untrusted(HOSTILE)).toBe(
      "\\x1B]0;pwned\\x07\\x1B[2J\\u202Eevil\\r\\nFAKE\\t\\x9B31m\\x7F\\u2066\\u200F\\u061C",
    );
    expect(untrusted("C:\\Users\\émile — ✔ 東京")).toBe("C:\\Users\\émile — ✔ 東京");
  });
});

describe("printable: a line about to be printed", () => {
  test("keeps our line breaks, tabs and colours; escapes every other control", () => {
    const ours = "\u001b[1mbold\u001b[22m\n\tnext \u001b[38;5;208mcolour\u001b[39m";
    expect(printable(ours)).toBe(ours);
    expect(printable(`a${HOSTILE}`)).toBe(
      "a\\x1B]0;pwned\\x07\\x1B[2J\\u202Eevil\\r\nFAKE\t\\x9B31m\\x7F\\u2066\\u200F\\u061C",
    );
  });
});

describe("jsonPrintable", () => {
  test("raw DEL, C1 and bidi characters become JSON escapes: the same value reads back", () => {
    const value = { name: HOSTILE, list: ["\u202e", "\u0085"] };
    const text = jsonPrintable(JSON.stringify(value, null, 2));
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("the output layer applies it to everything it prints", () => {
  const capture = () => {
    const parts = { out: "", err: "" };
    const streams = {
      stdout: { write: (s: string) => (parts.out += s) },
      stderr: { write: (s: string) => (parts.err += s) },
    };
    return { parts, streams };
  };

  test("print, warn and error: others' controls escaped, the theme's colours kept", () => {
    const { parts, streams } = capture();
    const out = createOutput({ color: true }, { FORCE_COLOR: "1" }, streams);
    out.print(`${out.theme.c.bold("name")} ${HOSTILE}`);
    out.warn(HOSTILE);
    expect(parts.out).toContain("\u001b[1mname\u001b[22m");
    for (const text of [parts.out, parts.err]) {
      expect(text).not.toContain("\u001b]");
      expect(text).not.toContain("\u001b[2J");
      expect(text).not.toMatch(/[\u0007\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\r]/);
    }
  });

  test("--json: the real value, escaped by JSON", () => {
    const { parts, streams } = capture();
    const out = createOutput({ json: true }, {}, streams);
    out.result({ description: HOSTILE });
    expect(parts.out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(parts.out).description).toBe(HOSTILE);
  });
});
