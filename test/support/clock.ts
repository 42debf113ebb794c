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

/** 48 bytes: above the 32-byte floor. Only ever used in tests. */
export const TEST_SECRET = 'test-secret-0123456789abcdef-0123456789abcdef-xyz';
