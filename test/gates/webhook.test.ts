import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout, WebhookSpec } from '../../src/api/types.gen.js';
import { GateAsker } from '../../src/gates/asker.js';
import { WebhookGate, type WebhookDeps } from '../../src/gates/webhook.js';
import { DELIVERY_HEADER } from '../../src/http/safe-post.js';
import { freePort } from '../../devenv/env/ports.js';
import { HookServer } from '../support/hook-server.js';
import { SignedCallReceiver } from '../http/receiver.js';
import { LOOPBACK_ALLOWED } from '../support/outbound.js';

const rollout: Rollout = {
  apiVersion: 'flowshift.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'podinfo', namespace: 'apps' },
  spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' }, service: { port: 9898 }, strategy: { canary: { stepWeight: 10 } } },
  status: { phase: 'Progressing', canaryWeight: 20, lastAppliedSpec: 'abc123' },
};
const now = (): Date => new Date('2026-11-22T10:00:00Z');
const secrets: Record<string, Record<string, string>> = { 'apps/hook-key': { key: 's3cret' }, 'apps/empty': {} };
const deps: WebhookDeps = { now, outbound: LOOPBACK_ALLOWED, readSecret: (ns: string, name: string) => Promise.resolve(secrets[`${ns}/${name}`]) };
const question = { revision: 'abc123' };

describe('webhook gates against a real HTTP server', () => {
  let hooks: HookServer;
  beforeAll(async () => {
    hooks = await HookServer.start();
  });
  afterAll(async () => {
    await hooks.stop();
  });
  const hook = (path: string, extra: Partial<WebhookSpec> = {}): WebhookSpec => ({ name: path.slice(1), type: 'confirm-promotion', url: hooks.url(path), ...extra });

  it('opens on a 2xx answer and sends the Rollout, the revision and the metadata', async () => {
    hooks.answer('/ok', 200);
    const result = await new WebhookGate(hook('/ok', { metadata: { team: 'web' } }), deps).ask(rollout, { revision: 'def456' });
    expect(result).toEqual({ name: 'ok', type: 'confirm-promotion', open: true, message: 'answered 200', time: now().toISOString() });
    expect(JSON.parse(hooks.callsTo('/ok')[0]?.body ?? '')).toEqual({
      name: 'podinfo',
      namespace: 'apps',
      phase: 'Progressing',
      type: 'confirm-promotion',
      revision: 'def456',
      canaryWeight: 20,
      metadata: { team: 'web' },
    });
  });

  it('is closed on another status, quoting a short excerpt of the answer', async () => {
    hooks.answer('/no', 503, `load test still running ${'.'.repeat(5000)}`);
    const result = await new WebhookGate(hook('/no'), deps).ask(rollout, question);
    expect(result.open).toBe(false);
    expect(result.message).toMatch(/^answered 503: load test still running \.+…$/);
    expect(result.message.length).toBeLessThan(250);
  });

  it('is closed when no answer comes within the timeout', async () => {
    hooks.on('/slow', (_req, _body, res) => setTimeout(() => res.writeHead(200).end(), 2000).unref());
    expect(await new WebhookGate(hook('/slow', { timeout: '200ms' }), deps).ask(rollout, question)).toMatchObject({ open: false, message: 'no answer within 200 ms' });
  });

  it('is closed when nothing listens', async () => {
    const closed = await freePort();
    const result = await new WebhookGate({ name: 'gone', type: 'rollback', url: `http://127.0.0.1:${closed}/hook` }, deps).ask(rollout, question);
    expect(result.open).toBe(false);
    expect(result.message).toMatch(/^unreachable \(.*ECONNREFUSED/);
  });

  it('is closed on a redirect, which is not followed', async () => {
    hooks.on('/redirect', (_req, _body, res) => res.writeHead(302, { location: hooks.url('/ok') }).end());
    const before = hooks.callsTo('/ok').length;
    expect(await new WebhookGate(hook('/redirect'), deps).ask(rollout, question)).toMatchObject({ open: false, message: 'answered 302 (a redirect, not followed)' });
    expect(hooks.callsTo('/ok')).toHaveLength(before);
  });

  it('retries before giving a closed answer', async () => {
    hooks.on('/flaky', (_req, _body, res) => res.writeHead(hooks.callsTo('/flaky').length < 3 ? 500 : 200).end());
    expect((await new WebhookGate(hook('/flaky', { retries: 2 }), deps).ask(rollout, question)).open).toBe(true);
    expect(hooks.callsTo('/flaky')).toHaveLength(3);
  });

  it('signs the timestamp, a delivery id and the body with the Secret key, a new id on each call', async () => {
    const receiver = new SignedCallReceiver('s3cret');
    hooks.on('/signed', (req, body, res) => {
      const verdict = receiver.verify(req.headers, body, now().getTime() / 1000);
      res.writeHead(verdict === 'ok' ? 200 : 401).end(verdict);
    });
    const signed = new WebhookGate(hook('/signed', { secretRef: { name: 'hook-key' } }), deps);
    expect((await signed.ask(rollout, question)).open).toBe(true);
    // Asked again: the same payload and second, yet not a replay to the receiver.
    expect((await signed.ask(rollout, question)).open).toBe(true);
    const ids = hooks.callsTo('/signed').map((c) => c.headers[DELIVERY_HEADER.toLowerCase()]);
    expect(new Set(ids).size).toBe(2);
    expect(await new WebhookGate(hook('/signed', { secretRef: { name: 'empty' } }), deps).ask(rollout, question)).toMatchObject({
      open: false,
      message: 'Secret empty has no "key" to sign with',
    });
    expect(hooks.callsTo('/signed')).toHaveLength(2);
  });

  it('asks the named webhooks of a Rollout, never a manual gate', async () => {
    hooks.answer('/a', 200);
    hooks.answer('/b', 403, 'not yet');
    const withHooks: Rollout = {
      ...rollout,
      spec: { ...rollout.spec, analysis: { webhooks: [hook('/a'), hook('/b'), { name: 'human', type: 'confirm-promotion', manual: true }] } },
    };
    const answers = await new GateAsker(deps).ask(withHooks, ['a', 'b', 'human'], question);
    expect(answers.map((a) => [a.name, a.open, a.message])).toEqual([
      ['a', true, 'answered 200'],
      ['b', false, 'answered 403: not yet'],
    ]);
  });
});
