/**
 * What `mcp-twin share NAME MODE` changes in the manifest: `share` set to the mode; for "off",
 * removed — or written "off" for a remote with its key in a header or url, which is otherwise shared.
 */
import { loadManifest } from "./load.js";
import { carriesKey } from "./secret-shares.js";

type ShareEdit = { path: string[]; value: string } | { path: string[]; remove: true };

export async function shareEdit(file: string, name: string, mode: string): Promise<ShareEdit> {
  if (mode !== "off" || !(await carriesKeyIn(file, name))) {
    return mode === "off" ? { path: ["share"], remove: true } : { path: ["share"], value: mode };
  }
  return { path: ["share"], value: "off" };
}

async function carriesKeyIn(file: string, name: string): Promise<boolean> {
  try {
    const { manifest } = await loadManifest(file);
    const spec = Object.entries(manifest.servers).find(([n]) => n === name)?.[1];
    return spec !== undefined && carriesKey(spec);
  } catch {
    // The edit that follows reads the manifest again, and says what is wrong with it.
    return false;
  }
}
