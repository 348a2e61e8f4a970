/**
 * A manifest server named as an entry that is the client's own (Goose's built-in `developer`): the
 * words sync, status and doctor say about it — left alone, even with --force, and the way out.
 */

/** "Goose's own built-in extension has this name here: …", given what ownEntry said of it. */
export function ownEntryClash(what: string, clientName: string): string {
  return `${what} has this name here: sync leaves it alone, even with --force; give the manifest's server another name to have it in ${clientName}`;
}
