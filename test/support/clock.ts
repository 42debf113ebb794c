/** A clock the test owns: nothing in the suite sleeps for expiry. */
export interface TestClock {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

export function testClock(start = Date.UTC(2026, 0, 1, 12)): TestClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

/**
 * 48 random bytes in base64url (64 characters), made once with `randomBytes(48)`: it passes the
 * secret-strength check as a real secret must. Only ever used in tests.
 */
export const TEST_SECRET = 'QSAwj-zu1r2UI9L_Q0v7xy6mI01JLgyiaWFD7u3hQQ5l-10sKneJgExcf6idFe1f';
