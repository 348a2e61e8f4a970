/**
 * The notices said of the client files found (status, doctor; pure): a client's own (a successor,
 * an end) where one of its files exists, and a file's own (a predecessor's file beside it), once each.
 */
import type { ClientId } from "./ids.js";
import type { Target } from "./types.js";

/** One notice, and the client it is said of. */
export interface FoundNotice {
  client: ClientId;
  text: string;
}

/** Each notice of `found` once, in their order (`text`: the file's, null where it does not exist). */
export function foundNotices(found: ReadonlyArray<{ target: Target; text: string | null }>): FoundNotice[] {
  const out = new Map<string, FoundNotice>();
  for (const { target: t, text } of found) {
    const { notice, noticeWhen } = t.client;
    // Where the notice concerns only some files (Goose's removed type), this file's text decides.
    const own = text !== null && notice && (!noticeWhen || noticeWhen(text)) ? notice : undefined;
    for (const line of [own, t.notice])
      if (line && !out.has(line)) out.set(line, { client: t.client.id, text: line });
  }
  return [...out.values()];
}
