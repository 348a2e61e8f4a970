/**
 * What the MCP SDK's client and server import as `_shims`, in mcp-twin's bundle (tsup.config.ts):
 * the SDK's Node shims, with zod (already loaded) as the JSON Schema validator instead of Ajv.
 */
import process from "node:process";

// Node's fetch never fails for CORS (a browser notion): a TypeError from it is a real network error.
export const CORS_IS_POSSIBLE = false;
export { ZodJsonSchemaValidator as DefaultJsonSchemaValidator } from "./core/text/json-schema-validator.js";
export { process };
