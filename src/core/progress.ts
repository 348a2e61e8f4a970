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
}

export interface Progress {
  step(text: string): Step;
  warn(text: string): void;
  info(text: string): void;
}

const NOOP_STEP: Step = { update() {}, succeed() {}, fail() {}, stop() {} };

export const silentProgress: Progress = {
  step: () => NOOP_STEP,
  warn() {},
  info() {},
};
