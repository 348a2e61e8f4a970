/** Every report names the manifest it used; a project's own says what it may touch. */
export function manifestLine(
  report: { manifest: string; manifestScope: "user" | "project" },
  shown: (file: string) => string = (file) => file,
): string {
  return report.manifestScope === "project"
    ? `Manifest: ${shown(report.manifest)} (this project's: it writes only this project's files, never your user-level configs)`
    : `Manifest: ${shown(report.manifest)}`;
}
