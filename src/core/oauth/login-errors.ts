/**
 * The error a missing, revoked or unrenewable login becomes: its message ends with what to run.
 * A module of its own, so the relay reports it without loading any OAuth code.
 */
import { OperationError } from "../errors.js";

export class LoginError extends OperationError {
  static override readonly kind: string = "LoginError";
}

export function loginNeeded(server: string, why: string): LoginError {
  return new LoginError("login-needed", `${why}: run \`mcp-twin login ${server}\`.`);
}
