/**
 * Every JSON-RPC error code mcp-twin answers with or reads, named once (JSON-RPC 2.0's own, the
 * Streamable HTTP transport's, MCP's of each protocol revision), and the error that carries one.
 */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** JSON-RPC's implementation-defined server error: a refusal with no code of its own (a forbidden Host, a cap reached, the other end gone). */
  serverError: -32000,
  /** The transport's answer to a request without a valid credential, as the SDK's servers give it. */
  unauthorized: -32001,
  /** The transport's answer for a session that does not exist (any more). */
  sessionNotFound: -32001,
  /** 2025-11-25: a resource that does not exist (2026-07-28 says invalidParams). */
  resourceNotFound: -32002,
  /** 2026-07-28: `Mcp-Param-*` headers that disagree with the body (HeaderMismatch). */
  headerMismatch: -32020,
  /** 2026-07-28: a request that needs a capability the client did not declare. */
  missingCapability: -32021,
  /** 2026-07-28: a protocol revision the server does not serve. */
  unsupportedProtocolVersion: -32022,
} as const;

/** 2026-07-28's own codes (-32020 to -32099): a 2025-11-25 client knows none of them. */
export const isCodeOf2026Only = (code: number): boolean => code <= -32020 && code >= -32099;

/**
 * The JSON-RPC error object for a thrown error, as the SDK's server answers one: its code (-32603
 * when it has none), message and data.
 */
export function errorObject(error: unknown): { code: number; message: string; data?: unknown } {
  const e = error as { code?: unknown; message?: unknown; data?: unknown } | null;
  return {
    code: Number.isSafeInteger(e?.code) ? (e?.code as number) : RPC.internalError,
    message: typeof e?.message === "string" ? e.message : String(error),
    ...(e?.data !== undefined ? { data: e.data } : {}),
  };
}

/**
 * An error carrying a JSON-RPC code (-32603 unless told): the SDK's server answers a handler that
 * throws it with that code and message as they are.
 */
export const rpcError = (message: string, code: number = RPC.internalError) =>
  Object.assign(new Error(message), { code });
