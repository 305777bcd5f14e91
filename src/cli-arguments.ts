/** Parsers for command-line option values, each with an error that says what is expected. */
import { InvalidArgumentError } from 'commander';

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got "${value}".`);
    }
    return number;
  };
}

/** A number greater than zero. */
export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new InvalidArgumentError(`expected a number greater than 0, got "${value}".`);
  return number;
}
