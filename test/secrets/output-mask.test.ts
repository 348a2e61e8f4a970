import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
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
