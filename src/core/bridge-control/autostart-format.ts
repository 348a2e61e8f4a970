/**
 * The version of what an installed start at logon does: in a file of its own, so a sync that writes
 * nothing compares it without loading how those files are planned (autostart-plan.ts).
 */
/** Raised when what an installed start at logon does changes, so the next sync writes it again. */
export const AUTOSTART_FORMAT = 6;
