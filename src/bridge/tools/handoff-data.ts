/** The hand-off queue's shape (checked by hand: zod stays out of an idle bridge). */

export type HandoffStatus = "open" | "claimed" | "done" | "failed";

export interface HandoffItem {
  id: string;
  title: string;
  body?: string;
  from: string;
  to?: string;
  status: HandoffStatus;
  createdAt: string;
  updatedAt: string;
  claimedBy?: string;
  claimedAt?: string;
  completedBy?: string;
  completedAt?: string;
  result?: string;
}

export interface HandoffData {
  version: 1;
  nextId: number;
  items: HandoffItem[];
}

export const emptyHandoff = (): HandoffData => ({ version: 1, nextId: 1, items: [] });

const STATUSES = new Set(["open", "claimed", "done", "failed"]);

export function parseHandoff(raw: unknown): HandoffData {
  const data = raw as Partial<HandoffData> | null;
  if (data?.version !== 1 || !Number.isInteger(data.nextId) || !Array.isArray(data.items))
    throw new Error("not a hand-off store (version 1)");
  for (const [i, item] of data.items.entries())
    if (!item || typeof item.id !== "string" || typeof item.title !== "string" || !STATUSES.has(item.status))
      throw new Error(`items[${i}] is not a hand-off item`);
  return data as HandoffData;
}
