/**
 * Tools on demand (core/tool-search/search-and-call.ts) over the catalogue servers' real tools: the two
 * tools' schemas taken by the strictest clients, arguments checked against the tool's real schema
 * before any call, and a tool the client does not get neither found nor called.
 */
import { expect, test } from "vitest";
import { checkArguments } from "../../src/core/tool-search/arguments.js";
import { type OnDemand, onDemandCall, onDemandTools } from "../../src/core/tool-search/search-and-call.js";
import { ToolIndex } from "../../src/core/tool-search/tool-index.js";
import { catalogue } from "./catalogue.js";

interface Made {
  o: OnDemand;
  calls: Array<{ server: string; tool: string; args: unknown }>;
}

function made(admits: OnDemand["admits"] = () => true, keep: string[] = []): Made {
  const index = new ToolIndex();
  for (const [server, { tools }] of Object.entries(catalogue)) index.put(server, tools);
  const calls: Made["calls"] = [];
  const o: OnDemand = {
    index,
    servers: Object.keys(catalogue).map((name) => ({ name })),
    admits,
    keep,
    call: async ({ server, tool, args }) => {
      calls.push({ server, tool, args });
      return { content: [{ type: "text", text: `${server}/${tool} ran` }] };
    },
  };
  return { o, calls };
}

const text = (r: Record<string, unknown>) => (r.content as Array<{ text: string }>)[0]?.text ?? "";

/** Every object schema has non-empty `properties` (OpenAI-family and Gemini-family clients' rules). */
function strictObjects(schema: unknown, at = "schema"): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const bad: string[] = [];
  if (
    s.type === "object" &&
    (typeof s.properties !== "object" || Object.keys(s.properties ?? {}).length === 0)
  )
    bad.push(at);
  for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, unknown>))
    bad.push(...strictObjects(v, `${at}.${k}`));
  return bad;
}

test("the list is search_tools, call_tool and the kept tools; search_tools names every server, a line each with what it is for", () => {
  const { o } = made(() => true, ["memory/read_graph", "fetch/fetch"]);
  const tools = onDemandTools(o);
  expect(tools.map((t) => t.name)).toEqual(["search_tools", "call_tool", "read_graph", "fetch"]);
  for (const t of tools.slice(0, 2)) expect(strictObjects(t.inputSchema)).toEqual([]);
  for (const server of Object.keys(catalogue))
    expect(tools[0]?.description).toMatch(new RegExp(`^- ${server} \\(\\d+ tools?\\)(: .+)?$`, "m"));
  // What each is for, in its tools' own words (its server's name left out), or the manifest's line.
  expect(tools[0]?.description).toMatch(/^- github \(45 tools\): .*\bpull\b/m);
  expect(tools[0]?.description).toMatch(/^- playwright \(25 tools\): .*\bbrowser\b/m);
  const described = onDemandTools({ ...o, servers: [{ name: "memory", about: "what you told it to keep" }] });
  expect(described[0]?.description).toContain("- memory (9 tools): what you told it to keep");
  // One is one: never "1 tools".
  expect(tools[0]?.description).toContain("- fetch (1 tool)\n");
  expect(tools[0]?.description).not.toContain("(1 tools)");
});

test("a kept tool keeps its name when another of that name is kept after it; only the later one is <server>_<tool>", () => {
  const index = new ToolIndex();
  const me = (about: string) => ({ name: "get_me", description: about, inputSchema: { type: "object" } });
  index.put("github", [me("GitHub's user")]);
  index.put("gitlab", [me("GitLab's user")]);
  index.put("mine", [
    { name: "call_tool", description: "a tool named like ours", inputSchema: { type: "object" } },
  ]);
  const base = {
    index,
    servers: [{ name: "github" }, { name: "gitlab" }, { name: "mine" }],
    admits: () => true,
  };
  const listed = (keep: string[]) =>
    onDemandTools({ ...base, keep, call: async () => ({}) }).map((t) => `${t.name}: ${t.description}`);
  expect(listed(["github/get_me"]).slice(2)).toEqual(["get_me: GitHub's user"]);
  expect(listed(["github/get_me", "gitlab/get_me", "mine/call_tool"]).slice(2)).toEqual([
    "get_me: GitHub's user",
    "gitlab_get_me: GitLab's user",
    "mine_call_tool: a tool named like ours",
  ]);
});

test("search_tools with no match says so and what to try, never a bare empty list", async () => {
  const { o } = made();
  const r = await onDemandCall(o, "search_tools", { query: "qqxv zzkw" });
  const found = r.structuredContent as { tools: unknown[]; note?: string };
  expect(found.tools).toEqual([]);
  expect(found.note).toMatch(
    /^No tool matches "qqxv zzkw"\. Try other or fewer words for what the tool should do/,
  );
  expect(found.note).toContain("or a server's name (memory, filesystem,");
  expect(text(r)).toBe(`{"tools":[]}\n${found.note}`);
});

test("search_tools answers <server>/<tool> with description and inputSchema, as text and structured", async () => {
  const { o, calls } = made();
  const r = await onDemandCall(o, "search_tools", { query: "take a screenshot", limit: 2 });
  const found = (r.structuredContent as { tools: Array<{ name: string; inputSchema: unknown }> }).tools;
  expect(found).toHaveLength(2);
  expect(found[0]?.name).toBe("playwright/browser_take_screenshot");
  expect(found[0]?.inputSchema).toEqual(
    catalogue.playwright?.tools.find((t) => t.name === "browser_take_screenshot")?.inputSchema,
  );
  expect(JSON.parse(text(r))).toEqual({ tools: found });
  expect(calls).toEqual([]);
  const tooMany = await onDemandCall(o, "search_tools", { query: "x", limit: 50 });
  expect(tooMany).toMatchObject({ isError: true });
});

test("call_tool checks the arguments against the tool's real schema: a misfit is a tool error with the schema, no call", async () => {
  const { o, calls } = made();
  const bad = await onDemandCall(o, "call_tool", {
    name: "fetch/fetch",
    arguments: { url: "not a url", max_length: 0 },
  });
  expect(bad.isError).toBe(true);
  expect(text(bad)).toMatch(/url: Invalid URL/);
  expect(text(bad)).toMatch(/max_length: Too small/);
  expect(text(bad)).toContain(JSON.stringify(catalogue.fetch?.tools[0]?.inputSchema));
  const missing = await onDemandCall(o, "call_tool", { name: "memory/search_nodes", arguments: {} });
  expect(text(missing)).toMatch(/query: .*expected string/i);
  expect(calls).toEqual([]);
  const ok = await onDemandCall(o, "call_tool", {
    name: "fetch/fetch",
    arguments: { url: "https://example.org" },
  });
  expect(text(ok)).toBe("fetch/fetch ran");
  // A JSON string is taken for clients that cannot send a free-form object; sent on as it was read.
  await onDemandCall(o, "call_tool", { name: "memory/search_nodes", arguments: '{"query":"alice"}' });
  expect(calls).toEqual([
    { server: "fetch", tool: "fetch", args: { url: "https://example.org" } },
    { server: "memory", tool: "search_nodes", args: { query: "alice" } },
  ]);
});

test("a tool the client does not get is neither found, selected, kept nor called; in words of a tool not there", async () => {
  const admits = (server: string, tool: string) => !(server === "github" && tool === "delete_repository");
  const { o, calls } = made(admits, ["github/delete_repository", "github/get_me"]);
  expect(onDemandTools(o).map((t) => t.name)).toEqual(["search_tools", "call_tool", "get_me"]);
  const searched = await onDemandCall(o, "search_tools", { query: "delete a repository", limit: 10 });
  expect(text(searched)).not.toContain("github/delete_repository");
  const selected = await onDemandCall(o, "search_tools", { query: "select:github/delete_repository" });
  const absent = await onDemandCall(o, "search_tools", { query: "select:github/no_such_tool" });
  expect(selected.structuredContent).toEqual({
    tools: [],
    note: 'There is no tool "github/delete_repository" here: search by what the tool should do.',
  });
  expect(text(selected)).toBe(text(absent).replace("no_such_tool", "delete_repository"));
  const denied = await onDemandCall(o, "call_tool", {
    name: "github/delete_repository",
    arguments: { owner: "a", repo: "b" },
  });
  const unknown = await onDemandCall(o, "call_tool", { name: "github/no_such_tool", arguments: {} });
  expect(text(denied)).toBe(text(unknown).replace("no_such_tool", "delete_repository"));
  expect(await onDemandCall(o, "delete_repository", { owner: "a", repo: "b" })).toMatchObject({
    isError: true,
  });
  expect(await onDemandCall(o, ["call_tool"], {})).toMatchObject({ isError: true });
  expect(calls).toEqual([]);
});

test("arguments that are not a JSON object are said as such, with the schema", () => {
  const schema = { type: "object", properties: { a: { type: "number" } } };
  expect(checkArguments("s/t", schema, "{nope")).toMatchObject({ error: { isError: true } });
  expect(checkArguments("s/t", schema, [1])).toMatchObject({ error: { isError: true } });
  expect(checkArguments("s/t", schema, undefined)).toEqual({ args: {} });
  expect(checkArguments("s/t", undefined, { b: 1 })).toEqual({ args: { b: 1 } });
});

test("a server behind the entry that never started is said to be unavailable, never as a server of 0 tools", () => {
  const { o } = made();
  const tools = onDemandTools({ ...o, servers: [...o.servers, { name: "crashy" }, { name: "later" }] });
  const failure = (s: string) =>
    s === "crashy" ? `did not start: the server exited (code 3)${" .".repeat(200)}` : undefined;
  const said = onDemandTools({
    ...o,
    failure,
    servers: [...o.servers, { name: "crashy" }, { name: "later" }],
  });
  expect(tools[0]?.description).toContain(
    "\n- crashy: unavailable (not started yet: its tools are not known)",
  );
  // Why, cut to a line's length.
  expect(said[0]?.description).toMatch(
    /\n- crashy: unavailable \(did not start: the server exited \(code 3\)[ .]{100,}…\)\n/,
  );
  expect(said[0]?.description).toContain("\n- later: unavailable (not started yet: its tools are not known)");
  expect(
    String(said[0]?.description)
      .split("\n")
      .find((l) => l.startsWith("- crashy"))?.length,
  ).toBeLessThan(200);
  expect(said[0]?.description).not.toContain("0 tools");
  // A server that started and lists no tool is still counted as such.
  o.index.put("empty", []);
  const none = onDemandTools({ ...o, servers: [{ name: "empty" }] });
  expect(none[0]?.description).toContain("- empty (0 tools)");
});
