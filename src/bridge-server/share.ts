/**
 * `serve --share <server>`: one stdio child per shared manifest server, started through the process
 * runner, restarted when it dies, and exposed at `/share/<name>` behind the same token and Origin
 * checks.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { SHARE_PREFIX } from "../core/bridge-control/state-folder.js";
import type { ShareLaunch } from "../core/entries/share-launch.js";
import { MAX_MESSAGE_BYTES, peekId } from "../core/relay/jsonrpc.js";
import { LineSplitter } from "../core/relay/line-splitter.js";
import { type StartedProcess, startProcess } from "../core/system/run.js";
import { VERSION } from "../version.js";
import type { Endpoint } from "./http.js";
import type { ShareInfo } from "./session-server.js";
import type { HttpSessionTransport } from "./session-transport.js";

/**
 * The protocol version the bridge asks its shared servers for: the SDK's latest (a unit test keeps
 * them equal; the SDK's types module is not loaded by an idle bridge).
 */
export const SHARE_PROTOCOL_VERSION = "2025-11-25";
const READY_TIMEOUT_MS = 30_000;
/** A line of the server's stderr is logged up to this size. */
const MAX_LOG_LINE_BYTES = 64 * 1024;
const MAX_BACKOFF_MS = 10_000;

type Message = Record<string, unknown>;
type Params = Record<string, unknown> & { _meta?: Record<string, unknown> };

const isRequest = (m: Message) => typeof m.method === "string" && "id" in m;
const isNotification = (m: Message) => typeof m.method === "string" && !("id" in m);
const isResponse = (m: Message) => !("method" in m) && ("result" in m || "error" in m) && "id" in m;
const asParams = (p: unknown): Params | undefined =>
  typeof p === "object" && p !== null && !Array.isArray(p) ? (p as Params) : undefined;

interface Pending {
  session: Session;
  id: RequestId;
  /** The progress token given to the child for it, if any. */
  token?: string;
}

interface Session {
  transport: HttpSessionTransport;
  /** Its requests at the child: child id → its own id. */
  inFlight: Set<number>;
  closed: boolean;
}

/** The child's handshake: what every session's `initialize` is answered with. */
interface ChildInit {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: Record<string, unknown>;
  instructions?: string;
}

/**
 * `serve --share <server>`: one stdio child per shared manifest server, started through the
 * process runner (its own process group: the whole tree goes with it), restarted when it dies, and
 * exposed at `/share/<name>` behind the same token and Origin checks.
 *
 * Every HTTP session there is routed to the one child, message by message: requests get an id of
 * the child's own (and progress tokens one too) and their answers go back to the session that
 * asked; `initialize` and `ping` are answered here from the child's own handshake; list-changed
 * and other notifications reach every session. Messages pass through as JSON-RPC objects — never
 * re-built from a schema — so a call costs one parse and one serialisation per hop, and an idle
 * bridge with shares loads no schema library at all. Clients validate what they receive; the SDK
 * types describe every message.
 */
export class SharedServer {
  readonly launch: ShareLaunch;
  readonly path: string;
  #log: (line: string) => void;
  #child: StartedProcess | null = null;
  #init: ChildInit | null = null;
  #ready: Promise<void>;
  #resolveReady!: () => void;
  #state: ShareInfo["state"] = "starting";
  #restarts = 0;
  #lastError: string | undefined;
  #stopping = false;
  #backoff = 250;
  #timer: NodeJS.Timeout | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** Child progress token → the session's own token and request. */
  readonly #progress = new Map<string, { session: Session; token: unknown; request: RequestId }>();
  readonly #sessions = new Set<Session>();

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

  /** Start the child; resolves once it answered `initialize` (rejects after the first failure). */
  async start(): Promise<void> {
    await this.#spawn();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#state = "stopped";
    if (this.#timer) clearTimeout(this.#timer);
    const child = this.#child;
    this.#child = null;
    if (!child) return;
    try {
      child.stdin.end();
    } catch {
      // already closed
    }
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 500).unref())]);
    child.killTree();
    await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000).unref())]);
  }

  #newReady(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#resolveReady = resolve;
    });
  }

  #write(child: StartedProcess, message: Message): void {
    child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  async #spawn(): Promise<void> {
    const { command, args, env, cwd } = this.launch;
    const child = startProcess(command, args, {
      env: { ...process.env, ...env },
      ...(cwd ? { cwd } : {}),
    });
    let handshake: ((m: Message) => void) | undefined;
    const stdout = new LineSplitter(
      MAX_MESSAGE_BYTES,
      (line) => {
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          this.#log(`stdout (not JSON-RPC, ignored): ${line.slice(0, 200)}`);
          return;
        }
        if (typeof message !== "object" || message === null || Array.isArray(message)) return;
        if (handshake && (message as Message).id === "mcp-twin-init") handshake(message as Message);
        else if (this.#child === child) this.#fromChild(child, message as Message);
      },
      (start) => this.#oversize(child, start),
    );
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    const stderr = new LineSplitter(
      MAX_LOG_LINE_BYTES,
      (line) => this.#log(line.trimEnd()),
      (start) =>
        this.#log(
          `${start.slice(0, 200).trimEnd()}… (a line longer than ${MAX_LOG_LINE_BYTES / 1024} KiB, cut)`,
        ),
    );
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const exited = child.exited.then(({ code, signal }) => {
      if (this.#child === child) this.#died(`the server exited (${signal ?? `code ${code}`})`);
      return `it exited (${signal ?? `code ${code}`}) before answering initialize`;
    });

    try {
      await child.spawned;
      const answer = new Promise<Message>((resolve) => {
        handshake = resolve;
      });
      this.#write(child, {
        jsonrpc: "2.0",
        id: "mcp-twin-init",
        method: "initialize",
        params: {
          protocolVersion: SHARE_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: "mcp-twin-bridge", version: VERSION },
        },
      });
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        answer,
        exited,
        new Promise<string>((resolve) => {
          timer = setTimeout(
            () => resolve(`it did not answer initialize in ${READY_TIMEOUT_MS / 1000} s`),
            READY_TIMEOUT_MS,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      handshake = undefined;
      if (typeof outcome === "string") throw new Error(outcome);
      const result = outcome.result as Partial<ChildInit> | undefined;
      if (!result || typeof result.protocolVersion !== "string")
        throw new Error(`it refused initialize: ${JSON.stringify(outcome.error ?? outcome).slice(0, 200)}`);
      this.#init = {
        protocolVersion: result.protocolVersion,
        capabilities: asParams(result.capabilities) ?? {},
        serverInfo: asParams(result.serverInfo) ?? { name: this.launch.name, version: "0.0.0" },
        ...(typeof result.instructions === "string" ? { instructions: result.instructions } : {}),
      };
      this.#write(child, { jsonrpc: "2.0", method: "notifications/initialized" });
    } catch (error) {
      child.killTree();
      const message = error instanceof Error ? error.message : String(error);
      if (this.#child === null) this.#died(`it did not start: ${message}`);
      throw new Error(`the shared server "${this.launch.name}" did not start: ${message}`);
    }
    this.#child = child;
    this.#state = "running";
    this.#resolveReady();
    const healthy = setTimeout(() => {
      this.#backoff = 250;
    }, 30_000);
    healthy.unref();
  }

  #died(reason: string): void {
    if (this.#stopping) return;
    this.#lastError = reason;
    this.#log(`${reason}; restarting in ${this.#backoff} ms`);
    this.#child = null;
    if (this.#state === "running") this.#ready = this.#newReady();
    this.#state = "restarting";
    this.#restarts++;
    // Requests it will never answer: answered now, so no client waits for nothing.
    for (const [childId, p] of this.#pending) {
      this.#pending.delete(childId);
      p.session.inFlight.delete(childId);
      this.#answerError(
        p.session,
        p.id,
        -32603,
        `the shared server "${this.launch.name}" exited; it is restarting`,
      );
    }
    this.#progress.clear();
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!this.#stopping) this.#spawn().catch(() => {});
    }, wait);
    this.#timer.unref();
  }

  /** The running child, waiting (bounded) while it (re)starts. */
  async #running(): Promise<StartedProcess> {
    if (this.#child && this.#state === "running") return this.#child;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
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
    ]).finally(() => clearTimeout(timer));
    if (!this.#child) throw new Error(`the shared server "${this.launch.name}" is not running`);
    return this.#child;
  }

  #send(session: Session, message: Message, relatedRequestId?: RequestId): void {
    if (!session.closed) session.transport.deliver(message as unknown as JSONRPCMessage, relatedRequestId);
  }

  #answerError(session: Session, id: RequestId, code: number, message: string): void {
    this.#send(session, { jsonrpc: "2.0", id, error: { code, message } });
  }

  /**
   * A line of the child's past the message limit: never held whole (a server that writes without
   * end cannot grow the bridge), and the request it answers, when its id can be told, gets an error.
   */
  #oversize(child: StartedProcess, start: string): void {
    const limit = `${MAX_MESSAGE_BYTES / (1024 * 1024)} MiB`;
    this.#log(`stdout: dropped a message larger than the ${limit} limit`);
    const childId = peekId(start);
    const p = typeof childId === "number" && this.#child === child ? this.#pending.get(childId) : undefined;
    if (!p) return;
    this.#settled(childId as number, p);
    this.#answerError(
      p.session,
      p.id,
      -32603,
      `the shared server "${this.launch.name}" answered with a message larger than the ${limit} limit`,
    );
  }

  /** A request of the child's answered (or given up): forget it. */
  #settled(childId: number, p: Pending): void {
    this.#pending.delete(childId);
    p.session.inFlight.delete(childId);
    if (p.token) this.#progress.delete(p.token);
  }

  /** A message from the child: a response to route back, a notification, or a request of its own. */
  #fromChild(child: StartedProcess, m: Message): void {
    if (isResponse(m)) {
      const childId = m.id as number;
      const p = this.#pending.get(childId);
      if (!p) return;
      this.#settled(childId, p);
      this.#send(p.session, { ...m, id: p.id });
      return;
    }
    if (isRequest(m)) {
      // The child asks a client something (ping, sampling, roots…): it is shared by every session,
      // so there is no one client to ask. A ping is answered here.
      if (m.method === "ping") this.#write(child, { jsonrpc: "2.0", id: m.id, result: {} });
      else
        this.#write(child, {
          jsonrpc: "2.0",
          id: m.id,
          error: { code: -32601, message: `${String(m.method)}: a shared server cannot ask clients` },
        });
      return;
    }
    if (!isNotification(m)) return;
    const params = asParams(m.params);
    if (m.method === "notifications/progress" && params) {
      const route = this.#progress.get(String(params.progressToken));
      if (route)
        this.#send(route.session, { ...m, params: { ...params, progressToken: route.token } }, route.request);
      return;
    }
    if (m.method === "notifications/cancelled") return;
    for (const session of this.#sessions) this.#send(session, m);
  }

  /** A message from one session. */
  #fromSession(session: Session, m: Message): void {
    if (isRequest(m)) {
      const id = m.id as RequestId;
      if (m.method === "initialize") void this.#initialize(session, m);
      else if (m.method === "ping") this.#send(session, { jsonrpc: "2.0", id, result: {} });
      // While the child runs, a request goes to it at once; else it waits (bounded) for a start.
      else if (this.#child && this.#state === "running") this.#forward(session, this.#child, m);
      else
        this.#running().then(
          (child) => this.#forward(session, child, m),
          (error: Error) => this.#answerError(session, id, -32603, error.message),
        );
      return;
    }
    if (!isNotification(m)) return; // responses: the child never asks sessions anything
    if (m.method === "notifications/cancelled") {
      const requestId = asParams(m.params)?.requestId;
      for (const childId of session.inFlight) {
        const p = this.#pending.get(childId);
        if (p && p.id === requestId && this.#child)
          this.#write(this.#child, { ...m, params: { ...asParams(m.params), requestId: childId } });
      }
    }
    // initialized, roots/list_changed…: the child was initialized once, by the bridge.
  }

  /** A session's request, under an id of the child's own. */
  #forward(session: Session, child: StartedProcess, m: Message): void {
    if (session.closed) return;
    const id = m.id as RequestId;
    const childId = this.#nextId++;
    const pending: Pending = { session, id };
    this.#pending.set(childId, pending);
    session.inFlight.add(childId);
    let params = asParams(m.params);
    const token = params?._meta?.progressToken;
    if (params && token !== undefined) {
      pending.token = `mcp-twin-${childId}`;
      this.#progress.set(pending.token, { session, token, request: id });
      params = { ...params, _meta: { ...params._meta, progressToken: pending.token } };
    }
    this.#write(child, { ...m, id: childId, ...(params ? { params } : {}) });
  }

  async #initialize(session: Session, m: Message): Promise<void> {
    const id = m.id as RequestId;
    try {
      await this.#running();
    } catch (error) {
      return this.#answerError(session, id, -32603, (error as Error).message);
    }
    // Set once the child answered its own initialize, which #running() waits for.
    const init = this.#init;
    if (!init) return this.#answerError(session, id, -32603, "the shared server has not started");
    const { SUPPORTED_PROTOCOL_VERSIONS } = await import("@modelcontextprotocol/sdk/types.js");
    const requested = asParams(m.params)?.protocolVersion;
    const protocolVersion =
      typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
        ? requested
        : init.protocolVersion;
    session.transport.setProtocolVersion(protocolVersion);
    this.#send(session, {
      jsonrpc: "2.0",
      id,
      result: {
        protocolVersion,
        capabilities: init.capabilities,
        serverInfo: init.serverInfo,
        ...(init.instructions ? { instructions: init.instructions } : {}),
      },
    });
  }

  endpoint(): Endpoint {
    return {
      path: this.path,
      connect: async (transport) => {
        const session: Session = { transport, inFlight: new Set(), closed: false };
        this.#sessions.add(session);
        transport.onmessage = (message) => this.#fromSession(session, message as unknown as Message);
        const close = async () => {
          if (session.closed) return;
          session.closed = true;
          this.#sessions.delete(session);
          // What it still waited for is of no use to anyone: tell the child to stop.
          for (const childId of session.inFlight) {
            this.#pending.delete(childId);
            if (this.#child)
              this.#write(this.#child, {
                jsonrpc: "2.0",
                method: "notifications/cancelled",
                params: { requestId: childId, reason: "the client session ended" },
              });
          }
          session.inFlight.clear();
          for (const [token, route] of this.#progress)
            if (route.session === session) this.#progress.delete(token);
        };
        // http.ts forgets the session on close: keep its handler and add ours.
        const prior = transport.onclose;
        transport.onclose = () => {
          prior?.();
          void close();
        };
        return { close };
      },
    };
  }
}
