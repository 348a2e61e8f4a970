/**
 * Where an `npm install` is, from npm's own log lines (`--loglevel=silly`, on stderr); lines it does
 * not know are ignored, so an npm that says less only shows less.
 */
import type { NpmPhase } from "../system/progress.js";

const LOG_LINE = /^npm (silly|sill|verbose|verb|info|http|timing|notice|warn) /;

/**
 * Read from npm 11's output against a registry: `idealTree buildDeps` starts resolving, each
 * `placeDep … OK` is one package of the tree, `reify` starts writing, each `http cache … .tgz` is
 * one tarball taken up, each `ADD node_modules/…` one package unpacked (they come at the end, after
 * the unpacking), `info run <pkg> <event>` a lifecycle script.
 */
export function npmPhaseReader(): { read(line: string): NpmPhase | undefined; phase(): NpmPhase } {
  const phase: NpmPhase = { stage: "starting", packages: 0, downloaded: 0, added: 0, fetched: 0 };
  const read = (line: string): NpmPhase | undefined => {
    const text = line.trim();
    const script = /^npm info run (\S+) (\S+)/.exec(text);
    if (/^npm sil(?:ly)? idealTree\b/.test(text)) {
      if (phase.stage !== "starting") return undefined;
      phase.stage = "resolving";
    } else if (/^npm sil(?:ly)? placeDep .* OK for:/.test(text)) phase.packages++;
    else if (/^npm sil(?:ly)? reify\b/.test(text)) {
      if (phase.stage === "adding") return undefined;
      phase.stage = "adding";
    } else if (/^npm sil(?:ly)? ADD /.test(text)) {
      phase.stage = "adding";
      phase.added++;
    } else if (/^npm http cache .*\.tgz\b/.test(text) && phase.stage === "adding") {
      // npm 11 logs one `http cache <pkg>@<tarball>` per package as it takes it up (a miss is then
      // fetched as well: `http fetch GET 200 <tarball>`, counted below as a request).
      phase.downloaded++;
    } else if (/^npm http fetch /.test(text)) phase.fetched++;
    else if (script) {
      phase.stage = "scripts";
      phase.script = `${script[1]} ${script[2]}`;
    } else return undefined;
    return { ...phase };
  };
  return { read, phase: () => ({ ...phase }) };
}

/** npm's output without its log lines: what `--loglevel=error` would have printed (for errors). */
export function withoutNpmLog(text: string): string {
  return text
    .split("\n")
    .filter((line) => !LOG_LINE.test(line))
    .join("\n");
}

/** Splits streamed output into lines (a chunk may end mid-line or mid-character). */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  const decoder = new TextDecoder("utf-8");
  let rest = "";
  return {
    push(chunk) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split(/\r?\n/);
      rest = lines.pop() ?? "";
      for (const line of lines) onLine(line);
    },
    end() {
      rest += decoder.decode();
      if (rest) onLine(rest);
      rest = "";
    },
  };
}
