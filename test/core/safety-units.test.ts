/**
 * The pure parts of the safety promises: lossless bytes, masking (known values, credential
 * shapes, secret fields found by where they sit), the write rules, and the depth limit.
 */

import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../src/core/formats/json/merge.js";
import { looksLikeSecret, MASK, maskedHead, maskText } from "../../src/core/secrets/mask.js";
import { maskSecretFields, secretFields } from "../../src/core/secrets/secret-fields-json.js";
import { judge } from "../../src/core/sync/target-safety.js";
import { decodeLossless, encodeLossless, showEscapedBytes } from "../../src/core/text/lossless-text.js";

describe("lossless bytes", () => {
  test("property: any bytes decode and encode back to the same bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const buf = Buffer.from(bytes);
        expect(encodeLossless(decodeLossless(buf))).toEqual(buf);
      }),
      { numRuns: 2000 },
    );
  });

  test("property: valid UTF-8 text (astral characters too) is decoded as usual", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (text) => {
        const buf = Buffer.from(text, "utf8");
        expect(decodeLossless(buf)).toBe(text);
        expect(encodeLossless(text)).toEqual(buf);
      }),
    );
  });

  test("invalid bytes show as \\xNN; U+10080 (a pair whose low half looks like an escape) is a character", () => {
    const text = decodeLossless(Buffer.from([0x61, 0xe9, 0x62, 0xf0, 0x90, 0x82, 0x80]));
    expect(showEscapedBytes(text)).toBe("a\\xE9b\u{10080}");
  });
});

describe("masking", () => {
  test("known values, longest first, also JSON-escaped", () => {
    expect(maskText('key "a\\"b-long"', ['a"b-long'])).toBe(`key "${MASK}"`);
    expect(maskText("k1-abcdef and k1-abcdefgh", ["k1-abcdef", "k1-abcdefgh"])).toBe(`${MASK} and ${MASK}`);
  });

  test("every spelling a program prints: inspect-escaped, URL-encoded, hex, and base64 at any alignment", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }),
        fc.string({ maxLength: 5 }),
        (secret, before) => {
          const shown = [
            inspect({ k: secret }),
            encodeURIComponent(secret),
            new URLSearchParams({ k: secret }).toString(),
            Buffer.from(secret).toString("hex"),
            Buffer.from(before + secret).toString("base64"),
            Buffer.from(before + secret).toString("base64url"),
          ];
          for (const text of shown) {
            const masked = maskText(text, [secret]);
            expect(masked).toContain(MASK);
          }
        },
      ),
    );
  });

  test("a line's head: masked before it is cut, and no start of a secret left at its end", () => {
    const secret = "q9-secret-value-1234";
    expect(maskedHead(`${"x".repeat(190)}${secret}${"y".repeat(100)}`, [secret], 200)).toBe(
      `${"x".repeat(190)}${MASK}yy`,
    );
    expect(maskedHead(`${"x".repeat(10)}${secret.slice(0, 7)}`, [secret], 200)).toBe("x".repeat(10));
  });

  test.each([
    ["Authorization: Bearer 0123456789abcdefABCDEF_-", "Authorization: Bearer ********"],
    ['"Authorization": "bearer zzzzzzzzzzzzzzzz"', '"Authorization": "bearer ********"'],
    ["sk-ant-api03-aaaaaaaaaaaaaaaaaaaaaaaa", MASK],
    ["ghp_0123456789abcdefghijABCDEFGHIJ", MASK],
    ["xoxb-1234567890-abcdefghij", MASK],
    ["AKIAABCDEFGHIJKLMNOP", MASK],
    ["https://user:hunter2hunter@example.com/mcp", `https://user:${MASK}@example.com/mcp`],
    ["https://example.com/mcp?api_key=abc123&x=1", `https://example.com/mcp?api_key=${MASK}&x=1`],
    ["--api-key=abc123def", `--api-key=${MASK}`],
  ])("credential shape %s", (input, output) => {
    expect(maskText(input, [])).toBe(output);
  });

  test.each([
    "the bridge token was rotated",
    "basic settings kept",
    "/home/bob/.claude.json",
    "sk-short",
    "Bearer ${secret:DOCS_TOKEN}",
  ])("honest text is left alone: %s", (text) => {
    expect(maskText(text, [])).toBe(text);
  });

  test("secret-looking values: keys yes, paths, URLs, references and words no", () => {
    expect(["fx-0011223344556677", "aaaaaaaaaaaaaaaaaaaaaaa", "tvly-abc12345"].every(looksLikeSecret)).toBe(
      true,
    );
    expect(
      ["/usr/bin/node", "https://x.y/z1", "${secret:X}", "production", "12345678", "C:\\Users\\a1"].some(
        looksLikeSecret,
      ),
    ).toBe(false);
  });
});

describe("secret fields, by where they sit", () => {
  const config = `{
  // a comment with "env": "not a value"
  "mcpServers": {
    "a": { "command": "x", "args": ["--flag"], "env": { "KEY": "k-1", "REF": "\${secret:K}", "NESTED": { "deep": "k-2" } } },
    "b": { "url": "https://h/mcp", "headers": { "Authorization": "Bearer k-3", "X-Api-Key": "k-4" } },
    "c": { "command": "y", "apiToken": "k-5", "tokens": ["k-6"] }
  },
  "numStartups": 1, "userID": "not-a-secret", "environment-note": "plain"
}`;

  test("env and header values, credential-named keys; not references, args or other keys", () => {
    expect(secretFields(config).map((f) => f.value)).toEqual([
      "k-1",
      "k-2",
      "Bearer k-3",
      "k-4",
      "k-5",
      "k-6",
    ]);
  });

  test("masking them keeps every line where it was", () => {
    const masked = maskSecretFields(config);
    expect(masked.split("\n")).toHaveLength(config.split("\n").length);
    for (const v of ["k-1", "k-2", "k-3", "k-4", "k-5", "k-6"]) expect(masked).not.toContain(v);
    expect(masked).toContain("${secret:K}");
    expect(masked).toContain('"not-a-secret"');
  });

  test("a file that does not parse, or is 5,000 deep, is still read", () => {
    expect(secretFields('{"mcpServers": {"a": {"env": {"K": "k-7"}}, oops').map((f) => f.value)).toEqual([
      "k-7",
    ]);
    const deep = `{"env": {"K": "k-8"}, "x": ${"[".repeat(5000)}${"]".repeat(5000)}}`;
    expect(secretFields(deep).map((f) => f.value)).toEqual(["k-8"]);
  });
});

describe("write rules", () => {
  const w = { file: "/f", path: "/f", windows: false, secretsOf: ["tavily"] };
  const facts = { real: "/f", symlink: false, exists: true, mode: 0o600, uid: 1000, gid: 1000 };

  test("read-only is refused unless forced", () => {
    expect(judge(w, { ...facts, mode: 0o444 }, { force: false, uid: 1000 }).error?.code).toBe("read-only");
    expect(judge(w, { ...facts, mode: 0o444 }, { force: true, uid: 1000 }).error).toBeUndefined();
  });

  test("a file of another user is refused unless running as root (who can keep its owner)", () => {
    expect(judge(w, facts, { force: false, uid: 1001 }).error?.code).toBe("owner");
    expect(judge(w, facts, { force: false, uid: 0 }).error).toBeUndefined();
  });

  test("readable by others + a secret: a warning with chmod; Windows files and new files: none", () => {
    expect(judge(w, { ...facts, mode: 0o640 }, { force: false, uid: 1000 }).warning).toEqual({
      shown: "/f",
      mode: "640",
      servers: ["tavily"],
      chmod: "chmod 600 /f",
    });
    expect(judge({ ...w, secretsOf: [] }, { ...facts, mode: 0o644 }, { force: false, uid: 1000 })).toEqual(
      {},
    );
    expect(judge({ ...w, windows: true }, { ...facts, mode: 0o777 }, { force: false, uid: 1000 })).toEqual(
      {},
    );
    expect(judge(w, { real: "/f", symlink: false, exists: false }, { force: false, uid: 1000 })).toEqual({});
  });
});

test("a config nested deeper than the limit is a config-parse error with line and column", () => {
  const text = `{\n  "x": ${"[".repeat(600)}${"]".repeat(600)}\n}`;
  expect(() => parseConfig(text, "/f.json")).toThrow(/\/f\.json:2:\d+: nested more than 512 levels/);
  // brackets inside strings and comments do not count
  const quoted = `{"x": "${"[".repeat(600)}" /* ${"{".repeat(600)} */}`;
  expect(() => parseConfig(quoted, "/g.json")).not.toThrow();
});
