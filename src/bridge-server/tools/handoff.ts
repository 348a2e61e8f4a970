/**
 * The hand-off queue: one session posts a request ("please review this plan"), another lists,
 * claims and completes it with a result the first one reads. open → claimed → done | failed.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { JsonStore } from "../json-store.js";
import { type BridgeTool, defineTool } from "./define.js";
import type { HandoffData, HandoffItem } from "./handoff-data.js";
import { fail, ok } from "./result.js";

/** Finished items kept; older ones are dropped when more finish. */
const KEEP_FINISHED = 500;
const id = z.string().min(1).max(32).describe("The item's id, from handoff_post or handoff_list.");
const by = z.string().max(100).optional().describe("Who does it (default: the client's name).");

export function handoffTools(store: JsonStore<HandoffData>): BridgeTool[] {
  return [
    postTool(store),
    listTool(store),

    defineTool(
      {
        name: "handoff_get",
        title: "Read a hand-off",
        description: "Read one hand-off item: its status and, once completed, its result.",
        input: { id },
        annotations: { readOnlyHint: true },
      },
      async ({ id: itemId }) => {
        const item = find(store.data, itemId);
        return item ? ok({ item }) : fail(`No hand-off item ${itemId}.`);
      },
    ),

    defineTool(
      {
        name: "handoff_claim",
        title: "Claim a hand-off",
        description: "Take an open hand-off item, so no other session works on it too.",
        input: { id, by },
      },
      ({ id: itemId, by: who }, call) =>
        changeItem(store, itemId, (item, _, now) => {
          if (item.status !== "open")
            return `Item ${itemId} is ${item.status}${item.claimedBy ? ` (by ${item.claimedBy})` : ""}, not open.`;
          Object.assign(item, { status: "claimed", claimedBy: who ?? call.client, claimedAt: now });
        }),
    ),

    defineTool(
      {
        name: "handoff_complete",
        title: "Complete a hand-off",
        description: "Finish a claimed (or open) hand-off item with a result the poster can read.",
        input: {
          id,
          result: z.string().max(100_000).describe("The answer or outcome (Markdown)."),
          status: z.enum(["done", "failed"]).optional().describe("done (default) or failed."),
          by,
        },
      },
      ({ id: itemId, result, status = "done", by: who }, call) =>
        changeItem(store, itemId, (item, data, now) => {
          if (item.status === "done" || item.status === "failed")
            return `Item ${itemId} is already ${item.status}.`;
          Object.assign(item, { status, result, completedBy: who ?? call.client, completedAt: now });
          const finished = data.items.filter((i) => i.status === "done" || i.status === "failed");
          if (finished.length > KEEP_FINISHED) {
            const drop = new Set(finished.slice(0, finished.length - KEEP_FINISHED));
            data.items = data.items.filter((i) => !drop.has(i));
          }
        }),
    ),
  ];
}

/** handoff_post: a request for another session. */
function postTool(store: JsonStore<HandoffData>): BridgeTool {
  return defineTool(
    {
      name: "handoff_post",
      title: "Hand off a task",
      description:
        'Post a request for another session to pick up, e.g. Claude Code asks Claude Desktop: "please review this plan". Returns the item with its id; read the result later with handoff_get.',
      input: {
        title: z.string().min(1).max(200).describe("One line: what is asked."),
        body: z
          .string()
          .max(100_000)
          .optional()
          .describe("Details (Markdown), or the name of a note to read."),
        to: z
          .string()
          .max(100)
          .optional()
          .describe('Who should take it (e.g. "claude-desktop"); anyone if omitted.'),
        from: by,
      },
    },
    async ({ title, body, to, from }, call) => {
      const item = await store.update((data) => {
        const now = new Date().toISOString();
        const created: HandoffItem = {
          id: String(data.nextId++),
          title,
          ...(body !== undefined ? { body } : {}),
          from: from ?? call.client,
          ...(to !== undefined ? { to } : {}),
          status: "open",
          createdAt: now,
          updatedAt: now,
        };
        data.items.push(created);
        return created;
      });
      return ok({ item });
    },
  );
}

/** handoff_list: the items, oldest first. */
function listTool(store: JsonStore<HandoffData>): BridgeTool {
  return defineTool(
    {
      name: "handoff_list",
      title: "List hand-offs",
      description: "List hand-off items, oldest first: by default the open and claimed ones.",
      input: {
        status: z
          .enum(["pending", "open", "claimed", "done", "failed", "all"])
          .optional()
          .describe("pending (default) = open + claimed; all = every item kept."),
        to: z.string().max(100).optional().describe("Only items addressed to this name (or to anyone)."),
        limit: z.number().int().min(1).max(500).optional().describe("At most this many (default 50)."),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ status = "pending", to, limit = 50 }) => {
      const wanted = (s: string) => (status === "pending" ? s === "open" || s === "claimed" : s === status);
      const items = store.data.items
        .filter((i) => status === "all" || wanted(i.status))
        .filter((i) => to === undefined || i.to === undefined || i.to === to)
        .slice(0, limit);
      return ok({ items });
    },
  );
}

const find = (data: Readonly<HandoffData>, itemId: string) => data.items.find((i) => i.id === itemId);

/**
 * One item changed by `change` at `now` (then updated at it too; its copy the answer), or why not:
 * no such item, or `change` says.
 */
async function changeItem(
  store: JsonStore<HandoffData>,
  itemId: string,
  change: (item: HandoffItem, data: HandoffData, now: string) => string | undefined,
): Promise<CallToolResult> {
  const outcome = await store.update((data) => {
    const item = find(data, itemId);
    const now = new Date().toISOString();
    if (!item) return `No hand-off item ${itemId}.`;
    return change(item, data, now) ?? { ...Object.assign(item, { updatedAt: now }) };
  });
  return typeof outcome === "string" ? fail(outcome) : ok({ item: outcome });
}
