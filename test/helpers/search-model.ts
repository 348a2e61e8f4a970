/**
 * A stand-in for a model's OpenAI-compatible chat endpoint that answers as a model using tools on
 * demand would: a `search_tools` call, then a `call_tool` of the first tool it found, then "Done."
 * It keeps each request's tool names and messages, so a test sees what the client sent back.
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

/**
 * `query` is what the model searches for; the tool it calls gets `args`. The offered tool ending
 * in `search_tools`/`call_tool` is the one called (each client names MCP tools its own way).
 */
export async function startSearchModel(query: string, args: Record<string, unknown>): Promise<SearchModel> {
  const model: SearchModel = { baseUrl: "", requests: [], close: async () => {} };
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
      const messages = sent.messages ?? [];
      model.requests.push({ tools, messages });
      const results = messages.filter((m) => m.role === "tool");
      const named = (end: string) =>
        tools.find((t) => t === end || t.endsWith(`_${end}`) || t.endsWith(`__${end}`));
      let call: { name: string; arguments: string } | undefined;
      const search = named("search_tools");
      const callTool = named("call_tool");
      if (results.length === 0 && search) call = { name: search, arguments: JSON.stringify({ query }) };
      else if (results.length === 1 && callTool) {
        const text = contentText(results[0]?.content);
        // Some clients pass the result on as JSON of its content (Cline): its quotes escaped.
        model.found = /\\*"name\\*"\s*:\s*\\*"([^"\\/\s]+\/[^"\\\s]+)\\*"/.exec(text)?.[1];
        if (model.found)
          call = { name: callTool, arguments: JSON.stringify({ name: model.found, arguments: args }) };
      }
      respond(res, sent.stream === true, call);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  model.baseUrl = `http://127.0.0.1:${port}/v1`;
  model.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return model;
}

/** A tool call when there is one to make, else "Done.", streamed or not as the client asked. */
function respond(
  res: import("node:http").ServerResponse,
  stream: boolean,
  call: { name: string; arguments: string } | undefined,
): void {
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
