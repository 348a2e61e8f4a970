/** The hand-off queue's shape (checked by hand: zod stays out of an idle bridge). */
import { isPlain, own } from "../../core/plain-records.js";

type HandoffStatus = "open" | "claimed" | "done" | "failed";

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
const OPTIONAL = ["body", "to", "claimedBy", "claimedAt", "completedBy", "completedAt", "result"] as const;

/** Check the file's shape and copy each item's known fields (own properties only, strings only). */
export function parseHandoff(raw: unknown): HandoffData {
  if (!isPlain(raw) || own(raw, "version") !== 1) throw new Error("not a hand-off store (version 1)");
  const nextId = own(raw, "nextId");
  const items = own(raw, "items");
  if (!Number.isInteger(nextId) || !Array.isArray(items)) throw new Error("not a hand-off store (version 1)");
  return {
    version: 1,
    nextId: nextId as number,
    items: items.map((item, i) => {
      const bad = () => new Error(`items[${i}] is not a hand-off item`);
      if (!isPlain(item)) throw bad();
      const fields = ["id", "title", "from", "status", "createdAt", "updatedAt"].map((k) => own(item, k));
      const [id, title, from, status, createdAt, updatedAt] = fields;
      if (typeof id !== "string" || typeof title !== "string" || !STATUSES.has(status as string)) throw bad();
      const copy: HandoffItem = {
        id,
        title,
        from: typeof from === "string" ? from : "unknown",
        status: status as HandoffStatus,
        createdAt: typeof createdAt === "string" ? createdAt : "",
        updatedAt: typeof updatedAt === "string" ? updatedAt : "",
      };
      for (const k of OPTIONAL) {
        const v = own(item, k);
        if (typeof v === "string") copy[k] = v;
      }
      return copy;
    }),
  };
}
