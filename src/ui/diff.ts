/** Unified diffs for --dry-run, coloured through the theme, secrets masked by the caller's Output. */
import type { Theme } from "./theme.js";

export async function unifiedDiff(
  file: string,
  before: string | null,
  after: string,
  theme: Theme,
): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  const patch = createTwoFilesPatch(
    before === null ? "/dev/null" : file,
    file,
    (before ?? "").replace(/\r\n/g, "\n"),
    after.replace(/\r\n/g, "\n"),
    "",
    "",
    { context: 3 },
  );
  return patch
    .split("\n")
    .filter((line) => !line.startsWith("=====") && !line.startsWith("Index: "))
    .map((line) => {
      if (line.startsWith("+++") || line.startsWith("---")) return theme.c.bold(line.trimEnd());
      if (line.startsWith("+")) return theme.c.green(line);
      if (line.startsWith("-")) return theme.c.red(line);
      if (line.startsWith("@@")) return theme.c.cyan(line);
      return line;
    })
    .join("\n")
    .trimEnd();
}
