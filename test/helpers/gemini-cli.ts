/**
 * The real Gemini CLI for opt-in tests (`@google/gemini-cli`, installed by real-cli.ts): `gemini mcp
 * list` (each server's state), and one `gemini -p` turn against a stand-in for the Gemini API, whose
 * request shows the tools the CLI loaded and offers the model (`mcp_<server>_<tool>`).
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type RealCli, realCli } from "./real-cli.js";

const GEMINI_VERSION = "0.61.0";

export function geminiCli(): RealCli {
  return realCli({
    pkg: "@google/gemini-cli",
    version: GEMINI_VERSION,
    command: "gemini",
    binVariable: "MCP_TWIN_GEMINI_BIN",
  });
}

/**
 * Mark a folder trusted as `gemini trust` does: ~/.gemini/trustedFolders.json maps its path to
 * TRUST_FOLDER. Gemini starts no stdio server in a folder that is not.
 */
export function trustFolder(home: string, folder: string): void {
  mkdirSync(path.join(home, ".gemini"), { recursive: true });
  writeFileSync(
    path.join(home, ".gemini", "trustedFolders.json"),
    JSON.stringify({ [folder]: "TRUST_FOLDER" }),
  );
}

/** `gemini mcp list` in `cwd` with `env` (HOME names the home it reads): its output. */
export function geminiMcpList(bin: string, env: Record<string, string>, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ["mcp", "list"],
      {
        encoding: "utf8",
        timeout: 120_000,
        env: { ...env, PATH: `${env.PATH ?? ""}:${process.env.PATH ?? ""}` },
        cwd,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(`${stdout}${stderr}`),
    );
  });
}

/** A stand-in for the Gemini API on loopback: answers "ok", keeps each request's function names. */
export interface GeminiStandIn {
  baseUrl: string;
  /** The function declarations' names of each generateContent request, in order. */
  requests: string[][];
  close(): Promise<void>;
}

export async function startGeminiStandIn(): Promise<GeminiStandIn> {
  const requests: string[][] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const parsed = JSON.parse(body || "{}") as {
        tools?: Array<{ functionDeclarations?: Array<{ name?: string }> }>;
      };
      requests.push(
        (parsed.tools ?? []).flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name ?? "")),
      );
      const answer = {
        candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
      };
      const sse = req.url?.includes("alt=sse") === true;
      res.writeHead(200, { "content-type": sse ? "text/event-stream" : "application/json" });
      res.end(sse ? `data: ${JSON.stringify(answer)}\n\n` : JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The settings a turn against the stand-in needs, to merge into ~/.gemini/settings.json before
 * sync: the API key as the way in (its key comes from GEMINI_API_KEY), no usage statistics.
 */
export const GEMINI_STAND_IN_SETTINGS = {
  security: { auth: { selectedType: "gemini-api-key" } },
  privacy: { usageStatisticsEnabled: false },
};

/**
 * One `gemini -p` turn in `cwd` against the stand-in: a model named (no routing request first), and
 * `--yolo`, without which a non-interactive run leaves out every tool that asks for approval (MCP
 * tools among them). The tools of its first request, sorted.
 */
export async function geminiOfferedTools(
  bin: string,
  env: Record<string, string>,
  cwd: string,
  standIn: GeminiStandIn,
): Promise<string[]> {
  const before = standIn.requests.length;
  await new Promise<void>((resolve, reject) => {
    execFile(
      bin,
      ["-p", "hello", "--yolo", "-m", "gemini-2.5-flash"],
      {
        encoding: "utf8",
        timeout: 180_000,
        env: {
          ...env,
          PATH: `${env.PATH ?? ""}:${process.env.PATH ?? ""}`,
          GEMINI_API_KEY: "stand-in",
          GOOGLE_GEMINI_BASE_URL: standIn.baseUrl,
        },
        cwd,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(),
    );
  });
  const first = standIn.requests[before];
  if (!first) throw new Error("gemini sent the stand-in no request");
  return [...first].sort();
}
