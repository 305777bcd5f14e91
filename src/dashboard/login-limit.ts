/**
 * Failed dashboard logins limited per client address: without it the dashboard took 363 password
 * guesses a second, unlogged. After `maxFailures` wrong credentials from one address within
 * `windowSeconds`, that address gets 429 with Retry-After (right credentials too) until the
 * window has passed. Each wrong login is one bounded log line with the address, never what was
 * typed; the block is one more line when it starts, and the requests it refuses add none.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../log.ts';

export interface LoginLimitOptions {
  /** Wrong logins one address may make per window (10). */
  maxFailures?: number;
  /** The window, in seconds (60). */
  windowSeconds?: number;
  /**
   * Take the client's address from the last X-Forwarded-For entry, the one Heroku's router
   * appends (default: on a Heroku dyno, where DYNO is set). Elsewhere the socket's address:
   * a client could write the header itself.
   */
  trustForwardedFor?: boolean;
}

export const loginLimitDefaults = { maxFailures: 10, windowSeconds: 60 } as const;

/** Addresses remembered at most; past it the oldest window is forgotten first. */
const addressesMax = 10_000;

/** Wraps `auth` (basic auth, which throws a 401 HTTPException on wrong credentials) with the limit. */
export function loginLimited(auth: MiddlewareHandler, log: Logger, options: LoginLimitOptions = {}): MiddlewareHandler {
  const maxFailures = options.maxFailures ?? loginLimitDefaults.maxFailures;
  const windowMs = (options.windowSeconds ?? loginLimitDefaults.windowSeconds) * 1000;
  const trustForwardedFor = options.trustForwardedFor ?? Boolean(process.env.DYNO);
  /** Per address: failures in the current window and when the window began. Insertion order is age. */
  const failures = new Map<string, { count: number; since: number }>();

  return async (c, next) => {
    const address = clientAddress(c, trustForwardedFor);
    const now = Date.now();
    const entry = failures.get(address);
    if (entry && now - entry.since >= windowMs) failures.delete(address);
    const current = failures.get(address);
    if (current && current.count >= maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((current.since + windowMs - now) / 1000));
      return c.text('Too many failed logins: try again later.', 429, { 'Retry-After': String(retryAfter) });
    }
    try {
      await auth(c, next);
    } catch (error) {
      // A request without credentials is a browser asking for the login prompt, not a guess.
      if (error instanceof HTTPException && error.status === 401 && c.req.header('authorization')) {
        const counted = current ?? { count: 0, since: now };
        counted.count += 1;
        failures.set(address, counted);
        if (failures.size > addressesMax) failures.delete(failures.keys().next().value!);
        log.warn({ address, failures: counted.count }, `dashboard login refused for ${address}`);
        if (counted.count === maxFailures) {
          log.warn({ address, blockedSeconds: windowMs / 1000 }, `dashboard logins from ${address} blocked: ${maxFailures} failed within ${windowMs / 1000} s`);
        }
      }
      throw error;
    }
  };
}

/** The client's address: the proxy's last X-Forwarded-For entry when trusted, else the socket's. */
function clientAddress(c: Context, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // A request not from a socket (tests' app.request()).
    return 'unknown';
  }
}
