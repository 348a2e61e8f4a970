/** emptyLayoutLike: an empty object's inside laid out as a model has it, nothing else moved. */
import { describe, expect, test } from "vitest";
import { emptyLayoutLike } from "../../src/core/formats/json/empty-layout.js";

describe("emptyLayoutLike", () => {
  test("the inside of an empty object or array comes from the model", () => {
    expect(emptyLayoutLike("{}", "{\n}")).toBe("{\n}");
    expect(emptyLayoutLike('{\n  "mcpServers": {}\n}', '{\n  "mcpServers": {\n  }\n}')).toBe(
      '{\n  "mcpServers": {\n  }\n}',
    );
    expect(emptyLayoutLike('\uFEFF{ "a": [] }\r\n', '{ "a": [ ] }')).toBe('\uFEFF{ "a": [ ] }\r\n');
  });

  test("any other layout of the text stays: only empty insides move", () => {
    // A client that reformatted its file keeps its layout; only the empty object follows the model.
    expect(emptyLayoutLike('{"a": 1, "b": {}}', '{\n  "a": 1,\n  "b": {\n  }\n}')).toBe(
      '{"a": 1, "b": {\n  }}',
    );
  });

  test("different tokens (a value, a key, a comment): the text unchanged", () => {
    expect(emptyLayoutLike('{ "a": {} }', '{ "a": { }, "b": 1 }')).toBe('{ "a": {} }');
    expect(emptyLayoutLike('{ "a": {} }', '{ "a": { } // mine\n}')).toBe('{ "a": {} }');
    expect(emptyLayoutLike('{ "a": {} }', '{ "b": { } }')).toBe('{ "a": {} }');
  });
});
