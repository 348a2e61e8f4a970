/**
 * A 2026-07-28 call to a running 2025-11-25 shared server goes past the SDK's server on a fast lane
 * (gateway/request-route.ts): each answer here is compared with the same call carrying an
 * extension key in its params (which the SDK's server answered until the lane took every call, and
 * which the lane drops as it did), byte for byte but for ids and the gateway's own request state.
 */
import { expect, test } from "vitest";
import { postModern } from "../../helpers/raw-post-2026.js";
import {
  callText,
  closeAfterEach,
  eraFixtures,
  gatewayBridge,
  scriptServer,
  v2Client,
} from "./gateway-helpers.js";

closeAfterEach();

const META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
};

interface Answer {
  status: number;
  messages: Array<Record<string, unknown>>;
  /** A parked call's request state (kept apart: it differs per call). */
  state?: string;
}

/** One raw 2026-07-28 tools/call; `slow` adds an extension's key (once only the SDK's server took it). */
async function call(
  url: string,
  token: string,
  id: number,
  tool: string,
  args: unknown,
  options: {
    slow?: boolean;
    caps?: Record<string, unknown>;
    progress?: string;
    resume?: { state: string; answer: Record<string, unknown> };
  } = {},
): Promise<Answer> {
  const params: Record<string, unknown> = {
    name: tool,
    arguments: args,
    _meta: {
      ...META,
      "io.modelcontextprotocol/clientCapabilities": options.caps ?? {},
      ...(options.progress ? { progressToken: options.progress } : {}),
    },
    ...(options.slow ? { "x-extension": true } : {}),
    ...(options.resume
      ? { requestState: options.resume.state, inputResponses: { q: options.resume.answer } }
      : {}),
  };
  const { status, messages } = await postModern(
    url,
    token,
    "tools/call",
    JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params }),
    { "mcp-name": tool },
  );
  // Ids differ by construction; a parked call's state is the gateway's own handle.
  let state: string | undefined;
  for (const m of messages) {
    delete m.id;
    const result = m.result as Record<string, unknown> | undefined;
    if (typeof result?.requestState === "string") {
      state = result.requestState;
      delete result.requestState;
    }
  }
  return { status, messages, ...(state ? { state } : {}) };
}

test("2026-07-28 calls to a running 2025-11-25 shared server: the fast lane answers as the SDK's server does", async () => {
  const { v1 } = await eraFixtures();
  const g = await gatewayBridge({ servers: { old: scriptServer(v1.script, "machine") } });
  const url = g.shareUrl("old");
  // The server runs, and the lane's module is loaded, after a first call.
  const client = await v2Client(url, g.token, { pin: "2026-07-28" });
  expect(await callText(client, "echo", { text: "warm" })).toContain("warm");
  await new Promise((r) => setImmediate(r));

  // The last column: whether the call parks (input_required, resumed below), so the resume is
  // checked where it must happen and not skipped because nothing parked.
  const cases: Array<[string, unknown, Parameters<typeof call>[5], boolean]> = [
    ["echo", { text: "hi" }, {}, false],
    ["echo", { text: 5 }, {}, false],
    ["nope", {}, {}, false],
    ["slow", { ms: 120 }, { progress: "p1" }, false],
    ["ask", {}, { caps: { elicitation: { form: {} } } }, true],
    ["ask", {}, {}, false],
  ];
  let id = 1;
  for (const [tool, args, options, parks] of cases) {
    const { state: fastState, ...fast } = await call(url, g.token, id++, tool, args, options);
    expect(fastState !== undefined, `${tool} ${JSON.stringify(options)} parks`).toBe(parks);
    // A parked call is resumed (its answer compared too) before the next one asks.
    const resume = async (state: string | undefined) =>
      state
        ? call(url, g.token, id++, tool, args, {
            ...options,
            resume: { state, answer: { action: "accept", content: { name: "ada" } } },
          })
        : undefined;
    const fastResumed = await resume(fastState);
    const { state: slowState, ...slow } = await call(url, g.token, id++, tool, args, {
      ...options,
      slow: true,
    });
    expect(fast, `${tool} ${JSON.stringify(args)}`).toEqual(slow);
    expect(slowState !== undefined).toBe(parks);
    expect(fastResumed).toEqual(await resume(slowState));
    if (parks) expect(JSON.stringify(fastResumed?.messages)).toContain("hello ada");
  }
  const plain = await call(url, g.token, id++, "echo", { text: "hi" });
  expect(plain.messages[0]?.result).toMatchObject({
    resultType: "complete",
    _meta: { "io.modelcontextprotocol/serverInfo": { name: "era-v1" } },
  });
  const progress = await call(url, g.token, id++, "slow", { ms: 120 }, { progress: "p1" });
  expect(progress.messages.at(0)).toMatchObject({
    method: "notifications/progress",
    params: { progressToken: "p1" },
  });
  const missing = await call(url, g.token, id++, "ask", {});
  expect(missing.status).toBe(400);
  expect(missing.messages[0]?.error).toMatchObject({ code: -32021 });
}, 60_000);
