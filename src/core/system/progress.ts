/**
 * How core code reports progress without printing: the command layer passes a Progress that
 * drives a spinner on a TTY and stays silent elsewhere.
 */

export interface Step {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  /** Stop without a mark (the step had nothing to say). */
  stop(): void;
  /**
   * Stop, leaving `text` on a terminal (✔) and printing nothing elsewhere: for a wait worth
   * explaining to someone watching, not worth a line in a script's log.
   */
  settle(text: string): void;
}

/** Packages being installed into one environment (one npm call). */
export interface InstallJob {
  env: string;
  specs: readonly string[];
}

/** Installs under way: one live line per environment. */
export interface InstallBoard {
  /** npm said where it is in that environment. */
  phase(env: string, phase: NpmPhase): void;
  /** That environment is done. */
  done(env: string, outcome: { installed: readonly string[]; failed: readonly string[] }): void;
  /** Every environment is done: leave one line per environment on screen. */
  close(): void;
}

export interface Progress {
  step(text: string): Step;
  installs(jobs: readonly InstallJob[]): InstallBoard;
  warn(text: string): void;
  info(text: string): void;
}

const NOOP_STEP: Step = { update() {}, succeed() {}, fail() {}, stop() {}, settle() {} };
export const NOOP_BOARD: InstallBoard = { phase() {}, done() {}, close() {} };

export const silentProgress: Progress = {
  step: () => NOOP_STEP,
  installs: () => NOOP_BOARD,
  warn() {},
  info() {},
};

/** Where an `npm install` is (packages/npm-log.ts reads it from npm's own log lines). */
type NpmStage = "starting" | "resolving" | "adding" | "scripts";

export interface NpmPhase {
  stage: NpmStage;
  /** Packages in the tree so far (placeDep). */
  packages: number;
  /** Tarballs in hand so far (from the cache or the registry), while adding. */
  downloaded: number;
  /** Packages unpacked so far (ADD). */
  added: number;
  /** Registry requests answered so far. */
  fetched: number;
  /** The script running (`pkg@1.0.0 postinstall`). */
  script?: string;
}
