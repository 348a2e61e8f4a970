/**
 * `serve --share <server>`: one stdio child per shared manifest server, started by the bridge,
 * restarted when it dies, and exposed at `/share/<name>` behind the same token and Origin checks.
 * Every HTTP session there gets its own SDK `Server` whose handlers forward to one SDK `Client`
 * of the child, so the server is installed, keyed and started once for every session.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  PromptListChangedNotificationSchema,
  ReadResourceRequestSchema,
  ResourceListChangedNotificationSchema,
  ResultSchema,
  type ServerCapabilities,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { SHARE_PREFIX } from "../core/bridge/paths.js";
import type { ShareLaunch } from "../core/bridge/share-launch.js";
import { VERSION } from "../version.js";
import type { Endpoint } from "./http.js";
import type { ShareInfo } from "./server.js";
import { zodValidator } from "./validator.js";

/** How long a forwarded request may take (long tool calls are normal for shared servers). */
const FORWARD_TIMEOUT_MS = 30 * 60 * 1000;
const READY_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 10_000;

export class SharedServer {
  readonly launch: ShareLaunch;
  readonly path: string;
  #log: (line: string) => void;
  #client: Client | null = null;
  #ready: Promise<Client>;
  #resolveReady!: (c: Client) => void;
  #state: ShareInfo["state"] = "starting";
  #restarts = 0;
  #lastError: string | undefined;
  #stopping = false;
  #backoff = 250;
  #timer: NodeJS.Timeout | null = null;
  #sessions = new Set<Server>();

  constructor(launch: ShareLaunch, log: (line: string) => void) {
    this.launch = launch;
    this.path = `${SHARE_PREFIX}${encodeURIComponent(launch.name)}`;
    this.#log = (line) => log(`[share ${launch.name}] ${line}`);
    this.#ready = this.#newReady();
  }

  info(): ShareInfo {
    return {
      name: this.launch.name,
      path: this.path,
      state: this.#state,
      restarts: this.#restarts,
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** Start the child; resolves once it answered `initialize` (or rejects after the first failure). */
  async start(): Promise<void> {
    await this.#spawn();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#state = "stopped";
    if (this.#timer) clearTimeout(this.#timer);
    await this.#client?.close().catch(() => {});
  }

  #newReady(): Promise<Client> {
    return new Promise<Client>((resolve) => {
      this.#resolveReady = resolve;
    });
  }

  async #spawn(): Promise<void> {
    const { command, args, env, cwd } = this.launch;
    const transport = new StdioClientTransport({
      command,
      args,
      env: { ...(process.env as Record<string, string>), ...env },
      ...(cwd ? { cwd } : {}),
      stderr: "pipe",
    });
    let buffered = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) this.#log(line.trimEnd());
    });
    const client = new Client(
      { name: "mcp-twin-bridge", version: VERSION },
      { jsonSchemaValidator: zodValidator },
    );
    client.onclose = () => {
      if (this.#client === client) this.#died("the server exited");
    };
    for (const [schema, notify] of [
      [ToolListChangedNotificationSchema, (s: Server) => s.sendToolListChanged()],
      [ResourceListChangedNotificationSchema, (s: Server) => s.sendResourceListChanged()],
      [PromptListChangedNotificationSchema, (s: Server) => s.sendPromptListChanged()],
    ] as const)
      client.setNotificationHandler(schema, async () => {
        for (const s of this.#sessions) await notify(s).catch(() => {});
      });
    try {
      await client.connect(transport, { timeout: READY_TIMEOUT_MS });
    } catch (error) {
      await client.close().catch(() => {});
      const message = error instanceof Error ? error.message : String(error);
      this.#died(`it did not start: ${message}`);
      throw new Error(`the shared server "${this.launch.name}" did not start: ${message}`);
    }
    this.#client = client;
    this.#state = "running";
    this.#resolveReady(client);
    const healthy = setTimeout(() => {
      this.#backoff = 250;
    }, 30_000);
    healthy.unref();
  }

  #died(reason: string): void {
    if (this.#stopping) return;
    this.#lastError = reason;
    this.#log(`${reason}; restarting in ${this.#backoff} ms`);
    this.#client = null;
    if (this.#state === "running") this.#ready = this.#newReady();
    this.#state = "restarting";
    this.#restarts++;
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopping) this.#spawn().catch(() => {});
    }, wait);
    this.#timer.unref();
  }

  async #clientReady(): Promise<Client> {
    if (this.#client) return this.#client;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.#ready,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `the shared server "${this.launch.name}" is not running (${this.#lastError ?? "starting"})`,
                ),
              ),
            READY_TIMEOUT_MS,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  endpoint(): Endpoint {
    return {
      path: this.path,
      connect: async (transport) => {
        const client = await this.#clientReady();
        const caps = client.getServerCapabilities() ?? {};
        const capabilities: ServerCapabilities = {
          ...(caps.tools ? { tools: { listChanged: true } } : {}),
          ...(caps.resources ? { resources: { listChanged: true } } : {}),
          ...(caps.prompts ? { prompts: { listChanged: true } } : {}),
          ...(caps.completions ? { completions: {} } : {}),
        };
        const child = client.getServerVersion();
        const instructions = client.getInstructions();
        const server = new Server(
          { name: child?.name ?? this.launch.name, version: child?.version ?? "0.0.0" },
          { capabilities, jsonSchemaValidator: zodValidator, ...(instructions ? { instructions } : {}) },
        );
        const forward = async (
          request: { method: string; params?: Record<string, unknown> },
          extra: { signal: AbortSignal },
        ) => {
          const c = await this.#clientReady();
          return c.request({ method: request.method, params: request.params }, ResultSchema, {
            signal: extra.signal,
            timeout: FORWARD_TIMEOUT_MS,
          });
        };
        if (caps.tools) {
          server.setRequestHandler(ListToolsRequestSchema, forward);
          server.setRequestHandler(CallToolRequestSchema, forward as never);
        }
        if (caps.resources) {
          server.setRequestHandler(ListResourcesRequestSchema, forward);
          server.setRequestHandler(ListResourceTemplatesRequestSchema, forward);
          server.setRequestHandler(ReadResourceRequestSchema, forward);
        }
        if (caps.prompts) {
          server.setRequestHandler(ListPromptsRequestSchema, forward);
          server.setRequestHandler(GetPromptRequestSchema, forward);
        }
        if (caps.completions) server.setRequestHandler(CompleteRequestSchema, forward);
        this.#sessions.add(server);
        server.onclose = () => this.#sessions.delete(server);
        await server.connect(transport);
        return { close: () => server.close() };
      },
    };
  }
}
