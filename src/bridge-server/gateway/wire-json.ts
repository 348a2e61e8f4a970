/**
 * The JSON the gateway passes on as the other end sent it: an object read off the wire, never
 * rebuilt from a schema (a result, params, a notification's params).
 */

/** A JSON object as it came: passed through, never rebuilt from a schema. */
export type Json = Record<string, unknown>;
