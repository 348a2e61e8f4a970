/** Unified diffs for --dry-run, restore and uninstall previews, in which secrets never show. */

import { looksLikeSecret } from "../core/secrets/mask.js";
import { showEscapedBytes } from "../core/text/lossless-text.js";
import type { Output } from "./output.js";

/**
 * The diff is computed on the real texts (so a changed key still shows as a changed line), then
 * each line is printed from a copy of its text whose secret fields are masked
 * (core/secrets/secret-fields-json.ts: found by where they sit, old or new); the Output masks known
 * values and credential shapes on top, and learns the secret-looking values found here so they are
 * hidden wherever else they appear.
 */
export async function unifiedDiff(
  file: string,
  before: string | null,
  /** null: the file goes (the diff ends in /dev/null). */
  after: string | null,
  out: Pick<Output, "theme" | "addSecrets">,
): Promise<string> {
  const { patch, oldLines, newLines } = await maskedPatch(file, before, after, out, 3);
  const { c } = out.theme;
  const lines = [c.bold(`--- ${patch.oldFileName}`), c.bold(`+++ ${patch.newFileName}`)];
  for (const hunk of patch.hunks) {
    lines.push(c.cyan(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`));
    let o = hunk.oldStart - 1;
    let n = hunk.newStart - 1;
    for (const line of hunk.lines) {
      const mark = line[0];
      if (mark === "-") lines.push(c.red(`-${showEscapedBytes(oldLines[o++] ?? "")}`));
      else if (mark === "+") lines.push(c.green(`+${showEscapedBytes(newLines[n++] ?? "")}`));
      else if (mark === " ") {
        lines.push(` ${showEscapedBytes(newLines[n++] ?? "")}`);
        o++;
      } else lines.push(line); // "\ No newline at end of file"
    }
  }
  return lines.join("\n").trimEnd();
}

/**
 * The lines of `before` that `after` no longer has (`gone`) and those it adds (`back`), masked as
 * unifiedDiff masks them: what a change takes out of a file, said without the whole diff.
 */
export async function changedLines(
  file: string,
  before: string | null,
  after: string | null,
  out: Pick<Output, "addSecrets">,
): Promise<{ gone: string[]; back: string[] }> {
  const { patch, oldLines, newLines } = await maskedPatch(file, before, after, out, 0);
  const gone: string[] = [];
  const back: string[] = [];
  for (const hunk of patch.hunks) {
    let o = hunk.oldStart - 1;
    let n = hunk.newStart - 1;
    for (const line of hunk.lines) {
      if (line[0] === "-") gone.push(showEscapedBytes(oldLines[o++] ?? ""));
      else if (line[0] === "+") back.push(showEscapedBytes(newLines[n++] ?? ""));
    }
  }
  return { gone, back };
}

/** The patch of two texts, and each text's lines with its secret fields masked. */
async function maskedPatch(
  file: string,
  before: string | null,
  after: string | null,
  out: Pick<Output, "addSecrets">,
  context: number,
) {
  const [{ structuredPatch }, { maskSecretFields, secretFields: jsonFields }] = await Promise.all([
    import("diff"),
    import("../core/secrets/secret-fields-json.js"),
  ]);
  // Codex's config.toml: secrets found by where they sit in TOML, as in JSON(C) for the others.
  const secretFields = /\.toml$/i.test(file)
    ? (await import("../core/secrets/secret-fields-toml.js")).tomlSecretFields
    : jsonFields;
  const oldText = (before ?? "").replace(/\r\n/g, "\n");
  const newText = (after ?? "").replace(/\r\n/g, "\n");
  const oldFields = secretFields(oldText);
  const newFields = secretFields(newText);
  out.addSecrets(
    [...oldFields, ...newFields].flatMap((f) => {
      // "Bearer <token>": the token is the secret.
      const parts = f.value.split(/\s+/);
      return [f.value, ...parts].filter(looksLikeSecret);
    }),
  );
  const patch = structuredPatch(
    before === null ? "/dev/null" : file,
    after === null ? "/dev/null" : file,
    oldText,
    newText,
    "",
    "",
    { context },
  );
  return {
    patch,
    oldLines: maskSecretFields(oldText, oldFields).split("\n"),
    newLines: maskSecretFields(newText, newFields).split("\n"),
  };
}
