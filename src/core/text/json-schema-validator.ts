/**
 * The MCP SDK's `jsonSchemaValidator` on zod (`z.fromJSONSchema`): the bundle's default for every
 * SDK client and server (src/sdk-shims-without-ajv.ts), and one instance shared by every bridge session.
 */
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from "@modelcontextprotocol/server";
import { z } from "zod";

export class ZodJsonSchemaValidator implements jsonSchemaValidator {
  #cache = new WeakMap<object, JsonSchemaValidator<unknown>>();

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const hit = this.#cache.get(schema as object);
    if (hit) return hit as JsonSchemaValidator<T>;
    let compiled: z.ZodType;
    try {
      compiled = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    } catch {
      compiled = z.unknown(); // a schema zod cannot read: accept rather than fail the call
    }
    const validate: JsonSchemaValidator<unknown> = (input) => {
      const r = compiled.safeParse(input);
      return r.success
        ? { valid: true, data: r.data, errorMessage: undefined }
        : {
            valid: false,
            data: undefined,
            errorMessage: r.error.issues
              .map((i) => `${i.path.join(".") || "value"}: ${i.message}`)
              .join("; "),
          };
    };
    this.#cache.set(schema as object, validate);
    return validate as JsonSchemaValidator<T>;
  }
}

export const zodValidator: jsonSchemaValidator = new ZodJsonSchemaValidator();
