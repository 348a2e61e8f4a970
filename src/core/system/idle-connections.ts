/**
 * Node's answers to requests it could not read (its `socketOnError`), but one: a connection that has
 * sent nothing yet is idle, not slow.
 */
import { type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { Socket } from "node:net";

/** The status Node answers an unreadable request with, by error code (any other: 400). */
const STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * Node's checker starts a new connection's headers timeout when it connects and answers it 408 when
 * the timeout passes. Node's fetch (undici, the MCP SDK client's) can keep connections in its pool
 * that never carried a request (opened while many requests were queued), later sends one there and reads
 * that 408 as its answer (gateway-sessions.test: four such connections, 10.2 s old, no byte read, and
 * an `initialize` answered 408). Such a connection is left as long as a kept-alive one may stay
 * idle, then closed without a word; its first byte starts Node's timeouts again (its parser does).
 * Every other error is answered as Node answers it.
 */
export function idleIsNotSlow(server: Server, timeouts: { headersMs: number; keepAliveMs: number }): void {
  server.on(
    "clientError",
    (error: NodeJS.ErrnoException, socket: Socket & { _httpMessage?: ServerResponse }) => {
      const code = STATUS[error.code ?? ""] ?? 400;
      if (code === 408 && socket.bytesRead === 0 && !socket.destroyed) {
        const close = () => socket.bytesRead === 0 && socket.destroy();
        setTimeout(close, timeouts.keepAliveMs - timeouts.headersMs).unref();
        return;
      }
      // As Node does: a status only when no answer has begun on the connection.
      if (socket.writable && !socket._httpMessage?.headersSent)
        socket.write(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nConnection: close\r\n\r\n`);
      socket.destroy(error);
    },
  );
}
