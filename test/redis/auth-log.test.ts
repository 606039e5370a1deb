import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logRedaction } from '../../src/log-redaction.js';
import { connectRedis } from '../../src/redis/client.js';
import { env } from '../support/env/context.js';
import { RedisNodes, command, type RedisNode } from './servers.js';

/** A logger built as main.ts builds the root one (or bare), writing into a buffer. */
function bufferedLogger(redacted: boolean): { log: pino.Logger; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ base: { component: 'flowshift' }, ...(redacted ? logRedaction() : {}) }, stream), text: () => chunks.join('') };
}

/** The error ioredis emits when AUTH is refused: a ReplyError carrying the command it failed, password included. */
async function refusedAuth(port: number, password: string): Promise<Error> {
  const client = connectRedis({ kind: 'standalone', url: `redis://127.0.0.1:${port}`, username: undefined, password }, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    const refused = new Promise<Error>((resolve) => client.once('error', resolve));
    client.connect().catch(() => undefined);
    return await refused;
  } finally {
    client.disconnect();
  }
}

describe('a refused Redis AUTH, logged', () => {
  const nodes = new RedisNodes(join(env().dir, `redis-auth-${randomBytes(3).toString('hex')}`));
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let redis: RedisNode;
  let err: Error;

  beforeAll(async () => {
    // Started open (RedisNodes waits for a PING), then closed as --requirepass would.
    redis = await nodes.server('redis-auth');
    await command(redis.port, 'CONFIG', 'SET', 'requirepass', 'the-real-one');
    err = await refusedAuth(redis.port, password);
  });
  afterAll(async () => {
    await nodes.stop();
  });

  it('carries the password in the error pino would print by default (what the root logger must hide)', () => {
    expect(err.message).toMatch(/WRONGPASS|invalid password/i);
    const bare = bufferedLogger(false);
    bare.log.warn({ err }, 'redis connection error');
    expect(bare.text()).toContain(password);
  });

  it('prints no password through the root logger, its children, or an error under another name', () => {
    const { log, text } = bufferedLogger(true);
    log.warn({ err }, 'redis connection error');
    log.child({ rollout: 'apps/podinfo' }).warn({ err }, 'tick failed');
    log.warn(err);
    log.warn({ error: err, wrapped: new Error('queue failed', { cause: err }) }, 'notification worker error');
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(text()).not.toContain(password);
    // What is left still says what failed.
    const first = JSON.parse(lines[0] ?? '{}') as { err?: { message?: string; command?: unknown } };
    expect(first.err?.message).toMatch(/WRONGPASS|invalid password/i);
    expect(first.err?.command).toEqual({ name: 'auth' });
  });
});
