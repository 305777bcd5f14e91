/**
 * Text for an operator's terminal. Record keys, job outputs and Salesforce's error texts come
 * from the database, where anyone who can enqueue can put any character; printed as they are, an
 * escape sequence in a key (`\x1b[31m`, or a cursor move that overwrites the line above) would
 * recolour or rewrite what the operator reads. Every control character is shown as a `\uXXXX`
 * escape instead, which is also valid inside a JSON string, so JSON output stays parseable.
 */

/**
 * C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
 * overrides and isolates (which reorder what a terminal shows).
 */
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every control character (the line feed too) shown as `\uXXXX`. */
export function controlEscaped(text: string): string {
  return text.replace(controlCharacters, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes operator text to stdout: its lines as they are, every control character within a line escaped. */
export function operatorPrint(text: string): void {
  process.stdout.write(`${text.split('\n').map(controlEscaped).join('\n')}\n`);
}
