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

describe('bcrypt runs at the lowest priority, on its own threads (issue 12 §4)', () => {
  it.runIf(platform() === 'linux')(
    'on Linux the hashing threads are niced to 19 and the event loop is not',
    async () => {
      const before = [...threadNices().values()].filter((nice) => nice === 19).length;
      const hasher = new PasswordHasher(4, 2);
      const [a, b] = await Promise.all([hasher.hash('first password'), hasher.hash('second one')]);
      const nices = threadNices();
      expect([...nices.values()].filter((nice) => nice === 19).length).toBeGreaterThan(before);
      expect(nices.get(process.pid)).toBe(0);
      // What the workers made is plain bcrypt, and they check it both ways.
      expect(await bcrypt.compare('first password', a)).toBe(true);
      expect(await hasher.check(b, 'second one')).toBe(true);
      expect(await hasher.check(b, 'first password')).toBe(false);
    },
  );

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
