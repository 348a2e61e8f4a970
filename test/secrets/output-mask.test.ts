import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import { maskText, PLAIN_CHARS } from "../../src/core/secrets/mask.js";
import { createOutput } from "../../src/ui/output.js";

/** An output on real streams, and what each has been written. */
function capture(flags: { json?: boolean } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: "", err: "" };
  stdout.on("data", (d: Buffer) => {
    text.out += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    text.err += d.toString();
  });
  return { output: createOutput(flags, {}, { stdout, stderr }), text };
}

describe("every line printed is masked with every secret known by then", () => {
  test("a secret added after lines were printed is masked in the lines after it, in each of its spellings", () => {
    const first = "k1-9QpRmT4xW2vZ7yL0";
    const later = "k2-Hs8Jd3Kf6Lg1Mn5b";
    const { output, text } = capture();
    output.print(`before: ${later}`);
    output.addSecrets([first]);
    output.print(`one: ${first}`);
    output.addSecrets([later, first]);
    output.print(
      `two: ${first} ${later} ${encodeURIComponent(later)} ${Buffer.from(later).toString("base64")}`,
    );
    output.warn(`three: ${later}`);
    const [before, one, two] = text.out.split("\n");
    // Nothing known yet: printed as it was (the mask cannot know a value it was never given).
    expect(before).toBe(`before: ${later}`);
    expect(one).toBe("one: ********");
    expect(two).not.toContain(first);
    expect(two).not.toContain(later);
    expect(two).not.toContain(Buffer.from(later).toString("base64").slice(4, 16));
    expect(text.err).toContain("three: ********");
    expect(text.err).not.toContain(later);
  });

  test("--json output is masked with the secrets added since its last line", () => {
    const key = "jk-4Tz8Ux2Vy6Wq0Er3";
    const { output, text } = capture({ json: true });
    output.result({ a: 1 });
    output.addSecrets([key]);
    output.result({ key, nested: { again: `x${key}y` } });
    expect(text.out).not.toContain(key);
    expect(JSON.parse(text.out.slice(text.out.indexOf("}\n{") + 2))).toEqual({
      key: "********",
      nested: { again: "x********y" },
    });
  });
});

describe("a plain value's spellings", () => {
  // mask.ts spells a value of these characters as it is, its hex and base64 only: true only if no
  // escaping or encoding that a program may print changes any of them.
  test("each plain character reads the same JSON-escaped (twice), inspected and URL-encoded", () => {
    const chars = [...Array(128).keys()]
      .map((c) => String.fromCharCode(c))
      .filter((c) => new RegExp(`[${PLAIN_CHARS}]`).test(c));
    expect(chars.length).toBe(65);
    const value = chars.join("");
    const json = JSON.stringify(value).slice(1, -1);
    const forms = [
      json,
      JSON.stringify(json).slice(1, -1),
      inspect(value).slice(1, -1),
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
    ];
    expect(new Set(forms)).toEqual(new Set([value]));
  });

  test("a value with any other character is masked in each of those spellings", () => {
    const value = "k3-'quote\\slash~tilde ä\"x";
    const json = JSON.stringify(value).slice(1, -1);
    const spelled = [
      json,
      JSON.stringify(json).slice(1, -1),
      inspect(value).slice(1, -1),
      encodeURIComponent(value),
    ];
    spelled.push(new URLSearchParams({ v: value }).toString().slice(2));
    for (const form of spelled) expect(maskText(`<${form}>`, [value])).toBe("<********>");
  });
});
