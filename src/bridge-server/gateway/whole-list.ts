/**
 * A list read whole from a shared server: every page its `nextCursor` names, bounded in pages, items
 * and bytes, so what calls are judged against, what sync pins and what `/tools` indexes is all of it.
 */
import type { ListMethod } from "./list-cache.js";
import type { Json } from "./wire-json.js";

/** What one list may hold: past any of them the list ends there, said in the server's log. */
export const LIST_BOUNDS = { pages: 64, items: 10_000, bytes: 16 * 1024 * 1024 };

const ITEMS: Record<ListMethod, string> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
};

type Page = (cursor: string | undefined) => Promise<Json>;

/**
 * Every page of `method`'s list as one result without `nextCursor`; undefined when a page is not
 * read (the cache keeps what it held: half a list is never taken for the whole). A bound reached:
 * the items so far, and `cut` says which (an item past it is neither listed nor callable).
 */
export async function readWhole(
  method: ListMethod,
  page: Page,
  bounds = LIST_BOUNDS,
): Promise<{ list: Json; cut?: string } | undefined> {
  const key = ITEMS[method];
  const items: unknown[] = [];
  let first: Json | undefined;
  let bytes = 0;
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    if (pages === bounds.pages) return whole(first, key, items, `${bounds.pages} pages`);
    const result = await page(cursor).catch(() => undefined);
    if (!result) return undefined;
    const got = result[key];
    if (!Array.isArray(got)) return pages === 0 ? { list: result } : undefined; // not a list: kept as said
    first ??= result;
    for (const item of got) {
      bytes += JSON.stringify(item)?.length ?? 0;
      if (bytes > bounds.bytes) return whole(first, key, items, `${bounds.bytes} bytes`);
      if (items.length === bounds.items) return whole(first, key, items, `${bounds.items} items`);
      items.push(item);
    }
    const next = result.nextCursor;
    if (typeof next !== "string" || next === "") return whole(first, key, items);
    cursor = next;
  }
}

function whole(first: Json | undefined, key: string, items: unknown[], cut?: string) {
  const { nextCursor: _, ...rest } = first ?? {};
  return { list: { ...rest, [key]: items }, ...(cut ? { cut } : {}) };
}
