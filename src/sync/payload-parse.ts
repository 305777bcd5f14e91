/** Checks a job payload against its object's declared shape, with a message a person can act on. */
import { z } from 'zod';
import type { PayloadSchema } from '../mirror/define.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { PayloadInvalidError } from './sync-errors.ts';

/** The payload, parsed, or the error saying what was wrong and what is expected. */
export function payloadParse(object: AnyMirrorObject, data: unknown): object | PayloadInvalidError {
  const result = (object.payload as PayloadSchema).safeParse(data);
  if (result.success) return result.data as object;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');
  return new PayloadInvalidError(`Invalid payload for ${object.queueName} (${problems}); expected ${payloadShape(object)}`);
}

/** The payload's shape in words, e.g. `{ "schoolId": string (uuid), "isCreate"?: boolean }`. */
export function payloadShape(object: AnyMirrorObject): string {
  const schema = z.toJSONSchema(object.payload, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { type?: string; format?: string; anyOf?: { type?: string }[] }>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties ?? {}).map(([key, property]) => {
    const type = property.type ?? property.anyOf?.map((option) => option.type).join(' | ') ?? 'value';
    return `"${key}"${required.has(key) ? '' : '?'}: ${type}${property.format ? ` (${property.format})` : ''}`;
  });
  return `{ ${fields.join(', ')} }`;
}
