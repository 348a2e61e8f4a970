import { PassThrough } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import {
  encodedFloor,
  maskForms,
  maskText,
  PLAIN_CHARS,
  secretForms,
  secretMasker,
  URL_ONLY_CHARS,
} from "../../src/core/secrets/mask.js";
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

  // A value of those and these characters (a client token's `label:token`) is spelled as it is and URL-encoded.
  test("each character only URL-encoding changes reads the same JSON-escaped and inspected, and both URL encoders agree", () => {
    const value = `k4:${URL_ONLY_CHARS}/x@y`;
    const json = JSON.stringify(value).slice(1, -1);
    expect(new Set([json, JSON.stringify(json).slice(1, -1), inspect(value).slice(1, -1)])).toEqual(
      new Set([value]),
    );
    const url = encodeURIComponent(value);
    expect(url).not.toBe(value);
    expect(new URLSearchParams({ v: value }).toString().slice(2)).toBe(url);
    const lower = url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    for (const form of [value, url, lower]) expect(maskText(`<${form}>`, [value])).toBe("<********>");
    expect(secretMasker([value])(`a ${lower} b ${value}`)).toBe("a ******** b ********");
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

describe("masking many lines: hex and base64 spellings made only for a line that could hold one", () => {
  // A small seeded generator: the same texts on every run, and a failure names its seed's case.
  function random(seed: number) {
    let x = seed;
    const next = () => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x / 2 ** 31;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    return { next, pick, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) };
  }
  const CHARS = [..."abcXYZ019_.-+/=:@,;?#$&~ '\"\\%äé€😀\t"];

  test("no hex or base64 spelling of a value is shorter than its floor", () => {
    const r = random(7);
    for (let n = 1; n <= 150; n++) {
      // Plain values: every spelling but the value itself is its hex or base64.
      const value = Array.from({ length: n }, () => r.pick([..."abcdefXYZ0123456789_.-"])).join("");
      for (const form of secretForms([value]))
        if (form !== value)
          expect(form.length, `${n} bytes: ${form}`).toBeGreaterThanOrEqual(encodedFloor(value));
    }
    // Several bytes a character: the floor counts bytes.
    expect(encodedFloor("ä".repeat(30))).toBe(Math.min(120, 4 * 20 - 4));
  });

  test("every text is masked exactly as with all spellings at once, with and without a long run", () => {
    const r = random(42);
    let withRun = 0;
    let without = 0;
    for (let trial = 0; trial < 600; trial++) {
      const values = Array.from({ length: r.int(1, 5) }, () =>
        Array.from({ length: r.next() < 0.3 ? r.int(1, 12) : r.int(24, 64) }, () => r.pick(CHARS)).join(""),
      );
      const forms = secretForms(values);
      const pieces = Array.from({ length: r.int(1, 8) }, () => {
        const kind = r.int(0, 6);
        if (kind === 0 && forms.length > 0) return r.pick(forms);
        // A form inside a longer base64 text: found only by its run.
        if (kind === 1 && forms.length > 0)
          return `${Buffer.from(`${r.next()}`).toString("base64")}${r.pick(forms)}xYz+/`;
        if (kind === 2) return r.pick(values).slice(0, r.int(1, 8));
        if (kind === 3) return "/home/bob/.claude.json C:\\Users\\alice server-1, server-2";
        if (kind === 4) return Array.from({ length: r.int(1, 70) }, () => r.pick(CHARS)).join("");
        return "Gateway for 12 shared servers running at http://127.0.0.1:13337/mcp (pid 4242)";
      });
      const text = pieces.join(r.pick([" ", "", "\n", "="]));
      const floor = Math.min(...values.filter(Boolean).map(encodedFloor));
      if (new RegExp(`[A-Za-z0-9+/]{${floor},}|[A-Za-z0-9_-]{${floor},}`).test(text)) withRun++;
      else without++;
      expect(secretMasker(values)(text), `trial ${trial}`).toBe(maskForms(text, forms));
    }
    // Both ways were taken, many times each.
    expect(withRun).toBeGreaterThan(100);
    expect(without).toBeGreaterThan(100);
  });

  test("one masker masks line after line, the hex and base64 too once a line holds them", () => {
    const token = "ct_7Qe2mXc4Rb9LpW3s0aB5nD8fG1hJ4kL6pQ9rS2t";
    const mask = secretMasker([token]);
    expect(mask(`  - wsl:Ubuntu claude-code /home/bob/.claude.json  unchanged ${token}`)).toBe(
      "  - wsl:Ubuntu claude-code /home/bob/.claude.json  unchanged ********",
    );
    const b64 = Buffer.from(`{"t":"${token}"}`).toString("base64");
    expect(mask(`header ${b64} end`)).not.toContain(b64.slice(8, 40));
    expect(mask(`hex ${Buffer.from(token).toString("hex")}`)).toBe("hex ********");
  });
});
