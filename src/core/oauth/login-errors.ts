/**
 * The error a missing, revoked or unrenewable login becomes: its message ends with what to run.
 * A module of its own, so the relay reports it without loading any OAuth code.
 */
import { OperationError } from "../errors.js";
import type { RenewalFailure } from "./token-store.js";

export class LoginError extends OperationError {
  static override readonly kind: string = "LoginError";
}

export function loginNeeded(server: string, why: string): LoginError {
  return new LoginError("login-needed", `${why}: run \`mcp-twin login ${server}\`.`);
}

/** A login whose refresh token is not sent again (`failure.revoked`): why, and what to run. */
export function cannotRenew(server: string, failure: RenewalFailure): LoginError {
  return loginNeeded(
    server,
    failure.spent
      ? `The login to ${server} cannot be renewed (${failure.message})`
      : `The provider of ${server} refused to renew the login (${failure.message})`,
  );
}
