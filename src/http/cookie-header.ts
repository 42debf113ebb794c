import { InvalidRequestError } from '../errors/http-errors';

/**
 * Reads one cookie from the raw `Cookie` header, strictly: a name present twice is a malformed
 * request (400), because browsers and parsers disagree on which one wins. Returns the raw,
 * undecoded value, or `undefined` when absent. cookie-parser's `req.cookies` is never read: a
 * `j:`-prefixed value there may already be an object.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header === '') return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    if (found !== undefined)
      throw new InvalidRequestError(`The ${name} cookie is sent more than once.`);
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    found = value;
  }
  return found;
}
