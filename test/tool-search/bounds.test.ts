/**
 * Tools on demand bounded per input (core/tool-search/bounds.ts): a query past its length refused
 * before it is searched; a server whose list nests too deep or weighs too much left out of search
 * with one line, the others found as before; a schema's regular expressions never run in the
 * gateway's own argument check.
 */
import { expect, test } from "vitest";
import { checkArguments } from "../../src/core/tool-search/arguments.js";
import { indexable, MAX_QUERY_CHARS, TOOL_BOUNDS } from "../../src/core/tool-search/bounds.js";
import { KeptIndex } from "../../src/core/tool-search/kept-index.js";
import { onDemandCall, onDemandTools } from "../../src/core/tool-search/search-and-call.js";

/** A schema nested `levels` objects deep, made from its text (as a server's answer is read). */
const nested = (levels: number): unknown =>
  JSON.parse(
    `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${"}}".repeat(levels)}`,
  );

const lists: Record<string, unknown[]> = {
  deep: [{ name: "deep_tool", description: "reads the deep thing", inputSchema: nested(4000) }],
  wide: [
    { name: "wide_tool", description: `w${"x".repeat(TOOL_BOUNDS.chars)}`, inputSchema: { type: "object" } },
    { name: "narrow_tool", description: "reads the narrow thing", inputSchema: { type: "object" } },
  ],
  fine: [{ name: "read_page", description: "reads a web page", inputSchema: { type: "object" } }],
};

/** What one client of `/tools` gets over these three servers, and what was logged. */
function onDemand() {
  const lines: string[] = [];
  const kept = new KeptIndex(
    () => ({ clients: [{ client: "opencode", servers: Object.keys(lists) }], keep: [] }),
    { mode: () => "machine", visible: () => undefined },
    (line) => lines.push(line),
    (server) => lists[server],
  );
  const of = () => {
    const o = kept.of("opencode", async () => ({ content: [] }));
    if (!o) throw new Error("opencode is a client of toolSearch here");
    return o;
  };
  return { o: of(), of, lines };
}

const text = (r: Record<string, unknown>) => (r.content as Array<{ text: string }>)[0]?.text ?? "";

test("a tool nested 4,000 levels, or past 256 KiB: that tool left out of search, said once; the others found, its server's too", async () => {
  const { o, of, lines } = onDemand();
  expect(onDemandTools(o)[0]?.description).toMatch(
    /^- deep \(0 tools\)\n- wide \(1 tool\)(: .+)?\n- fine \(1 tool\)(: .+)?$/m,
  );
  const found = await onDemandCall(o, "search_tools", { query: "reads" });
  expect(text(found)).toContain('"name":"fine/read_page"');
  expect(text(found)).not.toContain("deep/deep_tool");
  expect(text(found)).toContain('"name":"wide/narrow_tool"');
  expect(text(found)).not.toContain("wide/wide_tool");
  // Asked again (each request brings the index up to date): said once.
  expect(text(await onDemandCall(of(), "search_tools", { query: "deep" }))).not.toContain("deep/deep_tool");
  expect(lines).toEqual([
    `[tools] deep: left out of search: its tool "deep_tool" nests deeper than ${TOOL_BOUNDS.depth} levels: that tool left out`,
    `[tools] wide: left out of search: its tool "wide_tool" is larger than 256 KiB: that tool left out`,
  ]);
});

test("the bounds: at the depth a tool is indexed, one level deeper it is not; a list's tools together are bounded too", () => {
  const said: string[] = [];
  // The tool itself is level 1, its inputSchema 2, and so on: TOOL_BOUNDS.depth levels of objects in all.
  const at = (levels: number) => [
    { name: "t", inputSchema: JSON.parse(`${'{"a":'.repeat(levels - 2)}{}${"}".repeat(levels - 2)}`) },
  ];
  expect(indexable(at(TOOL_BOUNDS.depth), (w) => said.push(w))).toHaveLength(1);
  expect(indexable(at(TOOL_BOUNDS.depth + 1), (w) => said.push(w))).toHaveLength(0);
  const many = Array.from({ length: 20 }, (_, i) => ({ name: `t${i}`, description: "d".repeat(250 * 1024) }));
  expect(indexable(many, (w) => said.push(w))).toHaveLength(0);
  expect(said).toEqual([
    `its tool "t" nests deeper than ${TOOL_BOUNDS.depth} levels: that tool left out`,
    "its tools are larger than 4 MiB together",
  ]);
});

test("a 4 MB query is refused at once as arguments that do not fit, before a word of it is searched", async () => {
  const { o } = onDemand();
  const answer = await onDemandCall(o, "search_tools", { query: "read ".repeat(800_000) });
  expect(answer.isError).toBe(true);
  expect(text(answer)).toMatch(
    new RegExp(
      `^the arguments of search_tools do not fit its schema: query: .*<=${MAX_QUERY_CHARS} characters`,
    ),
  );
  // At the bound it is searched as any query.
  const long = await onDemandCall(o, "search_tools", { query: "reads a web page ".repeat(58) });
  expect(text(long)).toContain("fine/read_page");
});

test("no server's regular expression runs in the gateway's check: `pattern` and `patternProperties` are the server's to check", () => {
  // ^(a+)+$ backtracks exponentially: 26 characters that do not match cost seconds on the event loop.
  const evil = "a".repeat(26) + "!";
  const schema = {
    type: "object",
    properties: { x: { type: "string", pattern: "^(a+)+$" }, n: { type: "integer" } },
    patternProperties: { "^(a+)+$": { type: "string" } },
    additionalProperties: false,
    required: ["x"],
  };
  expect(checkArguments("s/t", schema, { x: evil, [evil]: "v" })).toEqual({ args: { x: evil, [evil]: "v" } });
  // The rest is checked as before: a type, a required member.
  expect(checkArguments("s/t", schema, { x: 5 })).toMatchObject({ error: { isError: true } });
  expect(checkArguments("s/t", schema, { n: 1 })).toMatchObject({ error: { isError: true } });
  // A member named `pattern` is a property, not the keyword: still checked.
  const named = { type: "object", properties: { pattern: { type: "string" } } };
  expect(checkArguments("s/t", named, { pattern: 5 })).toMatchObject({ error: { isError: true } });
});
