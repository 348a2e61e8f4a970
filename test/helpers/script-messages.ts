/**
 * The stdin reader of the raw stdio servers tests write as scripts (no SDK), put before a script's
 * own code: `onMessage(handle)` calls `handle` with each newline-delimited JSON-RPC message, in order.
 */
export const ON_MESSAGE = String.raw`
const onMessage = (handle) => {
  let buffered = "";
  process.stdin.on("data", (chunk) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl !== -1; nl = buffered.indexOf("\n")) {
      const m = JSON.parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      handle(m);
    }
  });
};
`;
