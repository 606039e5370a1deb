import { describe, expect, it } from 'vitest';
import { isLoopback, listenAddress } from '../../../src/cli/dashboard/address.js';
import { TOKEN_HEADER, hostsFor, refusalOf } from '../../../src/cli/dashboard/guard.js';

const settings = { hosts: hostsFor('127.0.0.1', 3100, { loopback: true, names: () => [] }), token: 'run-token' };
const own = { host: '127.0.0.1:3100', origin: 'http://127.0.0.1:3100', [TOKEN_HEADER]: 'run-token' };

describe("the dashboard's address", () => {
  it('listens on 127.0.0.1:3100 by default', () => {
    expect(listenAddress({})).toEqual({ host: '127.0.0.1', port: 3100 });
  });

  it('refuses a non-loopback --address unless --allow-remote, naming the flag and the way out', () => {
    expect(() => listenAddress({ address: '0.0.0.0' })).toThrow(/--address 0\.0\.0\.0 is not a loopback address: .* add --allow-remote/);
    expect(listenAddress({ address: '0.0.0.0', allowRemote: true })).toEqual({ host: '0.0.0.0', port: 3100 });
    expect(() => listenAddress({ address: 'dashboard.example' })).toThrow(/--address dashboard\.example: not an IP address/);
  });

  it('refuses a --port that is not a port', () => {
    expect(() => listenAddress({ port: '70000' })).toThrow(/--port 70000: not a port/);
    expect(() => listenAddress({ port: 'http' })).toThrow(/--port http: not a port/);
    expect(listenAddress({ port: '0' }).port).toBe(0);
  });

  it('takes 127.0.0.0/8, ::1 and localhost for loopback, nothing else', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([false, false, false, false]);
  });
});

describe("the dashboard's request checks", () => {
  it('answers its own page: any read, and a POST from its origin with the token', () => {
    expect(refusalOf('GET', { host: 'localhost:3100' }, settings)).toBeUndefined();
    expect(refusalOf('POST', own, settings)).toBeUndefined();
  });

  it("answers on an unspecified address (--allow-remote) by the machine's names and addresses, and no other", () => {
    const hosts = hostsFor('0.0.0.0', 3100, { loopback: false, names: () => ['build-7', '10.1.2.3', 'fe80::1'] });
    expect([...hosts].sort()).toEqual(['0.0.0.0:3100', '10.1.2.3:3100', '127.0.0.1:3100', '[::1]:3100', '[fe80::1]:3100', 'build-7:3100', 'localhost:3100']);
    expect([...hostsFor('10.1.2.3', 3100, { loopback: false, names: () => ['build-7'] })]).toEqual(['10.1.2.3:3100']);
  });

  it('refuses a host name rebound to loopback, even for reads', () => {
    expect(refusalOf('GET', { host: 'attacker.example:3100' }, settings)).toMatchObject({ status: 421 });
  });

  it('refuses a POST from another origin, or without the token, or with another one', () => {
    expect(refusalOf('POST', { ...own, origin: 'http://127.0.0.1:8080' }, settings)).toMatchObject({ status: 403, message: expect.stringContaining('cross-origin') as string });
    expect(refusalOf('POST', { host: own.host, origin: own.origin }, settings)).toMatchObject({ status: 403, message: expect.stringContaining(TOKEN_HEADER) as string });
    expect(refusalOf('POST', { ...own, [TOKEN_HEADER]: 'guessed' }, settings)).toMatchObject({ status: 403 });
  });
});
