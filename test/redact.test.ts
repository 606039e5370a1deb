import { describe, expect, it } from 'vitest';
import { validateRollout } from '../src/api/validate.js';
import { loggableError } from '../src/log-redaction.js';
import { redactUrl, redactUrlsIn } from '../src/redact.js';
import { edited } from './api/edit.js';
import { validRollout } from './api/rollouts.js';
import { describeRedis } from '../src/redis/settings.js';

describe('redactUrl', () => {
  it.each([
    ['redis://:secret@redis:6379/0', 'redis://***@redis:6379/0'],
    ['https://user:pass@prometheus.example.com/api', 'https://***@prometheus.example.com/api'],
    ['http://token@prom:9090', 'http://***@prom:9090'],
    ['http://prom:9090', 'http://prom:9090'],
    ['http://prom:9090/select/0/prometheus', 'http://prom:9090/select/0/prometheus'],
    ['https://u:p@mimir.example/prometheus?X-Scope-OrgID=team&api_key=k3y', 'https://***@mimir.example/prometheus?X-Scope-OrgID=***&api_key=***'],
    ['https://gate.example/approve?s3cret#token=abc', 'https://gate.example/approve?***#***'],
    ['not a url', 'not a url'],
  ])('%s is shown as %s', (raw, shown) => {
    expect(redactUrl(raw)).toBe(shown);
  });

  it('hides credentials of a URL that does not parse', () => {
    expect(redactUrl('redis://u:p@ss@host:notaport')).not.toContain('p@ss');
  });
});

describe('redactUrlsIn', () => {
  it('removes the credentials of every URL in a message and keeps the rest', () => {
    const text = 'connect ECONNREFUSED for redis://admin:s3cret@10.0.0.1:6379 and http://x:y@prom/api, not me@example.com';
    expect(redactUrlsIn(text)).toBe('connect ECONNREFUSED for redis://***@10.0.0.1:6379 and http://***@prom/api, not me@example.com');
  });

  it('keeps the punctuation after a URL and the escapes of a JSON line', () => {
    expect(redactUrlsIn('Prometheus at http://u:pw@prom:9090 does not answer (http://prom/x?token=t).')).toBe(
      'Prometheus at http://***@prom:9090 does not answer (http://prom/x?token=***).',
    );
    const line = JSON.stringify({ msg: 'called "http://u:pw@gate/x?token=t"' });
    expect(JSON.parse(redactUrlsIn(line))).toEqual({ msg: 'called "http://***@gate/x?token=***"' });
  });
});

describe('loggableError', () => {
  it('keeps the name of a failed Redis command but never its arguments', () => {
    const err = Object.assign(new Error('WRONGPASS invalid username-password pair'), { command: { name: 'auth', args: ['admin', 'hunter2'] } });
    const logged = loggableError(err);
    expect(logged).toMatchObject({ message: 'WRONGPASS invalid username-password pair', command: { name: 'auth' } });
    expect(JSON.stringify(logged)).not.toContain('hunter2');
  });

  it('scrubs nested errors and the URLs of every message', () => {
    const node = Object.assign(new Error('NOAUTH'), { command: { name: 'auth', args: ['hunter2'] } });
    const err = Object.assign(new Error('all nodes failed at redis://:hunter2@r:6379', { cause: node }), { lastNodeError: node, errors: [node] });
    expect(JSON.stringify(loggableError(err))).not.toContain('hunter2');
  });
});

describe('describeRedis', () => {
  it('names where Redis is without its password', () => {
    expect(describeRedis({ kind: 'standalone', url: 'rediss://:pw@r:6380', username: undefined, password: undefined })).toBe('rediss://***@r:6380');
    expect(describeRedis({ kind: 'sentinel', sentinels: [{ host: 's', port: 26379 }], masterName: 'm', db: 0, username: undefined, password: 'pw', sentinelPassword: 'x' })).toBe(
      'master "m" via Sentinels s:26379',
    );
  });
});

describe('validation messages (status, Events)', () => {
  it('name a refused webhook URL without its credentials', () => {
    const problems = validateRollout(edited(validRollout(), { 'spec.analysis.webhooks[0].url': 'ftp://gate:hunter2@gate.example/approve' }));
    expect(problems).toMatchObject([{ code: 'webhook-url' }]);
    expect(problems[0]?.message).toContain('"ftp://***@gate.example/approve"');
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});
