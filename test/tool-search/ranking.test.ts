/**
 * The ranking of tools on demand over 26 servers' real lists (test/fixtures/tool-search/servers/):
 * a long description no magnet, filler left out, names over descriptions, typos forgiven,
 * parameters at any depth, the word vectors read at the first search only, and the report set's
 * needs (and the unseen tune part's) found by the tools' own words.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import type { ToolDef } from "../../src/core/entries/tool-lists.js";
import { WordVectors } from "../../src/core/text-search/word-vectors.js";
import { type OnDemand, onDemandCall } from "../../src/core/tool-search/search-and-call.js";
import { type Admits, ToolIndex } from "../../src/core/tool-search/tool-index.js";
import { needs, servers, serversOf, unseenServers, unseenTuneNeeds } from "./needs.js";

const everyTool: Admits = () => true;

/** One index of the 26 servers' lists (the shipped word vectors, read once for the file). */
const index = new ToolIndex();
for (const s of servers) index.put(s.name, s.tools);

/** The same by the tools' own words alone: no examples (as a server's tools the examples do not know). */
const ownWords = new ToolIndex(undefined, undefined, undefined, () => undefined);
for (const s of servers) ownWords.put(s.name, s.tools);

/**
 * The servers no examples file knows, one index for the tests that search them (its meanings made
 * at its first search, once for the file), made when first asked.
 */
let unseenKept: ToolIndex | undefined;
function unseenIndex(): ToolIndex {
  if (unseenKept) return unseenKept;
  unseenKept = new ToolIndex();
  for (const s of unseenServers) unseenKept.put(s.name, s.tools);
  return unseenKept;
}

const ids = (q: string, limit = 5, within = index) =>
  within.search(q, limit, everyTool).map((f) => `${f.server}/${f.tool.name}`);

test("the longest description (6,549 characters) is no magnet: in the wrong top 5 of at most 1 % of the needs (2 % with its examples)", () => {
  const longest = servers
    .flatMap((s) =>
      s.tools.map((t) => ({
        id: `${s.name}/${t.name}`,
        length: typeof t.description === "string" ? t.description.length : 0,
      })),
    )
    .sort((a, b) => b.length - a.length)[0];
  expect(longest?.length).toBeGreaterThan(6000);
  const wrongly = (within: ToolIndex) =>
    needs.filter(
      (n) => !n.want.includes(longest?.id ?? "") && ids(n.need, 5, within).includes(longest?.id ?? ""),
    );
  // By its own words (its description's length is what is measured), and with what people asked of
  // it (its examples pull it up for what they asked, a little further).
  const own = wrongly(ownWords);
  expect(own.length, own.map((n) => n.need).join("; ")).toBeLessThanOrEqual(needs.length * 0.01);
  const shipped = wrongly(index);
  expect(shipped.length, shipped.map((n) => n.need).join("; ")).toBeLessThanOrEqual(needs.length * 0.02);
});

test("filler and the pieces of contractions weigh nothing: a need wrapped in them finds what its words alone find", () => {
  for (const [wrapped, bare] of [
    ["so could you please help me, I'd like to stash my changes", "stash changes"],
    ["hey, can you show me what's in the log file for me", "show log file"],
    ["it's the one where I want to merge the pull request, thanks", "merge pull request"],
  ] as const)
    expect(ids(wrapped, 3), wrapped).toEqual(ids(bare, 3));
});

test("a word of a tool's name counts more than the same word in a description", () => {
  expect(ids("navigate", 3)).toEqual(
    expect.arrayContaining(["playwright/browser_navigate", "puppeteer/puppeteer_navigate"]),
  );
  expect(ids("blame")[0]).toBe("git/git_blame");
  expect(ids("reflog")[0]).toBe("git/git_reflog");
});

test("a typo is forgiven (a word neither indexed nor English, a letter or two away), below the word itself", () => {
  expect(ids("comit the staged changes")).toContain("git/git_commit");
  expect(ids("lsit the kubernetes pods")).toContain("kubernetes/kubectl_get");
  expect(ids("scrnshot of the page")).toEqual(
    expect.arrayContaining([expect.stringMatching(/screenshot|takeScreenshot/i)]),
  );
  expect(ids("drop the colection", 3)).toContain("mongodb/drop-collection");
});

test("everyday words find the tools' words: put aside is a stash, the team chat a Slack message", () => {
  expect(ids("put my half-done work aside so the tree is clean")).toContain("git/git_stash");
  expect(ids("tell the team on chat that the release is out", 3)).toContain("slack/slack_post_message");
  expect(ids("which programs are eating the cpu", 3)).toContain("desktop-commander/list_processes");
});

test("a parameter's words are found at any depth of its schema", () => {
  const deep: ToolDef = {
    name: "schedule",
    description: "Plans an event.",
    inputSchema: {
      type: "object",
      properties: {
        event: {
          type: "object",
          properties: {
            when: {
              type: "array",
              items: {
                type: "object",
                properties: { zone: { type: "string", description: "an IANA timezone" } },
              },
            },
          },
        },
      },
    },
  };
  const small = new ToolIndex(() => undefined);
  for (const s of servers.slice(0, 5)) small.put(s.name, s.tools);
  small.put("calendar", [deep]);
  expect(ids("timezone", 1, small)).toEqual(["calendar/schedule"]);
});

test("the word vectors are read at the first search, once, never by putting, listing or describing", () => {
  let reads = 0;
  const lazy = new ToolIndex(() => {
    reads++;
    return undefined;
  });
  lazy.put("git", servers.find((s) => s.name === "git")?.tools ?? []);
  lazy.tools("git");
  lazy.about("git", everyTool);
  lazy.get("git", "git_stash");
  expect(reads).toBe(0);
  lazy.search("stash", 5, everyTool);
  lazy.search("commit", 5, everyTool);
  expect(reads).toBe(1);
});

test("prepare() does a first search's work ahead: the vectors read, every tool's meaning made, none made by the search after", () => {
  let reads = 0;
  let added = 0;
  const bytes = readFileSync(new URL("../../src/core/text-search/word-vectors.bin", import.meta.url));
  class Counted extends WordVectors {
    override addTo(into: Float32Array, i: number, weight: number): void {
      added++;
      super.addTo(into, i, weight);
    }
  }
  const prepared = new ToolIndex(() => {
    reads++;
    return new Counted(bytes);
  });
  const git = servers.find((s) => s.name === "git")?.tools ?? [];
  prepared.put("git", git);
  prepared.prepare();
  expect(reads).toBe(1);
  expect(added).toBeGreaterThan(git.length);
  added = 0;
  const found = prepared.search("put my work aside", 5, everyTool);
  expect(reads).toBe(1);
  // The query's own words (put, work, aside) and no tool's.
  expect(added).toBeLessThanOrEqual(3);
  expect(found.map((f) => f.tool.name)).toContain("git_stash");
});

test("the word vectors find each word they hold by its number, and none they do not", () => {
  const bytes = readFileSync(new URL("../../src/core/text-search/word-vectors.bin", import.meta.url));
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true);
  const words = new TextDecoder().decode(bytes.subarray(20, 20 + length)).split("\n");
  const vectors = new WordVectors(bytes);
  expect(words.every((w, i) => vectors.indexOf(w) === i)).toBe(true);
  for (const w of ["", "zzqx", "café", "the ", "stas"]) expect(vectors.indexOf(w)).toBe(-1);
  expect(() => new WordVectors(bytes.subarray(0, 20 + length + 50))).toThrow(/cut short/);
});

test("by its own words alone (no people's needs: a tool the project has not seen), the report set's tool is first for 60 % and in the top 5 for 80 %", () => {
  // The report set's needs are among those the shipped examples hold: measured without them, as
  // any server's tools the examples do not know are ranked.
  const report = needs.filter((n) => n.set === "report");
  const at = report.map((n) => ids(n.need, 5, ownWords).findIndex((id) => n.want.includes(id)));
  const first = at.filter((a) => a === 0).length / report.length;
  const top5 = at.filter((a) => a >= 0).length / report.length;
  expect(first).toBeGreaterThanOrEqual(0.6);
  expect(top5).toBeGreaterThanOrEqual(0.8);
});

test("on servers no examples file knows (the unseen tune part, among its own servers), the tool is first for 50 % and in the top 5 for 75 %: words that mean the same in tools' words find each other", () => {
  // Only the tune part: the held-out part (needs-unseen.json) is measured by the bench, never held to a figure here.
  const unseen = new ToolIndex();
  for (const s of serversOf(unseenTuneNeeds)) unseen.put(s.name, s.tools);
  const at = unseenTuneNeeds.map((n) => ids(n.need, 5, unseen).findIndex((id) => n.want.includes(id)));
  expect(at.filter((a) => a === 0).length / at.length).toBeGreaterThanOrEqual(0.5);
  expect(at.filter((a) => a >= 0).length / at.length).toBeGreaterThanOrEqual(0.75);
  // A lodging is Airbnb's listing, a vector store Pinecone's records: words no tool of theirs says.
  expect(ids("any lodging in Reykjavik in March", 1, unseen)).toEqual(["airbnb/airbnb_search"]);
});

test("beside the known servers, a tool no examples file knows that a need's own words find is not pulled below known tools by what people asked of them", () => {
  // Airbnb's search beside the 26 known servers, their examples read: Google Maps' and Brave's
  // place searches hold what people asked for places, Airbnb's own words say stays.
  const both = new ToolIndex();
  for (const s of [...serversOf(unseenTuneNeeds), ...servers]) both.put(s.name, s.tools);
  const undamped = new ToolIndex(undefined, { heard: 0 });
  for (const s of [...serversOf(unseenTuneNeeds), ...servers]) undamped.put(s.name, s.tools);
  const need = "any lodging in Reykjavik in March";
  expect(ids(need, 1, both)).toEqual(["airbnb/airbnb_search"]);
  expect(ids(need, 5, undamped)).not.toContain("airbnb/airbnb_search");
  // Among known servers alone (no stranger), what people asked counts as before.
  const known = new ToolIndex(undefined, { heard: 0 });
  for (const s of servers) known.put(s.name, s.tools);
  const some = needs.slice(0, 60).map((n) => n.need);
  expect(some.map((n) => ids(n, 3))).toEqual(some.map((n) => ids(n, 3, known)));
});

/** search_tools over the 26 servers, as a client calls it. */
const onDemand: OnDemand = {
  index,
  servers: servers.map((s) => ({ name: s.name })),
  admits: everyTool,
  keep: [],
  call: async () => ({}),
};
const found = async (args: Record<string, unknown>) =>
  (await onDemandCall(onDemand, "search_tools", args)) as {
    isError?: boolean;
    content: Array<{ text: string }>;
    structuredContent?: { tools: Array<{ name: string; description?: string }>; note?: string };
  };

test("search_tools searches within one server when asked; a server not there is a tool error naming those that are", async () => {
  const within = await found({ query: "list everything", server: "kubernetes", limit: 10 });
  const names = within.structuredContent?.tools.map((t) => t.name) ?? [];
  expect(names.length).toBeGreaterThan(3);
  expect(names.every((n) => n.startsWith("kubernetes/"))).toBe(true);
  const elsewhere = await found({ query: "take a screenshot of the page", server: "git" });
  expect(elsewhere.structuredContent?.tools.every((t) => t.name.startsWith("git/"))).toBe(true);
  expect(elsewhere.structuredContent?.note).toMatch(
    /^No tool matched most of these words.*or leave server out\.$/,
  );
  const nowhere = await found({ query: "pods", server: "k8s" });
  expect(nowhere.isError).toBe(true);
  expect(nowhere.content[0]?.text).toContain('there is no server "k8s" here');
  expect(nowhere.content[0]?.text).toContain("kubernetes");
});

test("a weak best match is said so, with the nearest servers to search within; a strong one is not", async () => {
  const weak = await found({ query: "bake a chocolate cake for the party" });
  expect(weak.structuredContent?.note).toMatch(
    /^No tool matched most of these words.*\(server: [\w-]+(, [\w-]+)*\)\.$/,
  );
  expect(weak.content.at(-1)?.text).toContain(weak.structuredContent?.note ?? "?");
  const strong = await found({ query: "stash my changes" });
  expect(strong.structuredContent?.note).toBeUndefined();
  expect(strong.structuredContent?.tools[0]?.name).toBe("git/git_stash");
});

test("each tool found has its description cut to what a model needs to choose; select: gives it whole", async () => {
  const tool = servers
    .find((s) => s.name === "desktop-commander")
    ?.tools.find((t) => t.name === "start_search");
  const whole = typeof tool?.description === "string" ? tool.description : "";
  expect(whole.length).toBeGreaterThan(6000);
  const searchedFor = await found({
    query: "start a streaming search for files",
    server: "desktop-commander",
  });
  const cut = searchedFor.structuredContent?.tools.find((t) => t.name === "desktop-commander/start_search");
  expect(cut?.description?.length).toBeLessThanOrEqual(302);
  expect(cut?.description).toMatch(/ …$/);
  expect(whole.replace(/\s+/g, " ")).toContain(cut?.description?.slice(0, -2) ?? "?");
  const selected = await found({ query: "select:desktop-commander/start_search" });
  expect(selected.structuredContent?.tools[0]?.description).toBe(whole);
});

test("a need made only of everyday words still ranks: 'who am i' finds the signed-in user's tool among servers no examples file knows", () => {
  const unseen = unseenIndex();
  const top = ids("who am i", 5, unseen);
  expect(top.length).toBe(5);
  const whoami = [
    "plane/get_user",
    "linear/linear_getViewer",
    "ms-365/get-current-user",
    "ms-365/get-my-profile",
  ];
  expect(top.filter((id) => whoami.includes(id)).length, top.join(", ")).toBeGreaterThan(0);
});

test("a need that names a server in full puts its tools first; a name's word that other servers' tools hold too names nothing", () => {
  const unseen = unseenIndex();
  const top = ids("who is on our monday account", 5, unseen);
  expect(
    top.slice(0, 3).every((id) => id.startsWith("monday/")),
    top.join(", "),
  ).toBe(true);
  expect(top).toContain("monday/list_users_and_teams");
  // "google" alone is not google-maps' name in full: a web search is still what it finds.
  expect(ids("google something for me", 3)).toContain("brave-search/brave_web_search");
});
