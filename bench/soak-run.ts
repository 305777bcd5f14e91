/**
 * `npm run soak -- --minutes 3 --fault-every 30 [--rate 10]`: the soak (bench/soak.ts) on a
 * server of its own; prints its progress and report, and exits 1 unless every check held.
 */
import { parseArgs } from 'node:util';
import { soakRun } from './soak.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '3' }, 'fault-every': { type: 'string', default: '30' }, rate: { type: 'string', default: '10' } },
});
const number = (flag: string, value: string, min: number, max: number): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
    process.stderr.write(`--${flag} expects a number from ${min} to ${max}, not ${value}\n`);
    process.exit(2);
  }
  return parsed;
};
const report = await soakRun({
  minutes: number('minutes', values.minutes, 0.5, 30),
  faultEverySeconds: number('fault-every', values['fault-every'], 5, 600),
  operationsPerSecond: number('rate', values.rate, 1, 200),
  progress: (line) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
});
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(report.ok ? 0 : 1);
