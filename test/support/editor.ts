/** The editor preset, resolved: the objects and config every editor-app test runs on. */
import type { DoctorClass, DoctorReport } from '../../src/ops/doctor-report.ts';
import { editorConfig } from '../../src/editor/preset.ts';

export { editorConfig };
export const editorObjectSet = editorConfig.objects;

/** The school check's classes and the job classes summed over objects, as one flat map. */
export function doctorClasses(report: DoctorReport): Record<string, DoctorClass> {
  const sum = (pick: (health: DoctorReport['objects'][number]) => DoctorClass): DoctorClass => ({
    count: report.objects.reduce((total, health) => total + pick(health).count, 0),
    examples: report.objects.flatMap((health) => pick(health).examples),
  });
  const schools = Object.fromEntries(Object.entries(report.checks.schools?.classes ?? {}).map(([name, found]) => [name, { count: found.count, examples: found.examples }]));
  return { ...schools, deadLetter: report.deadLetters, waitingOnParent: sum((health) => health.waitingOnParent) };
}
