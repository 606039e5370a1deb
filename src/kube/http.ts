import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createInterface } from 'node:readline';
import { nodeHttp } from '../http/node-http.js';

/** How to reach and authenticate to one API server. */
export interface KubeEndpoint {
  readonly server: string;
  /**
   * Headers (Authorization) and TLS settings for the next request. Called per
   * request, so a rotated token file or an exec plugin's fresh token is used.
   * The TLS settings are compared by identity: return the same object while
   * they do not change, so connections are kept.
   */
  credentials(): Promise<Credentials>;
}

export interface Credentials {
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: TlsSettings;
}

export interface TlsSettings {
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

/** An answer of the API server other than 2xx: `code` is its HTTP status, `body` its (parsed) Status object. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${code}${messageOf(body) ? `: ${messageOf(body)}` : ''}`);
    this.name = 'KubeApiError';
  }
}

export interface RequestParams {
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
}

export type WatchEvent = (type: string, object: Record<string, unknown>) => void;

/** Called once per API request, with its HTTP method (WATCH for a watch opened). */
export type RequestObserver = (method: string) => void;

/** A request that has no answer after this long has lost its connection or its server. */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Requests share at most this many connections (HTTP/1.1: one request at a
 * time on each); more wait for a free one. A busy API server answers a burst
 * no sooner over more connections, and each kept TLS connection costs memory
 * on both sides: uncapped, a burst of ticks at 500 Rollouts left 168 open.
 */
const REQUEST_SOCKETS = 32;
/** Connections kept open between bursts; the rest are closed. */
const IDLE_SOCKETS = 8;

/**
 * A small JSON client of the Kubernetes REST API: what the controller needs
 * (get, list, create, replace, merge-patch, watch) over one keep-alive
 * connection pool. Objects are plain JSON, as the API server sends them; no
 * model classes are built or walked on the hot path.
 */
export class KubeHttp {
  /** Requests and watches have agents of their own: a watch holds its connection for minutes, and must never wait behind the requests' cap. */
  private pool: { readonly tls: TlsSettings; readonly requests: HttpAgent; readonly watches: HttpAgent } | undefined;
  private readonly base: URL;
  /** Every URL is built on `base`, so one protocol for all requests. */
  private readonly https: boolean;

  constructor(
    readonly endpoint: KubeEndpoint,
    private readonly onRequest: RequestObserver = () => undefined,
  ) {
    this.base = new URL(endpoint.server);
    this.https = this.base.protocol === 'https:';
  }

  async request<T>(method: string, path: string, params: RequestParams = {}): Promise<T> {
    const body = params.body === undefined ? undefined : JSON.stringify(params.body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = params.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const res = await this.send(method, method, this.url(path, params.query), headers, body, REQUEST_TIMEOUT_MS);
    const text = await readText(res);
    const parsed = parseJson(text);
    if ((res.statusCode ?? 0) >= 300) throw new KubeApiError(res.statusCode ?? 0, parsed ?? text, `${method} ${path}`);
    return parsed as T;
  }

  /**
   * Opens a watch and calls `onEvent` per event until the stream ends, then
   * `onDone` once (with the error, if any). Resolves once the server answered
   * 200; rejects with a KubeApiError otherwise. There is no idle timeout on
   * our side: pass `timeoutSeconds` for the server to end the watch.
   */
  async watch(path: string, query: RequestParams['query'], onEvent: WatchEvent, onDone: (err?: Error) => void): Promise<{ abort: () => void }> {
    const res = await this.send('GET', 'WATCH', this.url(path, { ...query, watch: true }), { Accept: 'application/json' }, undefined, undefined);
    if ((res.statusCode ?? 0) !== 200) {
      const text = await readText(res);
      throw new KubeApiError(res.statusCode ?? 0, parseJson(text) ?? text, `watch ${path}`);
    }
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      onDone(err);
    };
    res.on('error', finish);
    res.on('close', () => finish());
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (done || !line) return;
      const event = parseJson(line) as { type?: string; object?: Record<string, unknown> } | undefined;
      if (event?.type && event.object) onEvent(event.type, event.object);
    });
    return {
      abort: () => {
        finish();
        res.destroy();
      },
    };
  }

  private url(path: string, query: RequestParams['query']): URL {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  private async send(
    method: string,
    observed: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    timeoutMs: number | undefined,
  ): Promise<IncomingMessage> {
    const credentials = await this.endpoint.credentials();
    this.onRequest(observed);
    const pool = this.agents(credentials.tls);
    const options: RequestOptions = { method, headers: { ...headers, ...credentials.headers }, agent: observed === 'WATCH' ? pool.watches : pool.requests };
    return new Promise((resolve, reject) => {
      const req = (this.https ? httpsRequest : nodeHttp.request)(url, options, resolve);
      req.on('error', (err) => reject(new Error(`${method} ${url.pathname}: ${err.message}`, { cause: err })));
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
      }
      req.end(body);
    });
  }

  /** One pool of connections; a new one only when the TLS settings change (a rotated client certificate). */
  private agents(tls: TlsSettings): { readonly requests: HttpAgent; readonly watches: HttpAgent } {
    if (this.pool?.tls !== tls) {
      this.pool?.requests.destroy();
      this.pool?.watches.destroy();
      const agent = (options: { maxSockets?: number; maxFreeSockets: number }): HttpAgent =>
        this.https ? new HttpsAgent({ keepAlive: true, ...options, ...tls }) : new nodeHttp.Agent({ keepAlive: true, ...options });
      this.pool = { tls, requests: agent({ maxSockets: REQUEST_SOCKETS, maxFreeSockets: IDLE_SOCKETS }), watches: agent({ maxFreeSockets: 2 }) };
    }
    return this.pool;
  }
}

function readText(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 300) || undefined;
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}
