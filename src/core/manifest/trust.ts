/**
 * Trusting a project manifest (./mcp-twin.jsonc committed with a repo, written by someone else):
 * before its first sync runs a program it names, its servers are shown and confirmed, like direnv's
 * `allow`.
 */
import { createHash } from "node:crypto";
import type { State } from "../ledger/state.js";
import { own } from "../plain-records.js";
import { exactVersion, splitSpec } from "./package-spec.js";
import type { Manifest } from "./schema.js";
import { serverForms } from "./spec.js";

export interface ProgramServer {
  server: string;
  /**
   * What it runs, as the user should read it: `uvx some-server`, `npm package foo@1.2.3 (this
   * version)`, `npm package foo (not pinned: …)`.
   */
  runs: string;
  /**
   * Whether this alone makes the file need trust: a `command`, or a package not pinned to one
   * version. A pinned package runs a program too — listed when the file is shown, since trusting
   * the file trusts all of it — but by itself asks nothing (the spec's rule).
   */
  asks: boolean;
}

export interface TrustRequest {
  file: string;
  programs: ProgramServer[];
}

/** The servers of a manifest that run programs of its author's choosing: every local launch. */
export function programServers(manifest: Manifest): ProgramServer[] {
  const out: ProgramServer[] = [];
  for (const [server, spec] of Object.entries(manifest.servers)) {
    if (spec.disabled) continue;
    // Its own launch and each override's (one of `args` alone changes what runs too).
    const commands = serverForms(spec).flatMap((s) => (s.command ? [[s.command, ...s.args].join(" ")] : []));
    for (const runs of new Set(commands)) out.push({ server, runs, asks: true });
    if (!spec.package) continue;
    const pinned = exactVersion(splitSpec(spec.package).range) !== undefined;
    out.push(
      pinned
        ? { server, runs: `npm package ${spec.package} (this version)`, asks: false }
        : {
            server,
            runs: `npm package ${spec.package} (not pinned: whatever version is published)`,
            asks: true,
          },
    );
  }
  return out;
}

/**
 * Does this manifest need the user's trust before it is synced (or shared)?
 *
 * When a server runs a `command` or a package not pinned to one version (whatever gets published
 * next would run), every server that runs a program — pinned packages too: trusting the file
 * trusts all of it — is shown and confirmed.
 */
export function needsTrust(programs: readonly ProgramServer[]): boolean {
  return programs.some((p) => p.asks);
}

function manifestHash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * Was this very text of the file trusted?
 *
 * The trust is recorded in the home's state against the file's hash, so an edited file asks again.
 */
export function isTrusted(state: State, file: string, text: string): boolean {
  return own(state.trusted, file)?.hash === manifestHash(text);
}

/** Record the trust (the caller saves the state, under the home's lock). */
export function trust(state: State, file: string, text: string, now: Date): void {
  state.trusted = { ...state.trusted, [file]: { hash: manifestHash(text), at: now.toISOString() } };
}
