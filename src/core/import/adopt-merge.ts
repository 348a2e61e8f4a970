/**
 * Taking a hand-edited entry into the manifest (pure): each value that changed goes where the manifest
 * defines it, and what did not change keeps the manifest's text, references included.
 */
import { envMatches } from "../environments/env-selector.js";
import type { ServerFieldEdit } from "../manifest/edit.js";
import type { ServerOverride, ServerSpec } from "../manifest/schema.js";
import { own } from "../plain-records.js";
import type { Form, SecretUse } from "./inline-keys.js";

/** An entry read the way import reads it: templates with `${secret:NAME}`, and the values they stand for. */
export interface ReadEntry {
  form: Form;
  uses: readonly SecretUse[];
  /** How it was launched ("npx", "node <installed script>", …). */
  via: string;
}

export interface AdoptMerge {
  /** The server's properties to set or remove, for the manifest writer. */
  edits: ServerFieldEdit[];
  /** Secrets the manifest refers to already, with the new value the edit gives them. Never print. */
  rotations: Record<string, string>;
  /** New references (`${secret:NAME}` in the edits' values) and their values. Never print. */
  newSecrets: Array<{ name: string; value: string }>;
  /** What changed, for people (field names and templates, never a value). */
  changes: string[];
  /** The launch changed (another package, program or URL): the server's launch was replaced. */
  replaced: boolean;
}

export interface AdoptInput {
  spec: ServerSpec;
  /** The environment the edited entry runs in (overrides are looked up for it). */
  runsIn: string;
  now: ReadEntry;
  /** The entry sync would write there, read the same way (undefined when it cannot build one). */
  before: ReadEntry | undefined;
  /** A manifest string with its references resolved (secrets file, then environment). */
  resolve(template: string): string;
}

const SECRET_REF = /\$\{secret:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Sync writes its own WSLENV (the names an entry passes across the Windows/WSL line). */
const SYNC_OWNED_ENV = /^wslenv$/i;

/**
 * The edited entry and the one sync would write are both read the way import reads entries
 * (launch, args, env, headers, keys moved out as `${secret:NAME}`) and compared value by value. A
 * changed value goes into `overrides.<env>` when it came from there, else into the server's own
 * fields (so every environment gets it). A new value of a key the manifest already refers to
 * (`${secret:X}`, `Bearer ${secret:X}`) is a new value for that secret — stored, the reference kept;
 * other new keys go to the secrets file under import's names. A launch of another package, program
 * or URL replaces the server's launch (its `overrides` then no longer apply and are dropped).
 */
export function adoptMerge(input: AdoptInput): AdoptMerge {
  const { spec, now } = input;
  const out: AdoptMerge = { edits: [], rotations: {}, newSecrets: [], changes: [], replaced: false };
  const nowValue = (t: string) => filled(t, now.uses);
  const useNew = (template: string) => {
    for (const m of template.matchAll(SECRET_REF)) {
      const use = now.uses.find((u) => u.name === m[1]);
      if (use?.value !== undefined && !out.newSecrets.some((s) => s.name === use.name))
        out.newSecrets.push({ name: use.name, value: use.value });
    }
    return template;
  };

  if (!sameLaunch(spec, now)) return replaceLaunch(input, out, useNew);

  const overrides = spec.overrides ?? {};
  const selectors = Object.keys(overrides)
    .filter((sel) => envMatches(sel, input.runsIn))
    .sort((a, b) => b.length - a.length);
  const defining = (has: (o: ServerOverride) => boolean) =>
    selectors.find((sel) => {
      const o = own(overrides, sel);
      return o !== undefined && has(o);
    });

  // The package's version: only when the entry names one itself (npx pkg@1.2.3), not when it runs
  // the installed script (whose version is the one sync installed).
  if (now.form.kind === "package" && !now.via.includes("installed script") && now.form.range) {
    const range = now.form.range;
    // The same launch as the manifest's: the manifest names this package.
    const [name, current] = splitSpec(spec.package ?? "");
    if (range !== current) {
      out.edits.push({ path: ["package"], value: `${name}@${range}` });
      out.changes.push(`package: ${name}@${range} (was ${spec.package})`);
    }
  }
  for (const key of ["command", "url"] as const) {
    const given = now.form[key];
    if (given === undefined) continue;
    const sel = defining((o) => o[key] !== undefined);
    const template = (sel ? own(overrides, sel)?.[key] : spec[key]) ?? "";
    const before = input.before
      ? filled(input.before.form[key] ?? "", input.before.uses)
      : input.resolve(template);
    const after = nowValue(given);
    if (before === after) continue;
    const rotated = matchTemplate(template, after);
    if (rotated) Object.assign(out.rotations, rotated);
    else {
      out.edits.push({ path: sel ? ["overrides", sel, key] : [key], value: useNew(given) });
      out.changes.push(`${sel ? `overrides.${sel}.` : ""}${key}: ${now.form[key]}`);
    }
    if (rotated) out.changes.push(`${key}: a new value for ${names(rotated)}`);
  }

  // args: as one list; what stayed the same around the change keeps the manifest's text.
  const argsSel = defining((o) => o.args !== undefined);
  const oldArgs = (argsSel ? own(overrides, argsSel)?.args : spec.args) ?? [];
  // What sync writes maps the manifest's args one to one; read from the manifest otherwise.
  const { before } = input;
  const oldValues =
    before && before.form.args.length === oldArgs.length
      ? before.form.args.map((a) => filled(a, before.uses))
      : oldArgs.map(input.resolve);
  const newValues = now.form.args.map(nowValue);
  if (!sameList(oldValues, newValues)) {
    let p = 0;
    while (p < oldValues.length && p < newValues.length && oldValues[p] === newValues[p]) p++;
    let q = 0;
    while (
      q < oldValues.length - p &&
      q < newValues.length - p &&
      oldValues[oldValues.length - 1 - q] === newValues[newValues.length - 1 - q]
    )
      q++;
    const oldMid = oldArgs.slice(p, oldArgs.length - q);
    const newMid = now.form.args.slice(p, now.form.args.length - q);
    const mid = newMid.map((t, i) => {
      const old = oldMid.length === newMid.length ? oldMid[i] : undefined;
      const rotated = old === undefined ? undefined : matchTemplate(old, nowValue(t));
      if (old !== undefined && rotated) {
        Object.assign(out.rotations, rotated);
        out.changes.push(`args[${p + i}]: a new value for ${names(rotated)}`);
        return old;
      }
      return useNew(t);
    });
    const args = [...oldArgs.slice(0, p), ...mid, ...oldArgs.slice(oldArgs.length - q)];
    if (!sameList(args, oldArgs)) {
      const path = argsSel ? ["overrides", argsSel, "args"] : ["args"];
      out.edits.push(args.length === 0 && !argsSel ? { path, remove: true } : { path, value: args });
      out.changes.push(`${path.join(".")}: ${JSON.stringify(args)} (was ${JSON.stringify(oldArgs)})`);
    }
  }

  for (const field of ["env", "headers"] as const) mergeMap(field, input, out, defining, useNew);
  return out;
}

function mergeMap(
  field: "env" | "headers",
  input: AdoptInput,
  out: AdoptMerge,
  defining: (has: (o: ServerOverride) => boolean) => string | undefined,
  useNew: (template: string) => string,
): void {
  const { spec, now, before } = input;
  const base = spec[field] ?? {};
  const keys = new Set([
    ...Object.keys(base),
    ...Object.values(spec.overrides ?? {}).flatMap((o) => Object.keys(o[field] ?? {})),
    ...Object.keys(before?.form[field] ?? {}),
    ...Object.keys(now.form[field]),
  ]);
  for (const key of keys) {
    if (field === "env" && SYNC_OWNED_ENV.test(key)) continue;
    const sel = defining((o) => own(o[field] ?? {}, key) !== undefined);
    const template = sel ? own(own(spec.overrides, sel)?.[field], key) : own(base, key);
    const old = before
      ? maybe(own(before.form[field], key), (t) => filled(t, before.uses))
      : maybe(template, input.resolve);
    const nowTemplate = own(now.form[field], key);
    const value = maybe(nowTemplate, (t) => filled(t, now.uses));
    if (old === value) continue;
    const path = sel ? ["overrides", sel, field, key] : [field, key];
    const shown = `${path.join(".")}`;
    if (value === undefined) {
      if (template === undefined) continue;
      out.edits.push({ path, remove: true });
      out.changes.push(`${shown}: removed`);
      continue;
    }
    const rotated = template === undefined ? undefined : matchTemplate(template, value);
    if (rotated) {
      Object.assign(out.rotations, rotated);
      out.changes.push(`${shown}: a new value for ${names(rotated)}`);
      continue;
    }
    // A value now: it came from the entry's own template.
    out.edits.push({
      path: template === undefined ? [field, key] : path,
      value: useNew(nowTemplate ?? value),
    });
    // Values of env and headers are not shown (they may be keys under an unremarkable name).
    out.changes.push(
      `${template === undefined ? `${field}.${key}` : shown}: ${template === undefined ? "added" : "changed"}`,
    );
  }
}

/** Another package, program or URL: the launch is replaced, the manifest's own settings kept. */
function replaceLaunch(input: AdoptInput, out: AdoptMerge, useNew: (t: string) => string): AdoptMerge {
  const { spec, now } = input;
  out.replaced = true;
  for (const key of ["package", "bin", "command", "url", "args", "env", "headers", "overrides"] as const)
    if (spec[key] !== undefined) out.edits.push({ path: [key], remove: true });
  const f = now.form;
  if (f.kind === "package") {
    out.edits.push({ path: ["package"], value: f.range ? `${f.package}@${f.range}` : f.package });
    if (f.bin) out.edits.push({ path: ["bin"], value: f.bin });
  } else if (f.kind === "command") out.edits.push({ path: ["command"], value: useNew(f.command ?? "") });
  else out.edits.push({ path: ["url"], value: useNew(f.url ?? "") });
  if (f.args.length > 0) out.edits.push({ path: ["args"], value: f.args.map(useNew) });
  for (const field of ["env", "headers"] as const) {
    const map = Object.fromEntries(
      Object.entries(f[field])
        .filter(([k]) => !(field === "env" && SYNC_OWNED_ENV.test(k)))
        .map(([k, v]) => [k, useNew(v)]),
    );
    if (Object.keys(map).length > 0) out.edits.push({ path: [field], value: map });
  }
  out.changes.push(
    `launch: ${describeLaunch(f)} (was ${spec.package ? `npm ${spec.package}` : (spec.command ?? spec.url)})${spec.overrides ? "; its overrides are dropped" : ""}`,
  );
  return out;
}

function sameLaunch(spec: ServerSpec, now: ReadEntry): boolean {
  const f = now.form;
  if (f.kind === "package")
    return (
      spec.package !== undefined &&
      splitSpec(spec.package)[0] === f.package &&
      (spec.bin ?? "") === (f.bin ?? "")
    );
  if (f.kind === "url") return spec.url !== undefined;
  return spec.command !== undefined;
}

function describeLaunch(f: Form): string {
  if (f.kind === "package") return `npm ${f.package}${f.range ? `@${f.range}` : ""}`;
  return (f.kind === "url" ? f.url : f.command) ?? "";
}

/** `name@range` → [name, range] (scoped names keep their first @). */
function splitSpec(spec: string): [string, string] {
  const at = spec.lastIndexOf("@");
  return at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, ""];
}

/** A template with its `${secret:NAME}` filled from the uses (a placeholder for one without a value). */
function filled(template: string, uses: readonly SecretUse[]): string {
  return template.replace(SECRET_REF, (whole, name: string) => {
    const use = uses.find((u) => u.name === name);
    return use?.value ?? use?.placeholder ?? whole;
  });
}

/**
 * A manifest template with one `${secret:X}` (and only literal text around it), and a value that
 * has the same text around: X's new value. `Bearer ${secret:X}` against `Bearer abc` → { X: abc }.
 */
export function matchTemplate(template: string, value: string): Record<string, string> | undefined {
  const refs = [...template.matchAll(/\$\{(secret|env):([A-Za-z_][A-Za-z0-9_]*)\}/g)];
  const [m] = refs;
  if (!m || refs.length !== 1 || m[1] !== "secret") return undefined;
  const before = template.slice(0, m.index);
  const after = template.slice((m.index ?? 0) + m[0].length);
  if (value.length <= before.length + after.length || !value.startsWith(before) || !value.endsWith(after))
    return undefined;
  return { [m[2] ?? ""]: value.slice(before.length, value.length - after.length) };
}

function names(r: Record<string, string>): string {
  return Object.keys(r).join(", ");
}

function maybe<T>(v: string | undefined, f: (s: string) => T): T | undefined {
  return v === undefined ? undefined : f(v);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
