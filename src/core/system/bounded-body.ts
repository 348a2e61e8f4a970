/**
 * An HTTP answer's body read with a limit on its decoded bytes (fetch undoes gzip, deflate and br
 * as it reads): past the limit nothing more is read, so neither an endless body nor a small one
 * that inflates to gigabytes is ever held.
 */

/** The whole body, or undefined once it passes `limit` bytes (the rest is never read). */
export async function readAtMost(response: Response, limit: number): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Too large is returned below: a body already ended has nothing to cancel.
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The same answer with a body that is read only as its reader asks, and that fails with
 * `tooLarge()` once it passes `limit` bytes (the source cancelled). A read that fails is passed
 * through `failed` first (a timeout said in words). The status, headers and URL are the answer's.
 */
export function limitedResponse(
  response: Response,
  limit: number,
  tooLarge: () => Error,
  failed: (error: unknown) => unknown = (error) => error,
): Response {
  const source = response.body;
  // 204, 205 and 304 carry no body (the constructor refuses one for them).
  const bodyless = source === null || [204, 205, 304].includes(response.status);
  let body: ReadableStream<Uint8Array> | null = null;
  if (!bodyless) {
    const reader = source.getReader();
    let size = 0;
    body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          let chunk: Awaited<ReturnType<typeof reader.read>>;
          try {
            chunk = await reader.read();
          } catch (error) {
            controller.error(failed(error));
            return;
          }
          if (chunk.done) return controller.close();
          size += chunk.value.byteLength;
          if (size > limit) {
            // Too large is the error below: a body already ended has nothing to cancel.
            await reader.cancel().catch(() => {});
            controller.error(tooLarge());
            return;
          }
          controller.enqueue(chunk.value);
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    // No body is read: one already ended has nothing to cancel.
  } else void source?.cancel().catch(() => {});
  const limited = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // The SDK names a redirect it did not follow by the answer's URL.
  Object.defineProperty(limited, "url", { value: response.url });
  return limited;
}
