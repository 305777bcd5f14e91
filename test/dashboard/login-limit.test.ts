/**
 * Failed dashboard logins are limited per client address: the 11th within a minute gets 429 with
 * Retry-After, right password or not, while other addresses still log in; each wrong login is one
 * log line naming the address and never the password typed.
 */
import { describe, expect, it } from 'vitest';
import { dashboardApp, dashboardStart } from '../../src/dashboard/dashboard-server.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { logCapture } from '../support/log.ts';
import { waitFor } from '../support/wait.ts';

const database = await testDatabase();
const credentials = { username: 'ops', password: 'correct horse battery' };
const guess = 'hunter2-guess-0';
const authorization = (password: string) => ({ Authorization: `Basic ${Buffer.from(`ops:${password}`).toString('base64')}` });

describe('dashboard logins', () => {
  it('blocks an address after 10 wrong logins in a minute, logging each once without the password', async () => {
    const captured = logCapture('info');
    const { app, close } = dashboardApp(database, editorConfig, credentials, captured.log, { loginLimit: { trustForwardedFor: true } });
    // The router's entry is the last one; what a client writes before it does not count.
    const from = (address: string, headers: Record<string, string> = {}) => ({ headers: { 'X-Forwarded-For': `10.9.9.9, ${address}`, ...headers } });
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await app.request('/queues', from('203.0.113.7', authorization(`${guess}${attempt}`)))).status).toBe(401);
    }
    const blocked = await app.request('/queues', from('203.0.113.7', authorization(credentials.password)));
    expect(blocked.status).toBe(429);
    const retryAfter = Number(blocked.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    for (let attempt = 0; attempt < 50; attempt++) await app.request('/queues', from('203.0.113.7', authorization(guess)));

    // Another address logs in; a browser's request without credentials (the prompt) is no guess.
    for (let attempt = 0; attempt < 20; attempt++) expect((await app.request('/queues', from('198.51.100.2'))).status).toBe(401);
    expect((await app.request('/queues', from('198.51.100.2', authorization(credentials.password)))).status).toBe(200);
    await close();

    const refused = captured.lines.filter((line) => line.msg.includes('login refused'));
    expect(refused).toHaveLength(10);
    expect(refused.every((line) => line.address === '203.0.113.7')).toBe(true);
    expect(captured.lines.filter((line) => line.msg.includes('blocked'))).toHaveLength(1);
    const text = captured.lines.map((line) => JSON.stringify(line)).join('\n');
    expect(text).not.toContain(guess);
    expect(text).not.toContain(credentials.password);
  });

  it('lets the address in again once its window has passed', async () => {
    const { app, close } = dashboardApp(database, editorConfig, credentials, logCapture('error').log, { loginLimit: { maxFailures: 2, windowSeconds: 1 } });
    for (let attempt = 0; attempt < 2; attempt++) expect((await app.request('/queues', { headers: authorization(guess) })).status).toBe(401);
    expect((await app.request('/queues', { headers: authorization(credentials.password) })).status).toBe(429);
    await waitFor('the window to pass', async () => (await app.request('/queues', { headers: authorization(credentials.password) })).status === 200, { timeoutMs: 5000, intervalMs: 200 });
    await close();
  });

  it('off a Heroku dyno counts by the socket address: a forged X-Forwarded-For does not escape the limit', async () => {
    const server = await dashboardStart(database, editorConfig, logCapture('error').log, { PORT: 0, DASHBOARD_USER: credentials.username, DASHBOARD_PASSWORD: credentials.password });
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 12; attempt++) {
        const response = await fetch(`http://${server.host}:${server.port}/queues`, { headers: { ...authorization(guess), 'X-Forwarded-For': `192.0.2.${attempt}` } });
        statuses.push(response.status);
        await response.body?.cancel();
      }
      expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    } finally {
      await server.stop();
    }
  });
});
