/** Absolute paths as they appear in a launch line, Windows' or POSIX, whatever side reads them (pure). */

export type PathStyle = "windows" | "posix";

export function isWindowsAbsolute(p: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\\\");
}

/** `C:\…`, `\\server\…` or `/…`. */
export function isAbsoluteAny(p: string): boolean {
  return p.startsWith("/") || isWindowsAbsolute(p);
}

/** An absolute path split into its parts (the first keeps the drive or UNC prefix). */
export function splitAbsolute(p: string): { style: PathStyle; parts: string[] } | undefined {
  if (/^[A-Za-z]:[\\/]/.test(p)) return { style: "windows", parts: p.split(/[\\/]+/).filter(Boolean) };
  if (/^\\\\[^\\]/.test(p)) {
    const parts = p
      .slice(2)
      .split(/[\\/]+/)
      .filter(Boolean);
    return { style: "windows", parts: [`\\\\${parts[0]}`, ...parts.slice(1)] };
  }
  if (p.startsWith("/")) return { style: "posix", parts: p.split("/").filter(Boolean) };
  return undefined;
}

export function joinAbsolute(style: PathStyle, parts: readonly string[]): string {
  return style === "windows" ? parts.join("\\") : `/${parts.join("/")}`;
}
