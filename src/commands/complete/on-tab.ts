/**
 * The lean way into shell completion (`mcp-twin __complete <shell> <words…>`, what the scripts of
 * `mcp-twin completion` call on every Tab): no commander, no Windows process, no network.
 */
import { readFileSync } from "node:fs";
import { type Host, hostOver } from "../../core/system/host.js";
import { type Candidate, complete, type Names, type Table } from "./candidates.js";
import { readNames } from "./names.js";

/**
 * One line per candidate (`value<TAB>description` for the shells that show descriptions), or
 * `:files` for "complete a path". Always exit 0: a completion never prints an error.
 */
export async function completeWords(
  argv: readonly string[],
  out: { write(text: string): unknown },
  tableFile: URL,
  packageRoot: string,
): Promise<number> {
  const [shell, ...given] = argv;
  // PowerShell's script puts a "." before each word (see scripts.ts).
  const words = shell === "powershell" ? given.map((w) => (w.startsWith(".") ? w.slice(1) : w)) : given;
  let table: Table;
  try {
    table = JSON.parse(readFileSync(tableFile, "utf8")) as Table;
  } catch {
    return 0;
  }
  const host = readOnlyHost();
  // A --manifest given earlier on the line names the manifest whose servers are offered.
  const at = words.indexOf("--manifest");
  const manifest = at >= 0 && at < words.length - 2 ? words[at + 1] : undefined;
  const typed = words.length > 0 ? words : [""];
  // The home's files are read only for a word that needs its names (a command or a flag does not).
  const needed = Symbol("names");
  let result: ReturnType<typeof complete>;
  try {
    result = complete(table, typed, () => {
      throw needed;
    });
  } catch (error) {
    if (error !== needed) throw error;
    // A Tab never fails: no names to offer but the commands.
    const names: Names = (await readNames(host, packageRoot, manifest).catch(() => undefined)) ?? {
      servers: [],
      remote: [],
      shared: [],
      catalogue: [],
      envs: [],
      targets: [],
      secrets: [],
    };
    result = complete(table, typed, () => names);
  }
  if ("files" in result) {
    out.write(":files\n");
    return 0;
  }
  const line = (c: Candidate) =>
    shell === "bash" || !c.description ? c.value : `${c.value}\t${c.description.replace(/\s+/g, " ")}`;
  out.write(result.candidates.map((c) => `${line(c)}\n`).join(""));
  return 0;
}

/**
 * This process as a Host that can start nothing: completion reads files only (its runner throws,
 * so nothing of the process starter is even loaded).
 */
function readOnlyHost(): Host {
  const startsNothing = new Proxy({} as Host["runner"], {
    get() {
      throw new Error("completion starts no process");
    },
  });
  return hostOver(process.env, process.cwd(), "", startsNothing);
}
