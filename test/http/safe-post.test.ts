import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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

/** What a receiver does: recompute the HMAC over "<timestamp>.<body>" and refuse stale timestamps. */
function verify(key: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds: number): 'ok' | 'bad signature' | 'stale' {
  const timestamp = String(headers[TIMESTAMP_HEADER.toLowerCase()] ?? '');
  const sent = String(headers[SIGNATURE_HEADER.toLowerCase()] ?? '');
  const expected = `sha256=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
  if (sent.length !== expected.length || !timingSafeEqual(Buffer.from(sent), Buffer.from(expected))) return 'bad signature';
  return Math.abs(nowSeconds - Number(timestamp)) > 300 ? 'stale' : 'ok';
}

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
    const outcome = await postJson(hooks.url('/ok'), { name: 'podinfo', canaryWeight: 20 }, { timeoutMs: 2000 });
    expect(outcome).toEqual({ kind: 'answered', ok: true, status: 200, body: 'approved', truncated: false });
    const call = hooks.callsTo('/ok')[0];
    expect(call?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call?.body ?? '')).toEqual({ name: 'podinfo', canaryWeight: 20 });
  });

  it('reports a non-2xx answer as answered but not ok', async () => {
    hooks.answer('/closed', 403, 'not yet');
    expect(await postJson(hooks.url('/closed'), {}, { timeoutMs: 2000 })).toMatchObject({ kind: 'answered', ok: false, status: 403, body: 'not yet' });
  });

  it('does not follow a redirect, so a signed payload never reaches another host', async () => {
    hooks.on('/moved', (_req, _body, res) => res.writeHead(307, { location: hooks.url('/elsewhere') }).end());
    hooks.answer('/elsewhere', 200);
    const outcome = await postJson(hooks.url('/moved'), { secret: 'payload' }, { timeoutMs: 2000, signingKey: 'k' });
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
    const outcome = await postJson(hooks.url('/huge'), {}, { timeoutMs: 5000 });
    expect(outcome.kind).toBe('answered');
    if (outcome.kind !== 'answered') return;
    expect(outcome.truncated).toBe(true);
    expect(outcome.body.length).toBe(MAX_ANSWER_BYTES);
    expect(describeOutcome(outcome).length).toBeLessThan(EXCERPT_CHARS + 20);
  });

  it('reports a timeout when no answer comes within the deadline', async () => {
    hooks.on('/slow', (_req, _body, res) => setTimeout(() => res.writeHead(200).end(), 3000).unref());
    const outcome = await postJson(hooks.url('/slow'), {}, { timeoutMs: 150 });
    expect(outcome).toEqual({ kind: 'timeout', timeoutMs: 150 });
    expect(describeOutcome(outcome)).toBe('no answer within 150 ms');
  });

  it('reports a timeout when the body stalls after the headers', async () => {
    hooks.on('/stall', (_req, _body, res) => {
      res.writeHead(200);
      res.write('partial');
      setTimeout(() => res.end(), 3000).unref();
    });
    expect(await postJson(hooks.url('/stall'), {}, { timeoutMs: 200 })).toEqual({ kind: 'timeout', timeoutMs: 200 });
  });

  it('reports an unreachable receiver with the cause', async () => {
    const closed = await freePort();
    const outcome = await postJson(`http://127.0.0.1:${closed}/hook`, {}, { timeoutMs: 2000 });
    expect(outcome.kind).toBe('unreachable');
    expect(describeOutcome(outcome)).toMatch(/^unreachable \(.*ECONNREFUSED/);
  });

  it('reports a URL that cannot be fetched as unreachable instead of throwing', async () => {
    const outcome = await postJson('ftp://example.invalid/x', {}, { timeoutMs: 500 });
    expect(outcome.kind).toBe('unreachable');
  });

  it('signs "<timestamp>.<body>" so the receiver can verify it and refuse a replay', async () => {
    hooks.answer('/signed', 200);
    const sentAt = new Date('2026-11-22T10:00:00Z');
    await postJson(hooks.url('/signed'), { name: 'podinfo' }, { timeoutMs: 2000, signingKey: 's3cret', now: () => sentAt });
    const call = hooks.callsTo('/signed')[0];
    if (!call) throw new Error('the receiver got no call');
    const sentSeconds = sentAt.getTime() / 1000;
    expect(call.headers[TIMESTAMP_HEADER.toLowerCase()]).toBe(String(sentSeconds));
    expect(verify('s3cret', call.headers, call.body, sentSeconds + 5)).toBe('ok');
    // The same captured call an hour later is refused, and a changed timestamp breaks the signature.
    expect(verify('s3cret', call.headers, call.body, sentSeconds + 3600)).toBe('stale');
    expect(verify('s3cret', { ...call.headers, [TIMESTAMP_HEADER.toLowerCase()]: String(sentSeconds + 3600) }, call.body, sentSeconds + 3600)).toBe('bad signature');
    expect(verify('other-key', call.headers, call.body, sentSeconds)).toBe('bad signature');
    expect(signature('s3cret', String(sentSeconds), call.body)).toBe(call.headers[SIGNATURE_HEADER.toLowerCase()]);
  });

  it('stops when the caller aborts', async () => {
    hooks.on('/hang', (_req, _body, res) => setTimeout(() => res.writeHead(200).end(), 3000).unref());
    const controller = new AbortController();
    const pending = postJson(hooks.url('/hang'), {}, { timeoutMs: 5000, signal: controller.signal });
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
