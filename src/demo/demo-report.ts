/** The demo's verdict: the seed's Behaviour table filled with measured counts, and its checks. */
import type { DemoOutcome } from './demo-measure.ts';
import type { DemoWorkload } from './demo-workload.ts';

export interface DemoResult {
  guardOff: DemoOutcome;
  guardOn: DemoOutcome;
}

export interface DemoCheck {
  ok: boolean;
  text: string;
  /** A speed goal: shown by the demo, measured side by side in `npm run bench`, not asserted by tests. */
  timed?: boolean;
}

/** How soon a waiting child must be written once its parents are in Salesforce, real seconds, p99. */
export const wakeGoalSeconds = 2;

/** Users whose Contact never arrives and who have jobs that need it: staff, and creators of schools. */
export function usersNeverSynced(workload: DemoWorkload): Set<string> {
  const never = (userId: string) => workload.contacts.get(userId)?.kind === 'never';
  return new Set(workload.schools.flatMap((school) => [school.creatorId, ...school.staff.map((member) => member.userId)]).filter(never));
}

/** What the demo promises, checked against what it measured. */
export function demoChecks(result: DemoResult, workload: DemoWorkload): DemoCheck[] {
  const off = result.guardOff;
  const on = result.guardOn;
  const offFailed = off.fkFailed.editor + off.fkFailed.contact;
  const onFailed = on.fkFailed.editor + on.fkFailed.contact;
  // Every job that gave up waited on a Contact that never came, and every such user's jobs gave up.
  const contactMessage = /^Contact not yet synced for pi_accounts_unique_id__c: (\S+)$/;
  const gaveUpFor = new Set(on.exhaustedMessages.map((message) => contactMessage.exec(message)?.[1] ?? message));
  const never = usersNeverSynced(workload);
  const exhaustedAsExpected = gaveUpFor.size === never.size && [...never].every((userId) => gaveUpFor.has(userId));
  return [
    { ok: offFailed > 0, text: `guard off: ${offFailed} affiliations FAILED for good in Heroku Connect, as in the seed` },
    { ok: onFailed === 0, text: `guard on: ${onFailed} affiliations FAILED on a missing parent` },
    {
      ok: on.affiliationsLanded === on.affiliationsExpected,
      text: `guard on: ${on.affiliationsLanded} of ${on.affiliationsExpected} affiliations whose parents arrived landed`,
    },
    {
      ok: exhaustedAsExpected,
      text: `guard on: the ${never.size} users whose Contact never arrived ended as ${on.exhausted} exhausted jobs, each saying "Contact not yet synced for pi_accounts_unique_id__c: …"`,
    },
    {
      ok: on.retries === 0 && on.waits > 0,
      text: `guard on: ${on.waits} runs found a parent missing and waited, spending ${on.retries} of the executions real errors use`,
    },
    {
      ok: (on.parentToChildWrittenSeconds?.p99 ?? Infinity) <= wakeGoalSeconds,
      text: `guard on: a waiting child is written ${on.parentToChildWrittenSeconds?.p99 ?? '–'} s (p99, real time) after its parents are in Salesforce; goal ≤ ${wakeGoalSeconds} s`,
      timed: true,
    },
  ];
}

/** The table and checks as lines for a terminal. */
export function demoReportLines(result: DemoResult, checks: readonly DemoCheck[]): string[] {
  // The mirror is watched every 0.1 s; a child landing within that of its parent reads as 0.
  const seconds = (value: number | null) => (value === null ? '–' : value < 0.1 ? '< 0.1 s' : `${value} s`);
  const rows: [string, (outcome: DemoOutcome) => string][] = [
    ['Affiliations landed / expected', (o) => `${o.affiliationsLanded} / ${o.affiliationsExpected}`],
    ['FAILED for good: Editor not yet in Salesforce', (o) => String(o.fkFailed.editor)],
    ['FAILED for good: Contact not yet in Salesforce', (o) => String(o.fkFailed.contact)],
    ['Jobs exhausted, with a clear message', (o) => String(o.exhausted)],
    ['Waits for a parent (spend no execution)', (o) => String(o.waits)],
    ['Retries (real errors)', (o) => String(o.retries)],
    [
      'Parent ready → child written, p50 / p99 (real time)',
      (o) => (o.parentToChildWrittenSeconds ? `${seconds(o.parentToChildWrittenSeconds.p50)} / ${seconds(o.parentToChildWrittenSeconds.p99)}` : 'at once, unguarded'),
    ],
    ['Parent ready → child landed, p50 / p99 (demo time)', (o) => `${seconds(o.parentToChildSeconds.p50)} / ${seconds(o.parentToChildSeconds.p99)}`],
    ['Run time', (o) => seconds(o.runSeconds)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const column = 26;
  const line = (label: string, off: string, on: string) => `${label.padEnd(width)}${off.padEnd(column)}${on}`;
  return [
    line('', 'guard off (before)', 'guard on (after)'),
    ...rows.map(([label, value]) => line(label, value(result.guardOff), value(result.guardOn))),
    '',
    ...checks.map((check) => `${check.ok ? '✓' : '✗'} ${check.text}`),
  ];
}
