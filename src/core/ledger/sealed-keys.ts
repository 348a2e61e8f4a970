/**
 * Keys out of the home's backups: each known key's value in a backup's text is kept as a marker
 * naming the key, and put back from the store when the backup is read.
 */
import { escapeRegExp } from "../text/escape-regexp.js";

/** The keys the store knows (name → value), read only when a backup is written or a sealed one read. */
export type KeyValues = () => Promise<Readonly<Record<string, string>>>;

/**
 * The marker's delimiter: U+FDD0, a noncharacter Unicode keeps for a program's internal use. Should
 * a backed-up file hold one anyway, it is doubled in the sealed text, so every text seals and
 * unseals to itself.
 */
const MARK = "\uFDD0";

/** Shorter values are not keys a person gives (and would seal half the file's words). */
const MIN_KEY = 4;

/** `k`: the value as it is; `j`: as a JSON (or TOML basic) string escapes it. */
type Form = "k" | "j";

/** A text with its keys sealed, and the names of those it held. */
export interface Sealed {
  text: string;
  names: string[];
}

/** `text` with every known key's value (as it is, or JSON-escaped) replaced by its marker; undefined when none occurs. */
export function sealKeys(text: string, keys: Readonly<Record<string, string>>): Sealed | undefined {
  const forms = new Map<string, [Form, string]>();
  for (const [name, value] of Object.entries(keys)) {
    if (value.length < MIN_KEY) continue;
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value && text.includes(escaped)) forms.set(double(escaped), ["j", name]);
    if (text.includes(value)) forms.set(double(value), ["k", name]);
  }
  if (forms.size === 0) return undefined;
  // One pass, longest first: a key that holds another is sealed whole, and no marker is sealed again.
  const pattern = new RegExp(
    [...forms.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "g",
  );
  const names = new Set<string>();
  const sealed = double(text).replace(pattern, (found) => {
    const [form, name] = forms.get(found) as [Form, string];
    names.add(name);
    return `${MARK}${form}${name}${MARK}`;
  });
  return { text: sealed, names: [...names].sort() };
}

/** A sealed text with each key put back from `keys`; a key the store no longer has stays a `${secret:NAME}` reference, named in `missing`. */
export function unsealKeys(
  text: string,
  keys: Readonly<Record<string, string>>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const out = text.replace(/\uFDD0(?:\uFDD0|([kj])([A-Za-z_][A-Za-z0-9_]*)\uFDD0)/g, (_all, form, name) => {
    if (form === undefined) return MARK;
    const value = Object.hasOwn(keys, name) ? keys[name] : undefined;
    if (value === undefined) {
      missing.add(name);
      return `\${secret:${name}}`;
    }
    return form === "j" ? JSON.stringify(value).slice(1, -1) : value;
  });
  return { text: out, missing: [...missing].sort() };
}

const double = (text: string) => text.replaceAll(MARK, MARK + MARK);
