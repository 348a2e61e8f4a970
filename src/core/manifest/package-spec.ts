/**
 * An npm package spec as a manifest server names it (`name@range`): its name and its range, and
 * whether that range is one exact version (pure).
 */
/** `name@range` → name and range ("" when none). Scoped names keep their leading @. */
export function splitSpec(spec: string): { name: string; range: string } {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  return at === -1 ? { name: spec, range: "" } : { name: spec.slice(0, at), range: spec.slice(at + 1) };
}

const EXACT_SEMVER = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/;

/** An exact version (`1.2.3`) needs no resolution and no network. */
export function exactVersion(range: string): string | undefined {
  return EXACT_SEMVER.exec(range.trim())?.[1];
}
