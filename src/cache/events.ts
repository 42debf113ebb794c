/**
 * What a revocation killed, as it travels on the invalidation channel. Each kind names the
 * cached entries it drops: one token, every token of a session, every token of a user (but one
 * session), or everything that expired before a time (a purge).
 */
export type Invalidation =
  | { readonly kind: 'token'; readonly jti: string }
  | { readonly kind: 'session'; readonly sid: string }
  | { readonly kind: 'user'; readonly sub: string; readonly except?: string }
  | { readonly kind: 'expired'; readonly before: number };

/** Longest id carried (jti and sid are UUIDs; user ids are free-form but bounded here). */
const MAX_ID = 512;

const isId = (value: unknown): value is string =>
  typeof value === 'string' && value !== '' && value.length <= MAX_ID;

/** One message on the channel: a list of invalidations, JSON. */
export function encodeInvalidations(events: readonly Invalidation[]): string {
  return JSON.stringify(events);
}

/** The same invalidation without extra fields (what `encodeInvalidations` would send). */
function parseOne(value: unknown): Invalidation | null {
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Record<string, unknown>;
  switch (event.kind) {
    case 'token':
      return isId(event.jti) ? { kind: 'token', jti: event.jti } : null;
    case 'session':
      return isId(event.sid) ? { kind: 'session', sid: event.sid } : null;
    case 'user':
      if (!isId(event.sub)) return null;
      if (event.except === undefined) return { kind: 'user', sub: event.sub };
      return isId(event.except) ? { kind: 'user', sub: event.sub, except: event.except } : null;
    case 'expired':
      return typeof event.before === 'number' && Number.isFinite(event.before)
        ? { kind: 'expired', before: event.before }
        : null;
    default:
      return null;
  }
}

/**
 * Reads a message from the channel. `null` when it is not one this version understands: the
 * receiver then drops its whole cache, since an event it cannot read may be a revocation.
 */
export function decodeInvalidations(message: string): Invalidation[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  const events: Invalidation[] = [];
  for (const item of parsed) {
    const event = parseOne(item);
    if (event === null) return null;
    events.push(event);
  }
  return events;
}
