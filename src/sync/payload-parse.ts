/** Checks a job payload against its object's declared shape, with a message a person can act on. */
import { z } from 'zod';
import type { PayloadSchema } from '../mirror/define.ts';
import type { AnyMirrorObject } from '../mirror/object-set.ts';
import { PayloadInvalidError } from './sync-errors.ts';

/** Longest part of a message taken from the payload (a path or key), so a huge key cannot bloat it. */
const partLength = 80;
/** Problems listed at most; the rest are counted. */
const problemsListed = 3;

/** The payload, parsed, or the error saying what was wrong and what is expected. */
export function payloadParse(object: AnyMirrorObject, data: unknown): object | PayloadInvalidError {
  const result = (object.payload as PayloadSchema).safeParse(data);
  if (result.success) return result.data as object;
  const issues = result.error.issues;
  const problems = issues
    .slice(0, problemsListed)
    .map((issue) => `${cut(issue.path.map(String).join('.')) || 'payload'}: ${cut(issue.message, 160)}`);
  if (issues.length > problemsListed) problems.push(`${issues.length - problemsListed} more`);
  return new PayloadInvalidError(`Invalid payload for ${object.queueName} (${problems.join('; ')}); expected ${payloadShape(object)}`);
}

function cut(text: string, length = partLength): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** Shapes already described, by object: describing one converts its schema, which is not cheap. */
const shapes = new WeakMap<AnyMirrorObject, string>();

/** The payload's shape in words, e.g. `{ "schoolId": string (uuid), "isCreate"?: boolean }`. */
export function payloadShape(object: AnyMirrorObject): string {
  let shape = shapes.get(object);
  if (shape === undefined) shapes.set(object, (shape = payloadShapeDescribe(object)));
  return shape;
}

function payloadShapeDescribe(object: AnyMirrorObject): string {
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
