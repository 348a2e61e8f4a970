/**
 * What a relay's client reads when the other end fails: an error status is an answer (the end is
 * reachable), and the JSON-RPC error it sent says why; only no answer at all is "unreachable".
 */
import { expect, test } from "vitest";
import { describeFailure, failureText } from "../../src/core/relay/failure.js";
import { HttpStatusError } from "../../src/core/system/keep-alive-http.js";

test("a 502 with a JSON-RPC error: the bridge answered, and its message is said — never 'unreachable'", () => {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    error: { code: -32603, message: 'the shared server "time" did not start: spawn uvx ENOENT' },
    id: null,
  });
  const text = failureText("the bridge", true, describeFailure(new HttpStatusError(502, body, undefined)));
  expect(text).toBe(
    'mcp-twin: the bridge answered HTTP 502: the shared server "time" did not start: spawn uvx ENOENT',
  );
});

test("a 503 without a JSON-RPC body: its text, after the status", () => {
  const text = failureText("the remote", false, describeFailure(new HttpStatusError(503, "busy", undefined)));
  expect(text).toBe("mcp-twin: the remote answered HTTP 503: busy");
});

test("nothing answering is still unreachable, with why", () => {
  const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
  expect(failureText("the remote", false, describeFailure(refused))).toBe(
    "mcp-twin: the remote is unreachable: nothing answers there (connection refused)",
  );
});

test("a 400 with a JSON-RPC error (a shared server that cannot run where the bridge runs): answered, with its reason", () => {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    error: {
      code: -32602,
      message: 'Invalid params: the shared server "memory" cannot run here: not installed.',
    },
    id: null,
  });
  expect(failureText("the bridge", true, describeFailure(new HttpStatusError(400, body, undefined)))).toBe(
    'mcp-twin: the bridge answered HTTP 400: Invalid params: the shared server "memory" cannot run here: not installed.',
  );
});
