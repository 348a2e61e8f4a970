/**
 * A list read whole (gateway/whole-list.ts): every page a server's `nextCursor` names, as one list;
 * a page unread leaves none (never half a list); past a bound, the items so far and which bound cut it.
 */
import { expect, test } from "vitest";
import { LIST_BOUNDS, readWhole } from "../../../src/bridge-server/gateway/whole-list.js";

/** A server's pages of `n` tools, `per` a page, its cursor the next index; `fail` at that cursor ("first": the first page). */
const paging = (n: number, per: number, fail?: string) => {
  const asked: Array<string | undefined> = [];
  const page = async (cursor: string | undefined) => {
    asked.push(cursor);
    if ((cursor ?? "first") === fail) throw new Error("refused");
    const from = Number(cursor ?? 0);
    const tools = Array.from({ length: Math.min(per, n - from) }, (_, i) => ({ name: `t${from + i}` }));
    return from + per < n ? { tools, nextCursor: String(from + per) } : { tools };
  };
  return { page, asked };
};

test("every page followed into one list without a cursor; one page is the server's answer as it was", async () => {
  const { page, asked } = paging(5, 2);
  expect(await readWhole("tools/list", page)).toEqual({
    list: { tools: ["t0", "t1", "t2", "t3", "t4"].map((name) => ({ name })) },
  });
  expect(asked).toEqual([undefined, "2", "4"]);
  const one = await readWhole("prompts/list", async () => ({ prompts: [{ name: "p" }], nextCursor: "" }));
  expect(one).toEqual({ list: { prompts: [{ name: "p" }] } });
  const templates = await readWhole("resources/templates/list", async (c) =>
    c
      ? { resourceTemplates: [{ uriTemplate: "b" }] }
      : { resourceTemplates: [{ uriTemplate: "a" }], nextCursor: "x" },
  );
  expect(templates?.list).toEqual({ resourceTemplates: [{ uriTemplate: "a" }, { uriTemplate: "b" }] });
});

test("a page that is not read leaves the list unread: half a list is never taken for the whole", async () => {
  expect(await readWhole("tools/list", paging(5, 2, "2").page)).toBeUndefined();
  expect(await readWhole("tools/list", paging(5, 2, "first").page)).toBeUndefined();
});

test("past a bound of pages, items or bytes, the list ends there and says which bound cut it", async () => {
  const endless = async (cursor: string | undefined) => ({
    tools: [{ name: `t${cursor ?? 0}` }],
    nextCursor: String(Number(cursor ?? 0) + 1),
  });
  const pages = await readWhole("tools/list", endless, { ...LIST_BOUNDS, pages: 3 });
  expect(pages).toEqual({
    list: { tools: [{ name: "t0" }, { name: "t1" }, { name: "t2" }] },
    cut: "3 pages",
  });
  const items = await readWhole("tools/list", paging(9, 4).page, { ...LIST_BOUNDS, items: 5 });
  expect(items?.list).toEqual({ tools: ["t0", "t1", "t2", "t3", "t4"].map((name) => ({ name })) });
  expect(items?.cut).toBe("5 items");
  // A page of four here is 57 bytes of JSON: 60 hold one page, and the list ends before the next.
  const bytes = await readWhole("tools/list", paging(9, 4).page, { ...LIST_BOUNDS, bytes: 60 });
  expect(bytes).toEqual({
    list: { tools: ["t0", "t1", "t2", "t3"].map((name) => ({ name })) },
    cut: "60 bytes",
  });
});
