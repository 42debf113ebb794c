/** The largest id an INTEGER auto-increment column holds on all three databases. */
const MAX_ID = 2_147_483_647;

/**
 * Parses a user id from a token `sub` or a path segment: a canonical positive integer
 * (`"7"`, not `"07"`, `"7.0"`, `"1e3"` or `" 7"`) within INTEGER range, else `null`.
 * Nothing that is not a valid id ever reaches a query.
 */
export function parseUserId(raw: string): number | null {
  if (!/^[1-9]\d{0,9}$/.test(raw)) return null;
  const id = Number(raw);
  return id <= MAX_ID ? id : null;
}
