/**
 * Among near-twin tools of one server no examples file knows, the one whose name the need says as
 * written is found first: stems tie `snapshot-droplet` and `snapshot-droplets-tag`, the words as written do not.
 */
import { expect, test } from "vitest";
import { ToolIndex } from "../../src/core/tool-search/tool-index.js";
import { unseen2Servers } from "./needs.js";

/** The 22 servers of unseen2/ (621 tools), none of them known to the examples file, with the shipped vectors and examples. */
const index = new ToolIndex();
for (const s of unseen2Servers) index.put(s.name, s.tools);

const first = (q: string) => {
  const [top] = index.search(q, 1, () => true);
  return top && `${top.server}/${top.tool.name}`;
};

test("a need that says a near-twin's name as written finds that twin first, not a sibling of the same stems", () => {
  // "calendars", "services" as written: `listCalendars` over `getCalendarEvent`, `list_services` over `list_projects`.
  expect(first("what's my schedule next week across all my calendars")).toBe("google-drive/listCalendars");
  expect(first("what services are running in my gcp project")).toBe("cloud-run/list_services");
  // "droplet" as written is `snapshot-droplet`'s, not `snapshot-droplets-tag`'s; "slides", "replies" likewise.
  expect(first("take a snapshot of droplet 4431 before the upgrade")).toBe("digitalocean/snapshot-droplet");
  expect(first("resize the db droplet to 8gb")).toBe("digitalocean/resize-droplet");
  expect(first("create a slide deck for the kickoff with 5 slides")).toBe("google-drive/createGoogleSlides");
  expect(first("show the replies to the announcement post in the channel")).toBe(
    "teams/get_channel_message_replies",
  );
});
