/**
 * What the manifest's `bridge` section means where it says nothing: a module without zod, as the
 * relay reads the bridge's settings at every start (schema.ts loads zod).
 */

/** `bridge.idleMinutes` when the manifest does not say. */
export const DEFAULT_IDLE_MINUTES = 10;
