/**
 * A list read whole from a shared server: every page its `nextCursor` names, bounded in pages, items
 * and bytes, so what calls are judged against, what sync pins and what `/tools` indexes is all of it.
 */
import { nextCursor } from "../../core/jsonrpc/envelope-headers.js";
import type { ListMethod } from "./list-cache.js";
import type { Json } from "./wire-json.js";

/** What one list may hold: past any of them the list ends there, said in the server's log. */
export const LIST_BOUNDS = { pages: 64, items: 10_000, bytes: 16 * 1024 * 1024 };

/**
 * Every page of `method`'s list as one result without `nextCursor`; undefined when a page is not
 * read (the cache keeps what it held: half a list is never taken for the whole). A bound reached:
 * the items so far, and `cut` says which (an item past it is neither listed nor callable).
 */
export async function readWhole(
  method: ListMethod,
  page: (cursor?: string) => Promise<Json>,
  bounds = LIST_BOUNDS,
) {
  const key =
    method === "resources/templates/list" ? "resourceTemplates" : method.slice(0, method.indexOf("/"));
  // A page refused or late: the list is unread (the cache keeps what it held).
  let result = await page().catch(() => undefined);
  if (!result || !Array.isArray(result[key])) return result && { list: result }; // not a list: kept as said
  const { nextCursor: _, ...list } = result;
  const items: unknown[] = [];
  const whole = (cut?: string) => ({
    list: { ...list, [key]: items.slice(0, bounds.items) },
    ...(cut ? { cut } : {}),
  });
  for (let pages = 1, bytes = 0; ; pages++) {
    const got = result[key] as unknown[];
    bytes += sizeOf(got);
    if (bytes > bounds.bytes) return whole(`${bounds.bytes} bytes`);
    items.push(...got);
    if (items.length > bounds.items) return whole(`${bounds.items} items`);
    const cursor = nextCursor(result);
    if (!cursor) return whole();
    if (pages === bounds.pages) return whole(`${bounds.pages} pages`);
    // A later page refused or late: unread too, never half a list.
    result = await page(cursor).catch(() => undefined);
    if (!result || !Array.isArray(result[key])) return undefined;
  }
}

/**
 * A page's size as JSON; a page nested past what JSON.stringify's stack takes counts as nothing
 * here: what indexes and caches the list leaves such a tool out, and says so (tool-search/bounds.ts).
 */
function sizeOf(items: unknown[]): number {
  try {
    return JSON.stringify(items).length;
  } catch {
    return 0; // too deep to measure: judged downstream, as above
  }
}
