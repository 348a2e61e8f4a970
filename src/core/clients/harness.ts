/**
 * An app whose agent harness reads another client's user file besides its own (VS Code ≥ 1.140:
 * its Copilot harness reads Copilot CLI's `mcp-config.json`, and is given the profile `mcp.json`'s
 * servers too): each server is written once, to the other client's file, so a session gets it once.
 */
// Two functions of semver, not its index: the index loads every range module on each sync's start.
import coerce from "semver/functions/coerce.js";
import lt from "semver/functions/lt.js";
import type { Target } from "./types.js";

/**
 * The other client's user target of the same environment whose file this target's app reads at its
 * version; undefined when the version is not known, older, or that client has no target here.
 */
export function harnessTwin(target: Target, targets: readonly Target[]): Target | undefined {
  const harness = target.client.harness;
  if (!harness || target.scope !== "user" || !target.version) return undefined;
  const version = coerce(target.version);
  if (!version || lt(version, harness.since)) return undefined;
  return (
    targets.find((t) => t.client.id === harness.reads && t.scope === "user" && t.env.id === target.env.id) ??
    target.harnessFile
  );
}
