/**
 * Which manifest server a login is for: one mcp-twin can log in to (a Streamable HTTP remote), its
 * url and client settings resolved from the home's secrets and the environment.
 */
import { openManifest } from "../context/context.js";
import type { Machine } from "../environments/machine.js";
import { UsageError } from "../errors.js";
import { loadSecrets } from "../manifest/secrets-file.js";
import { resolveString } from "../manifest/spec.js";
import { own } from "../plain-records.js";
import { unknownName } from "../selectors.js";

/** The manifest server, checked to be one mcp-twin can log in to, with its settings resolved. */
export async function serverToLogIn(machine: Machine, manifest: string | undefined, name: string) {
  const opened = await openManifest(machine, { manifest });
  const servers = opened.loaded.manifest.servers;
  const spec = own(servers, name);
  if (spec === undefined)
    throw unknownName({
      code: "unknown-server",
      given: "login",
      name,
      isNot: `not a server in ${machine.shown(opened.loaded.file)}`,
      knownAs: "Servers there",
      known: Object.keys(servers),
    });
  if (spec.url === undefined)
    throw new UsageError(
      "not-remote",
      `${name} is not a remote server: it runs as a program on this machine and needs no login.`,
    );
  if (spec.transport === "sse")
    throw new UsageError(
      "login-sse",
      `${name} speaks the older HTTP+SSE transport: mcp-twin logs in to Streamable HTTP servers only.`,
      { hint: `Set "auth": "client" on ${name} so that each client logs in itself.` },
    );
  const secrets = await loadSecrets(machine.paths.secrets);
  const resolve = (text: string, field: string): string => {
    const r = resolveString(text, { secrets, env: machine.host.env });
    const [first] = r.missing;
    if (first)
      throw new UsageError(
        "unresolved",
        `servers.${name}.${field} needs ${r.missing.map((m) => `${m.kind === "secret" ? "secret" : "environment variable"} ${m.name}`).join(" and ")}.`,
        { hint: `Run \`mcp-twin secret set ${first.name}\`.` },
      );
    return r.text;
  };
  const oauth = spec.oauth ?? {};
  const configured = {
    ...(oauth.clientId ? { clientId: resolve(oauth.clientId, "oauth.clientId") } : {}),
    ...(oauth.clientSecret ? { clientSecret: resolve(oauth.clientSecret, "oauth.clientSecret") } : {}),
    ...(oauth.clientMetadataUrl ? { clientMetadataUrl: oauth.clientMetadataUrl } : {}),
    ...(oauth.scope ? { scope: oauth.scope } : {}),
  };
  return { spec, url: resolve(spec.url, "url"), configured };
}
