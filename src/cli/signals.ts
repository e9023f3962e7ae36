/**
 * SIGINT and SIGTERM while synth writes: with a listener, Node no longer ends the process at once
 * but runs the listener between two turns of the event loop. The writer checks the signal between
 * its steps and stops with nothing changed; its swap is synchronous, so a signal arriving during
 * it is seen only after every folder was swapped. Without this, an interrupt could leave some
 * environments new and others old.
 */

/** What deferInterrupts returns: the signal to pass to synth, and how to restore the defaults. */
export interface DeferredInterrupts {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Until disposed, SIGINT and SIGTERM abort the returned signal (its reason is the signal's name). */
export function deferInterrupts(): DeferredInterrupts {
  const controller = new AbortController();
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const listener = () => controller.abort(name);
    process.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, listener] of listeners) process.off(name, listener);
    },
  };
}
