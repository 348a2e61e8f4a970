/** Unified diffs for --dry-run, coloured through the theme, secrets masked by the caller's Output. */
import { createTwoFilesPatch } from "diff";
import type { Theme } from "./theme.js";

export function unifiedDiff(file: string, before: string | null, after: string, theme: Theme): string {
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
    .filter((line) => !line.startsWith("====="))
    .map((line) => {
      if (line.startsWith("+++") || line.startsWith("---")) return theme.c.bold(line);
      if (line.startsWith("+")) return theme.c.green(line);
      if (line.startsWith("-")) return theme.c.red(line);
      if (line.startsWith("@@")) return theme.c.cyan(line);
      return line;
    })
    .join("\n")
    .trimEnd();
}
