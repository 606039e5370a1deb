import type { IncomingHttpHeaders, IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusOptionsFor } from '../../../../src/metrics/providers/prometheus/options.js';
import { PrometheusProvider, type PrometheusProviderOptions } from '../../../../src/metrics/providers/prometheus/provider.js';
import { metricTemplate } from '../../../analysis/fixtures.js';
import { makeCertificates, type TestCertificates } from './certificates.js';

const oneSeries = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, '1'] }] } });

/** What a local stand-in for Prometheus saw: each request's headers and, over TLS, the client certificate's CN. */
interface Seen {
  readonly headers: IncomingHttpHeaders[];
  readonly clientNames: string[];
  connections: number;
}

const servers: (HttpServer | HttpsServer)[] = [];

afterAll(async () => {
  await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

function answer(seen: Seen): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    seen.headers.push(req.headers);
    // An empty object when no client certificate was presented.
    const peer: Partial<PeerCertificate> | undefined = (req.socket as Partial<TLSSocket>).getPeerCertificate?.();
    if (peer && typeof peer.subject?.CN === 'string') seen.clientNames.push(peer.subject.CN);
    res.writeHead(200, { 'content-type': 'application/json' }).end(oneSeries);
  };
}

async function listen(server: HttpServer | HttpsServer, scheme: 'http' | 'https'): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function httpServer(): Promise<{ address: string; seen: Seen }> {
  const seen: Seen = { headers: [], clientNames: [], connections: 0 };
  const address = await listen(createHttpServer(answer(seen)), 'http');
  return { address, seen };
}

async function httpsServer(options: ServerOptions): Promise<{ address: string; seen: Seen }> {
  const seen: Seen = { headers: [], clientNames: [], connections: 0 };
  const server = createHttpsServer(options, answer(seen));
  server.on('secureConnection', () => {
    seen.connections += 1;
  });
  return { address: await listen(server, 'https'), seen };
}

const query = (options: PrometheusProviderOptions): ReturnType<PrometheusProvider['instantQuery']> => new PrometheusProvider(options).instantQuery('vector(1)');

describe('PrometheusProvider: what a query sends', () => {
  it('sends a bearer token and the template\'s headers', async () => {
    const { address, seen } = await httpServer();
    const outcome = await query({ address, headers: { 'X-Scope-OrgID': 'tenant-a' }, auth: { kind: 'bearer', token: 's3cret' } });
    expect(outcome).toEqual({ kind: 'value', value: 1 });
    expect(seen.headers[0]).toMatchObject({ authorization: 'Bearer s3cret', 'x-scope-orgid': 'tenant-a' });
  });

  it('sends basic credentials', async () => {
    const { address, seen } = await httpServer();
    expect(await query({ address, auth: { kind: 'basic', username: 'flowshift', password: 'p:ss word' } })).toEqual({ kind: 'value', value: 1 });
    expect(seen.headers[0]?.authorization).toBe(`Basic ${Buffer.from('flowshift:p:ss word').toString('base64')}`);
  });

  it('sends the secretRef\'s credentials rather than the user:password of the address, and those only without a secretRef', async () => {
    const { address, seen } = await httpServer();
    const withUser = address.replace('http://', 'http://admin:hunter2@');
    await query({ address: withUser, auth: { kind: 'bearer', token: 's3cret' } });
    await query({ address: withUser });
    expect(seen.headers.map((h) => h.authorization)).toEqual(['Bearer s3cret', `Basic ${Buffer.from('admin:hunter2').toString('base64')}`]);
  });
});

describe('PrometheusProvider over TLS', () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeCertificates();
  });

  it('trusts a server signed by the ca.crt it is given', async () => {
    const { address } = await httpsServer({ cert: certs.server.cert, key: certs.server.key });
    expect(await query({ address, tls: { ca: certs.ca.cert } })).toEqual({ kind: 'value', value: 1 });
  });

  it('refuses a server no CA it trusts vouches for, as unreachable, naming TLS and the way out', async () => {
    const { address, seen } = await httpsServer({ cert: certs.server.cert, key: certs.server.key });
    for (const tls of [undefined, { ca: certs.stranger.cert }]) {
      const outcome = await query({ address, ...(tls ? { tls } : {}) });
      expect(outcome.kind).toBe('unreachable');
      expect(outcome.kind === 'unreachable' && outcome.message).toMatch(new RegExp(`^${address} unreachable: TLS: .*certificate is not trusted .*ca\\.crt`));
    }
    expect(seen.headers).toEqual([]);
  });

  it('presents its client certificate to a server that asks for one, and is refused without it', async () => {
    const { address, seen } = await httpsServer({ cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: true });
    const outcome = await query({ address, tls: { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key } });
    expect(outcome).toEqual({ kind: 'value', value: 1 });
    expect(seen.clientNames).toEqual(['flowshift']);

    const refused = await query({ address, tls: { ca: certs.ca.cert } });
    expect(refused.kind).toBe('unreachable');
    expect(refused).toEqual({
      kind: 'unreachable',
      message: `${address} unreachable: TLS: ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: it asks for a client certificate (tls.crt and tls.key in the secretRef Secret)`,
    });
  });

  it('skips verification only for a MetricTemplate that sets insecureSkipVerify: true', async () => {
    const { address } = await httpsServer({ cert: certs.strangerServer.cert, key: certs.strangerServer.key });
    const outcomeFor = async (insecureSkipVerify: boolean | undefined): Promise<string> => {
      const template = metricTemplate('mon', 't', 'vector(1)', { address, ...(insecureSkipVerify === undefined ? {} : { insecureSkipVerify }) });
      const options = prometheusOptionsFor(template, undefined, {});
      if (!options.ok) throw new Error(options.message);
      return (await query(options.options)).kind;
    };
    expect(await outcomeFor(undefined)).toBe('unreachable');
    expect(await outcomeFor(false)).toBe('unreachable');
    expect(await outcomeFor(true)).toBe('value');
  });

  it('keeps one pool of connections per TLS setting, shared by the providers that have it', async () => {
    const { address, seen } = await httpsServer({ cert: certs.server.cert, key: certs.server.key });
    for (let i = 0; i < 3; i++) expect(await query({ address, tls: { ca: certs.ca.cert } })).toEqual({ kind: 'value', value: 1 });
    expect(seen.connections).toBe(1);
    expect(await query({ address, tls: { ca: certs.ca.cert, insecureSkipVerify: true } })).toEqual({ kind: 'value', value: 1 });
    expect(seen.connections).toBe(2);
  });
});
