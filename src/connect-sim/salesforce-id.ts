/**
 * Salesforce-like record ids: 18 characters, a 3-character key prefix naming the object, a
 * base62 body, and the 3-character suffix Salesforce derives from the case of the first 15.
 */
import { createHash } from 'node:crypto';

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

// Standard objects have fixed prefixes; a custom one gets a0<c>, c drawn from its name, so the
// same object has the same prefix whatever else is declared. Ids stay unique by their serial.
const standardPrefixes: Readonly<Record<string, string>> = { Account: '001', Contact: '003', Lead: '00Q', User: '005' };

/** The 3-character key prefix of an object's ids: `003` for Contact, `a0…` for custom objects. */
export function salesforceKeyPrefix(objectName: string): string {
  const standard = standardPrefixes[objectName];
  if (standard) return standard;
  const digest = createHash('sha256').update(objectName).digest();
  return `a0${base62[(digest[0] ?? 0) % 62]}`;
}

/** The 18-character id of record number `serial` of the object with `keyPrefix`. */
export function salesforceIdFormat(keyPrefix: string, serial: bigint): string {
  let body = '';
  let rest = serial;
  while (rest > 0n) {
    body = base62[Number(rest % 62n)] + body;
    rest /= 62n;
  }
  // 15 characters: prefix, a fixed pod-like "5g", then the serial, zero-padded.
  const id15 = `${keyPrefix}5g${body.padStart(10, '0')}`;
  if (id15.length !== 15) throw new Error(`record number ${serial} does not fit a Salesforce id`);
  return id15 + salesforceIdSuffix(id15);
}

/** The case-checksum Salesforce appends to a 15-character id to make it case-insensitive. */
export function salesforceIdSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let position = 0; position < 5; position++) {
      const character = id15[chunk * 5 + position] ?? '';
      if (character >= 'A' && character <= 'Z') flags |= 1 << position;
    }
    suffix += suffixAlphabet[flags];
  }
  return suffix;
}
