import { describe, expect, it } from 'vitest';
import type { GateResult } from '../../src/api/types.gen.js';
import { GateCalls } from '../../src/gates/calls.js';
import type { GateAnswer } from '../../src/domain/model.js';

const NOW = new Date('2026-12-02T10:00:00Z');
const result = (open: boolean): GateResult => ({ name: 'load', type: 'rollout', open, message: open ? 'answered 200' : 'answered 500', time: NOW.toISOString() });
const pending = (askedAt: Date): GateAnswer => ({ name: 'load', type: 'rollout', open: false, pending: true, message: `asked at ${askedAt.toISOString()}`, time: askedAt.toISOString() });

/** A call the test answers when it likes. */
function deferred(): { promise: Promise<GateResult>; answer: (r: GateResult) => void } {
  let answer: (r: GateResult) => void = () => undefined;
  const promise = new Promise<GateResult>((resolve) => {
    answer = resolve;
  });
  return { promise, answer };
}

/** After the answer's callbacks and the wake they schedule. */
const nextMacrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

describe('gate calls that outlive a tick', () => {
  it('returns an answer that comes within the wait, and wakes nobody', async () => {
    const calls = new GateCalls({ now: () => NOW });
    let woken = 0;
    const got = await calls.answer('k', pending, () => Promise.resolve(result(true)), 1_000, () => woken++);
    await nextMacrotask();
    expect(got).toEqual(result(true));
    expect(woken).toBe(0);
    expect(calls.size).toBe(0);
  });

  it('holds a slow call as pending, lets it run on, wakes the Rollout when it answers, and hands that answer to the next tick without calling again', async () => {
    const calls = new GateCalls({ now: () => NOW });
    const call = deferred();
    let started = 0;
    let woken = 0;
    const start = (): Promise<GateResult> => {
      started++;
      return call.promise;
    };
    expect(await calls.answer('k', pending, start, 10, () => woken++)).toEqual(pending(NOW));
    // The next tick before the answer: still the same call, the same pending answer (the status does not change).
    expect(await calls.answer('k', pending, start, 0, () => woken++)).toEqual(pending(NOW));
    expect(started).toBe(1);
    call.answer(result(false));
    await nextMacrotask();
    expect(woken).toBe(1);
    expect(await calls.answer('k', pending, start, 0, () => woken++)).toEqual(result(false));
    expect(started).toBe(1);
    // Taken: the tick after that asks again.
    expect(calls.size).toBe(0);
  });

  it('keeps calls of different keys apart', async () => {
    const calls = new GateCalls({ now: () => NOW });
    const slow = deferred();
    expect((await calls.answer('a', pending, () => slow.promise, 5, () => undefined)).pending).toBe(true);
    expect(await calls.answer('b', pending, () => Promise.resolve(result(true)), 5, () => undefined)).toEqual(result(true));
    expect(calls.size).toBe(1);
  });

  it('drops an answer nobody came back for after its time to live', async () => {
    const calls = new GateCalls({ now: () => NOW, answerTtlMs: 0 });
    const slow = deferred();
    await calls.answer('a', pending, () => slow.promise, 0, () => undefined);
    slow.answer(result(true));
    await nextMacrotask();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Any later use sweeps it: the next ask of 'a' starts a new call.
    let started = 0;
    await calls.answer('a', pending, () => {
      started++;
      return Promise.resolve(result(false));
    }, 100, () => undefined);
    expect(started).toBe(1);
  });
});
