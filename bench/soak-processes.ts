/**
 * The soak's long-running processes, as Heroku runs them: `connect-sync worker` and the Connect
 * stand-in, each restarted when it exits on its own (a dyno crash, counted), and the worker's
 * resident memory read from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process kept running until stop(), restarted after a crash. */
export interface SupervisedProcess {
  /** Exits other than by stop(). */
  crashes(): number;
  /** Lines it printed. */
  lines(): number;
  /** Its last lines, for a report on a crash. */
  tail(): string;
  /** Resident memory now, in MB (undefined between a crash and its restart). */
  rssMb(): number | undefined;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Runs `connect-sync <args>` with `env`; resolves once it printed `ready`. */
export async function processSupervise(args: string[], env: Record<string, string>, ready: string): Promise<SupervisedProcess> {
  let child: ChildProcess;
  let crashes = 0;
  let lines = 0;
  let tail = '';
  let stopping = false;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      child = spawn(process.execPath, ['bin/connect-sync.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let started = false;
      const read = (chunk: Buffer) => {
        const text = chunk.toString();
        lines += text.split('\n').length - 1;
        tail = (tail + text).slice(-4000);
        if (!started && tail.includes(ready)) {
          started = true;
          resolve();
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => {
        if (!started) reject(new Error(`connect-sync ${args[0]} exited during start-up (${code}): ${tail.slice(-1000)}`));
        if (stopping || !started) return;
        crashes += 1;
        // Heroku restarts a crashed dyno; so does the soak, after a second.
        setTimeout(() => void start().catch(() => undefined), 1000);
      });
    });
  await start();
  return {
    crashes: () => crashes,
    lines: () => lines,
    tail: () => tail,
    rssMb: () => rssMb(child.pid),
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
