import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTION_TABLE } from '../../src/config/table';

const README = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');

/** The README's options table: the rows between its markers, as `[key, env, default]`. */
function readmeRows(): string[][] {
  const start = README.indexOf('<!-- options:start -->');
  const end = README.indexOf('<!-- options:end -->');
  if (start < 0 || end < start)
    throw new Error('README.md has no <!-- options:start/end --> table');
  return README.slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .split('|')
        .slice(1, 4)
        .map((cell) => cell.trim()),
    );
}

/** What a README row must say for a table entry. */
function expectedRow(spec: (typeof OPTION_TABLE)[number]): string[] {
  return [`\`${spec.key}\``, spec.env === undefined ? '—' : `\`${spec.env}\``, spec.shown];
}

describe('the options table and the README agree', () => {
  it('every option, its environment variable and its default, in the same order', () => {
    const expected = OPTION_TABLE.map(expectedRow);
    const actual = readmeRows();
    // On failure the message lists the rows to paste into the README.
    expect(
      actual,
      `README rows should be:\n${expected.map((r) => `| ${r.join(' | ')} |`).join('\n')}`,
    ).toEqual(expected);
  });

  it('no two options share a key or an environment variable', () => {
    const keys = OPTION_TABLE.map((s) => s.key);
    const envs = OPTION_TABLE.flatMap((s) => (s.env === undefined ? [] : [s.env]));
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(envs).size).toBe(envs.length);
    for (const name of envs) expect(name).toMatch(/^AUTH_[A-Z0-9_]+$/);
  });
});
