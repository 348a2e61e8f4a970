/** Manifest text in, a Manifest or errors naming file:line:column out (core/manifest/validate.ts), pure. */
import { describe, expect, test } from "vitest";
import { UsageErrors } from "../../src/core/errors.js";
import { parseManifestText } from "../../src/core/manifest/validate.js";

function errorsOf(text: string): { message: string; line?: number; column?: number }[] {
  try {
    parseManifestText(text, "m.jsonc");
  } catch (error) {
    if (!(error instanceof UsageErrors)) throw error;
    return error.errors.map((e) => ({
      message: e.message,
      line: e.location?.line,
      column: e.location?.column,
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

  test("a wrong value still points at the value", () => {
    const [error] = errorsOf('{\n  "servers": {\n    "a": { "command": 5 }\n  }\n}\n');
    expect(error).toMatchObject({ line: 3, column: 12 });
    expect(error?.message).toContain("servers.a.command");
  });
});
