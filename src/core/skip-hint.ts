/**
 * One target's config cannot be read: the run stops before writing anything (exit 2, as the spec
 * says: sync plans every target first). Its error then names the `--env` / `--client` that leave
 * that target out, so the other targets can be synced meanwhile. Pure.
 */
import type { Target } from "./clients/types.js";
import { UsageError } from "./errors.js";

function skipHint(bad: Pick<Target, "env" | "client">, all: readonly Pick<Target, "env" | "client">[]) {
  const envs = [...new Set(all.map((t) => t.env.id))].filter((id) => id !== bad.env.id);
  const clients = [...new Set(all.map((t) => t.client.id))].filter((id) => id !== bad.client.id);
  const ways = [
    ...(envs.length > 0
      ? [`${envs.map((e) => `--env ${e}`).join(" ")} (skips everything in ${bad.env.id})`]
      : []),
    ...(clients.length > 0
      ? [
          `${clients.map((c) => `--client ${c}`).join(" ")} (skips ${bad.client.id} everywhere; a named client's config is created where it is missing)`,
        ]
      : []),
  ];
  return ways.length > 0
    ? `To sync the other targets meanwhile, leave this one out: ${ways.join(", or ")}.`
    : undefined;
}

/** The same error, its hint followed by how to leave the target out of the run. */
export function withSkipHint(
  error: UsageError,
  bad: Pick<Target, "env" | "client">,
  all: readonly Pick<Target, "env" | "client">[],
): UsageError {
  const skip = skipHint(bad, all);
  if (!skip) return error;
  return new UsageError(error.code, error.message, {
    location: error.location,
    hint: error.hint ? `${error.hint} ${skip}` : skip,
    cause: error,
  });
}
