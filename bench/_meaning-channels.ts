/**
 * Each channel of tool search measured alone on the unseen tune part and the known sets by own
 * words (issue 89 round two, docs/dev/performance.md): lexical, the word-vector bag, the sentence encoder.
 */
/*
 * Never the held-out part. Run by hand (about 2 minutes: the encoder runs on about 1,500 texts):
 *   npx esbuild bench/_meaning-channels.ts --bundle --platform=node --format=esm \
 *     --external:../scripts/* --outfile=.tmp/meaning-channels.mjs && MCP_TWIN_REPO=$PWD node .tmp/meaning-channels.mjs
 * (the distilling script left outside the bundle: bundled, its own run-by-hand guard would see itself run)
 * TABLE=<file> measures another word-vectors table (one made with other templates, say).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { encode } from "../scripts/distil-meaning-vectors.mjs";
import { firstSentence, paramsText } from "../src/core/text-search/described.js";
import { loadWordVectors, type WordVectors } from "../src/core/text-search/word-vectors.js";
import { isFiller, surfaceWords } from "../src/core/text-search/words.js";
import { ToolIndex } from "../src/core/tool-search/tool-index.js";
import {
  type Captured,
  devNeeds,
  type Need,
  needs,
  servers,
  serversOf,
  unseenTuneNeeds,
} from "../test/tool-search/needs.js";

const REPO = process.env.MCP_TWIN_REPO ?? process.cwd();
const TABLE = process.env.TABLE ?? path.join(REPO, "src", "core", "text-search", "word-vectors.bin");
const V = loadWordVectors([pathToFileURL(TABLE)]) as WordVectors;

type Tool = { id: string; tool: Captured["tools"][number] };
type Env = { name: string; lists: Captured[]; needs: Need[] };
type Scored = Array<{ id: string; score: number }>;

const toolsOf = (lists: readonly Captured[]): Tool[] =>
  lists.flatMap((s) => s.tools.map((tool) => ({ id: `${s.name}/${tool.name}`, tool })));
/** A tool's description, or nothing. */
const described = (t: Tool["tool"]) => (typeof t.description === "string" ? t.description : "");
/** What the sentence encoder reads of a tool: its name's words and its first sentence. */
const toolText = (t: Tool["tool"]) => `${surfaceWords(t.name).join(" ")}. ${firstSentence(described(t))}`;

function unit(v: Float32Array): Float32Array {
  const n = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / n);
}
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

/** Each word's IDF among these tools' own words. */
function idfs(tools: Tool[]): (word: string) => number {
  const df = new Map<string, number>();
  for (const { tool } of tools)
    for (const w of new Set(surfaceWords(`${tool.name} ${described(tool)} ${paramsText(tool.inputSchema)}`)))
      df.set(w, (df.get(w) ?? 0) + 1);
  return (w) => Math.log(1 + (tools.length - (df.get(w) ?? 0) + 0.5) / ((df.get(w) ?? 0) + 0.5));
}

/** The model2vec bag: each word's unit vector weighed by its part (spread over `most` words) and its IDF, summed. */
function bag(parts: Array<[string, number, number?]>, idf: (w: string) => number): Float32Array | undefined {
  const weights = new Map<string, number>();
  for (const [text, weight, most = Number.POSITIVE_INFINITY] of parts) {
    const words = surfaceWords(text).filter((w) => !isFiller(w));
    const share = weight * Math.min(1, most / (words.length || 1));
    for (const w of words) weights.set(w, Math.max(weights.get(w) ?? 0, share));
  }
  const sum = new Float32Array(V.dims);
  let any = false;
  for (const [w, weight] of weights) {
    const i = V.indexOf(w);
    if (i < 0) continue;
    V.addTo(sum, i, weight * Math.max(0.05, idf(w)));
    any = true;
  }
  return any ? unit(sum) : undefined;
}
const toolBag = ({ tool }: Tool, idf: (w: string) => number) =>
  bag(
    [
      [tool.name, 2],
      [firstSentence(described(tool)), 1],
      [described(tool), 0.3, 40],
      [paramsText(tool.inputSchema), 0.2, 20],
    ],
    idf,
  );

/** A channel's ranking of every tool for each need: by cosine of vectors made by `of`. */
function byCosine(env: Env, of: (text: string, tool?: Tool) => Float32Array | undefined): Scored[] {
  const tools = toolsOf(env.lists);
  const vectors = tools.map((t) => of("", t));
  return env.needs.map((n) => {
    const q = of(n.need);
    return tools
      .map((t, i) => ({ id: t.id, score: q && vectors[i] ? dot(q, vectors[i]) : 0 }))
      .sort((a, b) => b.score - a.score);
  });
}

/** The shipped ranking by own words (no examples), its meaning weight as given (0: lexical alone). */
function shipped(env: Env, meaning?: number): Scored[] {
  const index = new ToolIndex(
    () => V,
    meaning === undefined ? undefined : { meaning },
    undefined,
    () => undefined,
  );
  for (const s of env.lists) index.put(s.name, s.tools);
  return env.needs.map((n) =>
    index.search(n.need, 60, () => true).map((f) => ({ id: `${f.server}/${f.tool.name}`, score: f.score })),
  );
}

/** The lexical score (normalised to the best) and `w` times a channel's cosine above `floor`. */
function fused(lexical: Scored[], channel: Scored[], w: number, floor: number): Scored[] {
  return lexical.map((l, i) => {
    const best = Number.isFinite(l[0]?.score) ? (l[0]?.score ?? 1) : 1;
    const score = new Map(l.map((x) => [x.id, Number.isFinite(x.score) ? x.score / best : 2]));
    for (const x of channel[i] ?? [])
      if (x.score > floor) score.set(x.id, (score.get(x.id) ?? 0) + w * (x.score - floor));
    return [...score].map(([id, s]) => ({ id, score: s })).sort((a, b) => b.score - a.score);
  });
}

const top5 = (j: number) => j >= 0 && j < 5;
const at = (ranked: Scored, n: Need) => ranked.findIndex((x) => n.want.includes(x.id));
const hits = (env: Env, ranked: Scored[]) => {
  const share = (k: number) =>
    env.needs.filter((n, i) => ((j) => j >= 0 && j < k)(at(ranked[i] ?? [], n))).length;
  return `${((100 * share(1)) / env.needs.length).toFixed(1)} / ${((100 * share(5)) / env.needs.length).toFixed(1)}`;
};

const tuneLists = serversOf(unseenTuneNeeds);
const envs: Env[] = [
  { name: "unseen-tune, its 5 servers", lists: tuneLists, needs: unseenTuneNeeds },
  { name: "unseen-tune + the 26 known", lists: [...tuneLists, ...servers], needs: unseenTuneNeeds },
  { name: "tune, own words", lists: servers, needs: needs.filter((n) => n.set === "tune") },
  { name: "dev, own words", lists: servers, needs: devNeeds },
];
const texts = [
  ...new Set([
    ...envs.flatMap((e) => toolsOf(e.lists).map((t) => toolText(t.tool))),
    ...envs.flatMap((e) => e.needs.map((n) => n.need)),
  ]),
];
const encoded = (await encode(texts)) as Float32Array;
const sentence = new Map(texts.map((t, i) => [t, encoded.subarray(i * 512, (i + 1) * 512)]));

for (const env of envs) {
  const idf = idfs(toolsOf(env.lists));
  const lexical = shipped(env, 0);
  const bagged = byCosine(env, (text, tool) => (tool ? toolBag(tool, idf) : bag([[text, 1]], idf)));
  const use = byCosine(env, (text, tool) => sentence.get(tool ? toolText(tool.tool) : text));
  // Needs whose tool a channel alone has in its top 5 and the shipped ranking does not: what fusion drowns.
  const full = shipped(env);
  const drowned = (channel: Scored[]) =>
    env.needs.filter((n, i) => top5(at(channel[i] ?? [], n)) && !top5(at(full[i] ?? [], n))).length;
  console.log(`${env.name} (${env.needs.length} needs), hit@1 / hit@5 %:`);
  console.log(`  shipped ${hits(env, full)}; lexical alone ${hits(env, lexical)}`);
  console.log(
    `  bag alone ${hits(env, bagged)} (drowned ${drowned(bagged)}); sentence encoder alone ${hits(env, use)} (drowned ${drowned(use)})`,
  );
  console.log(
    `  lexical + bag 0.4 ${hits(env, fused(lexical, bagged, 0.4, 0))}; lexical + encoder 0.8 above 0.1 ${hits(env, fused(lexical, use, 0.8, 0.1))}`,
  );
}
