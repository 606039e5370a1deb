import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DELIVERY_HEADER,
  EXCERPT_CHARS,
  MAX_ANSWER_BYTES,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  describeOutcome,
  excerpt,
  postJson,
  signature,
  type PostOutcome,
} from '../../src/http/safe-post.js';
import { freePort } from '../../devenv/env/ports.js';
import { HookServer } from '../support/hook-server.js';
import { SignedCallReceiver } from './receiver.js';
import { LOOPBACK_ALLOWED } from '../support/outbound.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('postJson against a real HTTP server', () => {
  let hooks: HookServer;
  beforeAll(async () => {
    hooks = await HookServer.start();
  });
  afterAll(async () => {
    await hooks.stop();
  });

  it('POSTs the payload as JSON and reports a 2xx answer with its body', async () => {
    hooks.answer('/ok', 200, 'approved');
    const outcome = await postJson(hooks.url('/ok'), { name: 'podinfo', canaryWeight: 20 }, { policy: LOOPBACK_ALLOWED, timeoutMs: 2000 });
    expect(outcome).toEqual({ kind: 'answered', ok: true, status: 200, body: 'approved', truncated: false });
    const call = hooks.callsTo('/ok')[0];
    expect(call?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call?.body ?? '')).toEqual({ name: 'podinfo', canaryWeight: 20 });
  });

  it('reports a non-2xx answer as answered but not ok', async () => {
    hooks.answer('/closed', 403, 'not yet');
    expect(await postJson(hooks.url('/closed'), {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 2000 })).toMatchObject({ kind: 'answered', ok: false, status: 403, body: 'not yet' });
  });

  it('does not follow a redirect, so a signed payload never reaches another host', async () => {
    hooks.on('/moved', (_req, _body, res) => res.writeHead(307, { location: hooks.url('/elsewhere') }).end());
    hooks.answer('/elsewhere', 200);
    const outcome = await postJson(hooks.url('/moved'), { secret: 'payload' }, { policy: LOOPBACK_ALLOWED, timeoutMs: 2000, signingKey: 'k' });
    expect(outcome).toEqual({ kind: 'redirected', status: 307 });
    expect(hooks.callsTo('/elsewhere')).toHaveLength(0);
    expect(describeOutcome(outcome)).toBe('answered 307 (a redirect, not followed)');
  });

  it('reads at most 64 KiB of an answer and stops reading the rest', async () => {
    // 4 MiB written in chunks: the client must stop after the cap, not buffer it all.
    hooks.on('/huge', (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const write = (): void => {
        while (sent < 64) {
          sent += 1;
          if (!res.write(chunk)) {
            res.once('drain', write);
            return;
          }
        }
        res.end();
      };
      res.on('error', () => undefined);
      write();
    });
    const outcome = await postJson(hooks.url('/huge'), {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 5000 });
    expect(outcome.kind).toBe('answered');
    if (outcome.kind !== 'answered') return;
    expect(outcome.truncated).toBe(true);
    expect(outcome.body.length).toBe(MAX_ANSWER_BYTES);
    expect(describeOutcome(outcome).length).toBeLessThan(EXCERPT_CHARS + 20);
  });

  it('reports a timeout when no answer comes within the deadline', async () => {
    hooks.on('/slow', (_req, _body, res) => setTimeout(() => res.writeHead(200).end(), 3000).unref());
    const outcome = await postJson(hooks.url('/slow'), {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 150 });
    expect(outcome).toEqual({ kind: 'timeout', timeoutMs: 150 });
    expect(describeOutcome(outcome)).toBe('no answer within 150 ms');
  });

  it('reports a timeout when the body stalls after the headers', async () => {
    hooks.on('/stall', (_req, _body, res) => {
      res.writeHead(200);
      res.write('partial');
      setTimeout(() => res.end(), 3000).unref();
    });
    expect(await postJson(hooks.url('/stall'), {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 200 })).toEqual({ kind: 'timeout', timeoutMs: 200 });
  });

  it('reports an unreachable receiver with the cause', async () => {
    const closed = await freePort();
    const outcome = await postJson(`http://127.0.0.1:${closed}/hook`, {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 2000 });
    expect(outcome.kind).toBe('unreachable');
    expect(describeOutcome(outcome)).toMatch(/^unreachable \(.*ECONNREFUSED/);
  });

  it('reports a URL that cannot be fetched as unreachable instead of throwing', async () => {
    const outcome = await postJson('ftp://example.invalid/x', {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 500 });
    expect(outcome.kind).toBe('unreachable');
  });

  it('signs "<timestamp>.<delivery>.<body>" so the receiver can verify it and refuse a late or repeated replay', async () => {
    hooks.answer('/signed', 200);
    const sentAt = new Date('2026-11-22T10:00:00Z');
    await postJson(hooks.url('/signed'), { name: 'podinfo' }, { policy: LOOPBACK_ALLOWED, timeoutMs: 2000, signingKey: 's3cret', now: () => sentAt });
    const call = hooks.callsTo('/signed')[0];
    if (!call) throw new Error('the receiver got no call');
    const sentSeconds = sentAt.getTime() / 1000;
    const delivery = String(call.headers[DELIVERY_HEADER.toLowerCase()]);
    expect(call.headers[TIMESTAMP_HEADER.toLowerCase()]).toBe(String(sentSeconds));
    expect(delivery).toMatch(UUID);
    expect(signature('s3cret', { timestamp: String(sentSeconds), delivery, body: call.body })).toBe(call.headers[SIGNATURE_HEADER.toLowerCase()]);

    const receiver = new SignedCallReceiver('s3cret');
    expect(receiver.verify(call.headers, call.body, sentSeconds + 5)).toBe('ok');
    // The same call again at once is refused by its delivery id, and an hour later by its timestamp.
    expect(receiver.verify(call.headers, call.body, sentSeconds + 6)).toBe('replayed');
    expect(new SignedCallReceiver('s3cret').verify(call.headers, call.body, sentSeconds + 3600)).toBe('stale');
    // Neither header can be swapped to get past those checks, nor the body changed.
    const fresh = new SignedCallReceiver('s3cret');
    expect(fresh.verify({ ...call.headers, [TIMESTAMP_HEADER.toLowerCase()]: String(sentSeconds + 3600) }, call.body, sentSeconds + 3600)).toBe('bad signature');
    expect(fresh.verify({ ...call.headers, [DELIVERY_HEADER.toLowerCase()]: '00000000-0000-4000-8000-000000000000' }, call.body, sentSeconds)).toBe('bad signature');
    expect(fresh.verify({ ...call.headers, [DELIVERY_HEADER.toLowerCase()]: undefined }, call.body, sentSeconds)).toBe('bad signature');
    expect(fresh.verify(call.headers, call.body.replace('podinfo', 'other'), sentSeconds)).toBe('bad signature');
    expect(new SignedCallReceiver('other-key').verify(call.headers, call.body, sentSeconds)).toBe('bad signature');
  });

  it('gives every signed call its own delivery id, a retry of the same payload too', async () => {
    hooks.answer('/ids', 500);
    const options = { policy: LOOPBACK_ALLOWED, timeoutMs: 2000, signingKey: 's3cret', now: () => new Date('2026-11-22T10:00:00Z') };
    for (let attempt = 0; attempt < 3; attempt++) await postJson(hooks.url('/ids'), { name: 'podinfo' }, options);
    const ids = hooks.callsTo('/ids').map((c) => c.headers[DELIVERY_HEADER.toLowerCase()]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    // Same body and second, different ids: each call has its own signature.
    expect(new Set(hooks.callsTo('/ids').map((c) => c.headers[SIGNATURE_HEADER.toLowerCase()])).size).toBe(3);
  });

  it('sends no signing headers without a key', async () => {
    hooks.answer('/plain', 200);
    await postJson(hooks.url('/plain'), {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 2000 });
    const headers = hooks.callsTo('/plain')[0]?.headers ?? {};
    expect([SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER].map((h) => headers[h.toLowerCase()])).toEqual([undefined, undefined, undefined]);
  });

  it('never quotes the URL, nor its credentials, in why a call was refused', async () => {
    const withCredentials = await postJson('http://gate:hunter2@127.0.0.1:9/approve?token=t0ken', {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 500 });
    expect(withCredentials.kind).toBe('unreachable');
    expect(describeOutcome(withCredentials)).toContain('credentials');
    const unparsable = await postJson('http://ga te:hunter2@host/approve?token=t0ken', {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 500 });
    expect(unparsable.kind).toBe('unreachable');
    for (const shown of [describeOutcome(withCredentials), describeOutcome(unparsable)]) {
      expect(shown).not.toMatch(/hunter2|t0ken|approve/);
    }
  });

  it('stops when the caller aborts', async () => {
    hooks.on('/hang', (_req, _body, res) => setTimeout(() => res.writeHead(200).end(), 3000).unref());
    const controller = new AbortController();
    const pending = postJson(hooks.url('/hang'), {}, { policy: LOOPBACK_ALLOWED, timeoutMs: 5000, signal: controller.signal });
    controller.abort();
    const outcome: PostOutcome = await pending;
    expect(outcome.kind).toBe('unreachable');
  });
});

describe('excerpt', () => {
  it('keeps a short answer on one line', () => {
    expect(excerpt('  not\n approved  ')).toBe('not approved');
  });

  it('cuts a long answer and marks the cut', () => {
    const text = excerpt('a'.repeat(1000));
    expect(text).toHaveLength(EXCERPT_CHARS + 1);
    expect(text.endsWith('…')).toBe(true);
  });
});
