/**
 * The bridge's control routes under /control/ (status, reload, warm, restart/<server>), answered as
 * JSON once the listener's checks have passed; what each does is the process's (main.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { RPC } from "../core/jsonrpc/codes.js";
import { readBody, refusal, sendJson, sendRefusal } from "./http-guards.js";

/** The bridge's own control routes (authenticated as the MCP endpoints); restart: undefined, no such server. */
export interface ControlRoutes {
  status(): unknown;
  reload(given: { path?: string; fingerprint?: string }): Promise<unknown>;
  warm(): Promise<unknown>;
  restart(name: string): Promise<unknown>;
}

/** The control routes live under this path (never an MCP endpoint). */
export const CONTROL_PREFIX = "/control/";

/** The control routes, as a 404 names them. */
const CONTROL_ROUTES =
  "GET /control/status, POST /control/reload, POST /control/warm and POST /control/restart/<server>";

const notFound = (message: string) => refusal(404, RPC.invalidRequest, message);

/** `GET /control/status`, `POST /control/reload|warm|restart/<server>`, answered as JSON. */
export async function answerControl(
  control: ControlRoutes,
  pathname: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const route = `${req.method} ${pathname.slice(CONTROL_PREFIX.length)}`;
  const restart = /^POST restart\/([^/]+)$/.exec(route)?.[1];
  let result: unknown;
  if (route === "GET status") result = control.status();
  else if (route === "POST reload") {
    // A reload may carry sync's PATH and fingerprint in a JSON body of at most 256 KiB.
    const sent: Record<string, unknown> = await readBody(req, 256 * 1024)
      .then((text) => Object(JSON.parse(text ?? "")))
      .catch(() => ({})); // a body unread or not JSON: nothing sent
    const given = ["path", "fingerprint"].filter((k) => typeof sent[k] === "string" && sent[k] !== "");
    result = await control.reload(Object.fromEntries(given.map((k) => [k, sent[k]])));
  } else if (route === "POST warm") {
    req.resume();
    result = await control.warm();
  } else if (restart !== undefined) {
    req.resume();
    const name = await Promise.resolve(restart)
      .then(decodeURIComponent)
      .catch(() => undefined); // not URI-encoded: not a name, so no such server
    result = name === undefined ? undefined : await control.restart(name);
    if (result === undefined) return sendRefusal(res, notFound("Not found: no shared server of that name"));
  } else return sendRefusal(res, notFound(`Not found: the control routes are ${CONTROL_ROUTES}`));
  sendJson(res, 200, {}, result);
}
