import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../src/tokens/store/coalesce';

/** A fetch that records the keys of each call and answers a row per key. */
function recorder(fail?: (keys: string[]) => Error | undefined) {
  const calls: string[][] = [];
  const fetch = (keys: string[]): Promise<string[]> => {
    calls.push(keys);
    const error = fail?.(keys);
    return error === undefined
      ? Promise.resolve(keys.map((k) => `row:${k}`))
      : Promise.reject(error);
  };
  return { calls, fetch };
}

describe('Coalescer (the PostgreSQL store batches one event-loop turn of lookups)', () => {
  it('one turn’s keys make one call, distinct; the next turn makes its own', async () => {
    const { calls, fetch } = recorder();
    const batches = new Coalescer(fetch, 100);
    const first = await Promise.all(['a', 'b', 'a', 'c'].map((k) => batches.get(k)));
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(first).toEqual(Array(4).fill(['row:a', 'row:b', 'row:c']));
    await nextTurn();
    expect(await batches.get('d')).toEqual(['row:d']);
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('nothing is fetched before the turn ends, and a lone key waits for nothing else', async () => {
    const { calls, fetch } = recorder();
    const batches = new Coalescer(fetch, 100);
    const pending = batches.get('solo');
    expect(calls).toEqual([]);
    await nextTurn();
    expect(calls).toEqual([['solo']]);
    expect(await pending).toEqual(['row:solo']);
  });

  it('a batch that reaches maxKeys goes out at once and the rest start another', async () => {
    const { calls, fetch } = recorder();
    const batches = new Coalescer(fetch, 2);
    const answers = Promise.all(['a', 'b', 'c'].map((k) => batches.get(k)));
    expect(calls).toEqual([['a', 'b']]);
    expect(await answers).toEqual([['row:a', 'row:b'], ['row:a', 'row:b'], ['row:c']]);
    expect(calls).toEqual([['a', 'b'], ['c']]);
  });

  it('a failed fetch rejects every caller of its batch, and only them', async () => {
    const boom = new Error('connection terminated');
    const { calls, fetch } = recorder((keys) => (keys.includes('bad') ? boom : undefined));
    const batches = new Coalescer(fetch, 100);
    const failed = ['ok', 'bad'].map((k) => batches.get(k).catch((error: unknown) => error));
    expect(await Promise.all(failed)).toEqual([boom, boom]);
    expect(await batches.get('ok')).toEqual(['row:ok']);
    expect(calls).toEqual([['ok', 'bad'], ['ok']]);
  });

  it('a fetch that throws instead of rejecting still rejects its callers', async () => {
    const batches = new Coalescer<string>(() => {
      throw new TypeError('not a pool');
    }, 100);
    await expect(batches.get('x')).rejects.toThrow(/not a pool/);
  });
});
