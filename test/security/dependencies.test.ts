import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// SECURITY.md 23, checked against what is actually installed (npm ci follows the lock file).
function installed(name: string): number[] {
  const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as {
    version: string;
  };
  return pkg.version.split('.').map(Number);
}

function atLeast(version: number[], minimum: number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const a = version[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

describe('dependency floor', () => {
  it.each([
    ['jsonwebtoken', [9, 0, 0]],
    ['jws', [4, 0, 1]],
    ['bcrypt', [5, 0, 0]],
  ] as const)('%s is at least %j', (name, minimum) => {
    expect(atLeast(installed(name), [...minimum])).toBe(true);
  });

  it('the comparison itself can fail', () => {
    expect(atLeast([4, 0, 0], [4, 0, 1])).toBe(false);
    expect(atLeast([3, 9, 9], [4, 0, 0])).toBe(false);
    expect(atLeast([4, 0, 1], [4, 0, 1])).toBe(true);
  });
});
