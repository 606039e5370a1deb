import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/types.gen.js';
import { DELIVERY_HEADER } from '../../src/http/safe-post.js';
import { EventHooks } from '../../src/notifier/event-hooks.js';
import { HookServer } from '../support/hook-server.js';
import { SignedCallReceiver } from '../http/receiver.js';
import { rollout } from '../support/rollouts.js';
import { LOOPBACK_ALLOWED } from '../support/outbound.js';

/** A pino logger whose JSON lines a test can read. */
function logSink(): { log: pino.Logger; lines: () => { msg: string }[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { log: pino(stream), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string }) };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('event webhooks', () => {
  let hooks: HookServer;
  beforeAll(async () => {
    hooks = await HookServer.start();
  });
  afterAll(async () => {
    await hooks.stop();
  });
  const now = (): Date => new Date('2026-11-22T10:00:00Z');
  const withEventHook = (path: string): Rollout =>
    rollout({
      namespace: 'apps',
      spec: { analysis: { webhooks: [{ name: 'feed', type: 'event', url: hooks.url(path), metadata: { team: 'web' } }] } },
      status: { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'abc' },
    });

  it('POSTs each event with its reason, type and message in metadata, as Flagger does', async () => {
    hooks.answer('/feed', 202);
    const { log } = logSink();
    const events = new EventHooks({ now, outbound: LOOPBACK_ALLOWED, readSecret: () => Promise.resolve(undefined) }, log);
    events.forward(withEventHook('/feed'), { type: 'Normal', reason: 'Advanced', message: 'advanced canary weight to 20' });
    await until(() => hooks.callsTo('/feed').length === 1 && events.pending === 0);
    expect(JSON.parse(hooks.callsTo('/feed')[0]?.body ?? '{}')).toEqual({
      name: 'podinfo',
      namespace: 'apps',
      phase: 'Progressing',
      type: 'event',
      revision: 'abc',
      canaryWeight: 10,
      metadata: { team: 'web', eventReason: 'Advanced', eventType: 'Normal', eventMessage: 'advanced canary weight to 20', timestamp: now().toISOString() },
    });
  });

  it('does not wait for the receiver, and drops events beyond the calls in flight, saying so', async () => {
    const answers: (() => void)[] = [];
    hooks.on('/stuck', (_req, _body, res) => answers.push(() => res.writeHead(200).end()));
    const { log, lines } = logSink();
    const events = new EventHooks({ now, outbound: LOOPBACK_ALLOWED, readSecret: () => Promise.resolve(undefined) }, log, 1);
    for (const reason of ['A', 'B', 'C']) events.forward(withEventHook('/stuck'), { type: 'Normal', reason, message: reason });
    expect(events.pending).toBe(1);
    await until(() => hooks.callsTo('/stuck').length === 1);
    expect(lines().filter((l) => l.msg.includes('not forwarded'))).toHaveLength(2);
    for (const answer of answers) answer();
    await until(() => events.pending === 0);
    expect(hooks.callsTo('/stuck')).toHaveLength(1);
  });

  it('signs each event with its own delivery id when the webhook has a secretRef', async () => {
    const receiver = new SignedCallReceiver('s3cret');
    const verdicts: string[] = [];
    hooks.on('/signed-feed', (req, body, res) => {
      verdicts.push(receiver.verify(req.headers, body, now().getTime() / 1000));
      res.writeHead(200).end();
    });
    const { log } = logSink();
    const readSecret = (namespace: string, name: string): Promise<Record<string, string> | undefined> =>
      Promise.resolve(namespace === 'apps' && name === 'feed-key' ? { key: 's3cret' } : undefined);
    const events = new EventHooks({ now, outbound: LOOPBACK_ALLOWED, readSecret }, log);
    const signed = rollout({
      namespace: 'apps',
      spec: { analysis: { webhooks: [{ name: 'feed', type: 'event', url: hooks.url('/signed-feed'), secretRef: { name: 'feed-key' } }] } },
      status: { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'abc' },
    });
    // The same event twice in the same second: two deliveries, neither a replay of the other.
    for (let i = 0; i < 2; i++) events.forward(signed, { type: 'Normal', reason: 'Advanced', message: 'advanced canary weight to 20' });
    await until(() => hooks.callsTo('/signed-feed').length === 2 && events.pending === 0);
    expect(verdicts).toEqual(['ok', 'ok']);
    expect(new Set(hooks.callsTo('/signed-feed').map((c) => c.headers[DELIVERY_HEADER.toLowerCase()])).size).toBe(2);
  });

  it('logs a receiver that does not answer 2xx', async () => {
    hooks.answer('/down', 503, 'maintenance');
    const { log, lines } = logSink();
    const events = new EventHooks({ now, outbound: LOOPBACK_ALLOWED, readSecret: () => Promise.resolve(undefined) }, log);
    events.forward(withEventHook('/down'), { type: 'Warning', reason: 'RolledBack', message: 'rolled back' });
    await until(() => lines().some((l) => l.msg.startsWith('event webhook')));
    expect(lines().map((l) => l.msg)).toContain('event webhook answered 503: maintenance');
  });
});
