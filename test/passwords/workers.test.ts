import { readdirSync, readFileSync } from 'node:fs';
import { platform } from 'node:os';
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../../src';
import { bcryptBackend } from '../../src/passwords/workers';

/** The nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nices.set(Number(tid), Number(fields[16]));
  }
  return nices;
}

describe('bcrypt runs at a lower priority, on its own threads (issue 12 §4)', () => {
  it.runIf(platform() === 'linux')(
    'on Linux the hashing threads take the configured nice value and the event loop keeps 0',
    async () => {
      const count = (nice: number) => [...threadNices().values()].filter((n) => n === nice).length;
      const before = { 10: count(10), 17: count(17) };
      const defaults = new PasswordHasher(4, 2);
      const custom = new PasswordHasher(4, 2, 16, 17);
      const [a, b] = await Promise.all([
        defaults.hash('first password'),
        custom.hash('second one'),
      ]);
      expect(count(10)).toBeGreaterThan(before[10]);
      expect(count(17)).toBeGreaterThan(before[17]);
      expect(threadNices().get(process.pid)).toBe(0);
      // What the workers made is plain bcrypt, and they check it both ways.
      expect(await bcrypt.compare('first password', a)).toBe(true);
      expect(await custom.check(b, 'second one')).toBe(true);
      expect(await defaults.check(b, 'first password')).toBe(false);
    },
  );

  it("passwordNice 0 runs bcrypt on libuv's pool: no thread of the process is niced for it", async () => {
    const before = [...threadNices().values()].filter((n) => n !== 0).length;
    const hasher = new PasswordHasher(4, 2, 16, 0);
    expect(hasher.nice).toBe(0);
    const hash = await hasher.hash('a password');
    expect(await hasher.check(hash, 'a password')).toBe(true);
    expect([...threadNices().values()].filter((n) => n !== 0).length).toBe(before);
  });

  it('a failure inside bcrypt rejects that call only, and the backend keeps working', async () => {
    const backend = bcryptBackend();
    const good = await backend.hash('password', 4);
    const results = await Promise.allSettled([
      backend.hash('password', 99),
      backend.compare('password', good),
    ]);
    expect(results[0]).toMatchObject({
      status: 'rejected',
      reason: { message: /rounds|cost|Invalid/i },
    });
    expect(results[1]).toEqual({ status: 'fulfilled', value: true });
  });
});
