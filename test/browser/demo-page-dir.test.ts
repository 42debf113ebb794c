import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoPageDir } from '../../example/demo-page';

const ROOT = path.resolve(__dirname, '../..');
const PUBLIC = path.join(ROOT, 'example/public');

describe('demoPageDir: where the example finds the demo page', () => {
  it('from source (example/) and from the tsc output (build/example/): example/public', () => {
    expect(demoPageDir(path.join(ROOT, 'example'))).toBe(PUBLIC);
    expect(demoPageDir(path.join(ROOT, 'build/example'))).toBe(PUBLIC);
  });

  it('names both places it looked when the files are missing', () => {
    const nowhere = path.join(ROOT, 'no/such/dir');
    expect(() => demoPageDir(nowhere)).toThrow(
      `The demo page's files are missing: looked in ${path.join(nowhere, 'public')} and ${path.join(ROOT, 'no/example/public')}.`,
    );
  });
});
