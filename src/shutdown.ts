/** Stopping a long-running command gracefully on SIGTERM (Heroku) or SIGINT (a terminal). */
import type { Logger } from './log.ts';

/**
 * Resolves with the first SIGTERM (Heroku) or SIGINT (a terminal). Listening replaces Node's
 * default of dying at once, so call it before starting work: a signal during start-up then still
 * stops the worker gracefully.
 */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handle = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', handle);
      process.off('SIGINT', handle);
      resolve(signal);
    };
    process.on('SIGTERM', handle);
    process.on('SIGINT', handle);
  });
}

/**
 * Runs a long-lived part until SIGTERM or SIGINT, then stops it. Listens before `start`, so a
 * signal during start-up still stops it gracefully; `start` gets an AbortSignal that aborts on it,
 * so a start that waits (for an unreachable database) ends there, and the process exits cleanly.
 */
export async function runUntilShutdown(log: Logger, start: (signal: AbortSignal) => Promise<{ stop(): Promise<void> }>): Promise<void> {
  const signal = shutdownSignal();
  const aborter = new AbortController();
  void signal.then(() => aborter.abort());
  let running: { stop(): Promise<void> };
  try {
    running = await start(aborter.signal);
  } catch (error) {
    if (!aborter.signal.aborted) throw error;
    log.info({ signal: await signal }, 'shutdown requested during start-up');
    return;
  }
  log.info({ signal: await signal }, 'shutdown requested');
  // The last resort before Heroku's SIGKILL: whatever still holds the process, exit ourselves.
  setTimeout(() => {
    log.error({ afterMs: shutdownDeadlineMs }, 'shutdown took too long: exiting now');
    process.exit(1);
  }, shutdownDeadlineMs).unref();
  await running.stop();
}

/** Heroku kills a dyno 30 s after SIGTERM; the process exits on its own before that. */
export const shutdownDeadlineMs = 28_000;
