/**
 * Stand-ins for a model's OpenAI-compatible chat endpoint: one answering each request as it is told
 * (the Cline tests' says "Done."), and one as a model using tools on demand would (a `search_tools`
 * call, a `call_tool` of what it found, then "Done."), keeping what the client sent back.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface SearchRequest {
  /** The tool names the client offered the model, as it names them. */
  tools: string[];
  /** Its messages as sent (the tool results among them). */
  messages: Array<{ role?: string; content?: unknown; tool_call_id?: string }>;
}

export interface SearchModel {
  baseUrl: string;
  requests: SearchRequest[];
  /** The `<server>/<tool>` name search_tools answered with, once it has. */
  found?: string;
  close(): Promise<void>;
}

/** The text of a message's content (a string, or OpenAI's list of parts). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content.map((p) => (typeof p === "object" && p && "text" in p ? String(p.text) : "")).join("");
  return "";
}

/** A tool call the stand-in answers with: the tool's name as offered, its arguments as JSON text. */
type ToolCall = { name: string; arguments: string };

/**
 * An OpenAI-compatible chat endpoint on loopback (`/v1`; anything but chat completions is the model
 * list): each chat request is handed to `answer`, and its tool call (or "Done.") goes back streamed
 * or not, as the client asked.
 */
export async function startChatStandIn(
  answer: (sent: SearchRequest) => ToolCall | undefined,
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      if (!req.url?.endsWith("/chat/completions")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ object: "list", data: [{ id: "stand-in", object: "model" }] }));
        return;
      }
      const sent = JSON.parse(body || "{}") as {
        stream?: boolean;
        tools?: Array<{ function?: { name?: string } }>;
        messages?: SearchRequest["messages"];
      };
      const tools = (sent.tools ?? []).map((t) => t.function?.name ?? "");
      respond(res, sent.stream === true, answer({ tools, messages: sent.messages ?? [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * `query` is what the model searches for; the tool it calls gets `args`. The offered tool ending
 * in `search_tools`/`call_tool` is the one called (each client names MCP tools its own way).
 */
export async function startSearchModel(query: string, args: Record<string, unknown>): Promise<SearchModel> {
  const model: SearchModel = { baseUrl: "", requests: [], close: async () => {} };
  const chat = await startChatStandIn(({ tools, messages }) => {
    model.requests.push({ tools, messages });
    const results = messages.filter((m) => m.role === "tool");
    const named = (end: string) =>
      tools.find((t) => t === end || t.endsWith(`_${end}`) || t.endsWith(`__${end}`));
    const search = named("search_tools");
    const callTool = named("call_tool");
    if (results.length === 0 && search) return { name: search, arguments: JSON.stringify({ query }) };
    if (results.length !== 1 || !callTool) return undefined;
    const text = contentText(results[0]?.content);
    // Some clients pass the result on as JSON of its content (Cline): its quotes escaped.
    model.found = /\\*"name\\*"\s*:\s*\\*"([^"\\/\s]+\/[^"\\\s]+)\\*"/.exec(text)?.[1];
    return model.found
      ? { name: callTool, arguments: JSON.stringify({ name: model.found, arguments: args }) }
      : undefined;
  });
  model.baseUrl = chat.baseUrl;
  model.close = chat.close;
  return model;
}

/** A tool call when there is one to make, else "Done.", streamed or not as the client asked. */
function respond(res: import("node:http").ServerResponse, stream: boolean, call: ToolCall | undefined): void {
  const base = { id: `c${Date.now()}`, created: 1, model: "stand-in" };
  const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
  const toolCalls = call
    ? [
        {
          index: 0,
          id: `call_${call.name.length}_${Math.random().toString(36).slice(2, 8)}`,
          type: "function",
          function: call,
        },
      ]
    : undefined;
  const finish = call ? "tool_calls" : "stop";
  if (!stream) {
    const message = toolCalls
      ? { role: "assistant", content: null, tool_calls: toolCalls.map(({ index: _i, ...t }) => t) }
      : { role: "assistant", content: "Done." };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        ...base,
        object: "chat.completion",
        choices: [{ index: 0, message, finish_reason: finish }],
        usage,
      }),
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  const chunk = (choices: unknown, more: object = {}) =>
    res.write(`data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, ...more })}\n\n`);
  chunk([
    {
      index: 0,
      delta: toolCalls
        ? { role: "assistant", content: null, tool_calls: toolCalls }
        : { role: "assistant", content: "Done." },
      finish_reason: null,
    },
  ]);
  chunk([{ index: 0, delta: {}, finish_reason: finish }], { usage });
  res.end("data: [DONE]\n\n");
}
