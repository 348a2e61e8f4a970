/**
 * A Codex entry (config.toml) in the vocabulary of the other clients' entries, so import reads it like
 * theirs (pure).
 */

const CODEX_OWN = [
  "tools",
  "enabled_tools",
  "disabled_tools",
  "default_tools_approval_mode",
  "startup_timeout_sec",
  "startup_timeout_ms",
  "tool_timeout_sec",
  "required",
  "supports_parallel_tool_calls",
  "experimental_environment",
  "name",
];

/**
 * `enabled = false` is disabled, `http_headers` are headers, and the variables Codex passes on by
 * name (`env_vars`, `bearer_token_env_var`, `env_http_headers`) become `${NAME}` references (the
 * manifest's `${env:NAME}`). Keys Codex keeps for itself in the entry (tool approvals, timeouts,
 * tool lists) are left out: sync never touches them, so importing the server loses nothing there.
 */
export function commonCodexEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const e = { ...(raw as Record<string, unknown>) };
  const out: Record<string, unknown> = {};
  if (e.enabled === false) out.disabled = true;
  const headers: Record<string, unknown> = isTable(e.http_headers) ? { ...e.http_headers } : {};
  if (e.http_headers !== undefined && !isTable(e.http_headers)) out.headers = e.http_headers;
  if (isTable(e.env_http_headers))
    for (const [h, v] of Object.entries(e.env_http_headers))
      headers[h] = typeof v === "string" ? `\${${v}}` : v;
  if (typeof e.bearer_token_env_var === "string")
    headers.Authorization = `Bearer \${${e.bearer_token_env_var}}`;
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (Array.isArray(e.env_vars)) {
    const env: Record<string, unknown> = isTable(e.env) ? { ...e.env } : {};
    for (const v of e.env_vars) {
      const name = typeof v === "string" ? v : isTable(v) ? v.name : undefined;
      if (typeof name === "string" && env[name] === undefined) env[name] = `\${${name}}`;
    }
    e.env = env;
  }
  for (const [k, v] of Object.entries(e)) {
    if (
      [
        "enabled",
        "http_headers",
        "env_http_headers",
        "bearer_token_env_var",
        "env_vars",
        ...CODEX_OWN,
      ].includes(k)
    )
      continue;
    out[k] = v;
  }
  return out;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
