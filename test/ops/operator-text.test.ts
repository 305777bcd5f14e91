/**
 * Operator output and keys from the database: a record key carrying a terminal escape sequence
 * is printed by doctor and repair as visible text, never as the sequence itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contactEditorAffiliation } from '../../src/editor/objects/contact-editor-affiliation.ts';
import { doctorCommand, doctorReport, doctorReportText } from '../../src/ops/doctor-report.ts';
import { controlEscaped } from '../../src/ops/operator-text.ts';
import { repairItemText, repairPlanText } from '../../src/ops/repair.ts';
import { deadLetterQueue } from '../../src/queue/queues.ts';
import { silentLogger } from '../../src/log.ts';
import { testDatabase } from '../support/database.ts';
import { editorConfig } from '../support/editor.ts';
import { testBoss } from '../support/queue.ts';

const database = await testDatabase();
const red = 'evil\x1b[31m\x9b2J\nforged line';

/** Everything written to stdout while `run` runs. */
async function stdoutOf(run: () => Promise<void>): Promise<string> {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return written;
}

afterEach(() => vi.restoreAllMocks());

describe('operator output', () => {
  it('shows control characters as escapes, the line feed too', () => {
    expect(controlEscaped(red)).toBe('evil\\u001b[31m\\u009b2J\\u000aforged line');
    expect(controlEscaped('plain keys stay as they are: 42, ü, 学校')).toBe('plain keys stay as they are: 42, ü, 学校');
  });

  it('prints a dead-lettered key with an escape sequence as text, in the report and its JSON', async () => {
    const boss = await testBoss(database);
    await boss.send(deadLetterQueue, { roleId: 1 }, { singletonKey: red });
    const report = await doctorReport(database, editorConfig);
    expect(report.deadLetters.examples).toEqual([`(sent directly)/${red}`]);

    const text = doctorReportText(report);
    expect(text).toContain('(sent directly)/evil\\u001b[31m\\u009b2J\\u000aforged line');
    expect(text).not.toMatch(/[\x1b\x9b]/);
    expect(text).not.toMatch(/^forged line/m);

    const context = { database, config: editorConfig, log: silentLogger } as Parameters<typeof doctorCommand>[0];
    const printed = await stdoutOf(() => doctorCommand(context, {}));
    expect(printed).not.toMatch(/[\x1b\x9b]/);
    const json = await stdoutOf(() => doctorCommand(context, { json: true }));
    expect(json).not.toMatch(/[\x1b\x9b]/);
    expect((JSON.parse(json) as typeof report).deadLetters.examples).toEqual([`(sent directly)/${red}`]);
  });

  it('prints a repair item and an upstream example with an escape sequence as text', () => {
    const item = { action: 'jobEnqueue', object: contactEditorAffiliation, recordId: red } as const;
    expect(repairItemText(item)).not.toMatch(/[\x1b\x9b\n]/);
    const text = repairPlanText({ items: [item], upstream: { count: 1, examples: [`${contactEditorAffiliation.name}/${red}`] } });
    expect(text).not.toMatch(/[\x1b\x9b]/);
    expect(text.split('\n')).toHaveLength(3);
  });
});
