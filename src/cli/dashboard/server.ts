import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { KubeClients } from '../../kube/client.js';
import { describeFailure } from '../errors.js';
import { isDashboardAction, runAction } from './actions.js';
import { isLoopback, urlHost, type ListenAddress } from './address.js';
import { loadAssets, type Asset } from './assets.js';
import { detailOf } from './detail.js';
import { rolloutEvents, type EventView } from './events.js';
import type { FeedChange, RolloutFeed } from './feed.js';
import { hostsFor, refusalOf, type GuardSettings } from './guard.js';
import { keyOf, rowOf } from './row.js';
import { EventStreams } from './sse.js';

/** A Kubernetes object name (DNS-1123 subdomain): what a path segment must be before it reaches a request or a field selector. */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const ROLLOUT_PATH = /^\/api\/rollouts\/([^/]+)\/([^/]+)(?:\/([a-z]+))?$/;

/** Served with every answer: no framing (a page of another site cannot trick a click on a button), no guessing of types, no referrer. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface DashboardDeps {
  readonly clients: KubeClients;
  readonly feed: RolloutFeed;
  /** Whether the dashboard shows one namespace or all of them, for the page's heading. */
  readonly scope: string;
}

/**
 * The dashboard's HTTP server (node:http: a handful of routes need no
 * framework): the page and its files, one event stream per tab fed by the
 * feed's single watch, a Rollout's details, and the buttons' commands, each
 * run with the user's own clients.
 */
export async function startDashboardServer(deps: DashboardDeps, address: ListenAddress): Promise<DashboardServer> {
  const token = randomBytes(24).toString('base64url');
  const assets = loadAssets(token);
  const streams = new EventStreams();
  const unlisten = deps.feed.listen((change) => broadcast(streams, change));
  const guard: { settings: GuardSettings } = { settings: { hosts: new Set(), token } };
  const server = createServer((req, res) => {
    handle(req, res, { deps, assets, streams, guard: guard.settings }).catch((err: unknown) => answer(res, 500, { message: describeFailure(err) }));
  });
  const port = await listen(server, address);
  guard.settings = { hosts: hostsFor(address.host, port, { loopback: isLoopback(address.host), names: machineNames }), token };
  return {
    url: `http://${urlHost(address.host, port)}/`,
    close: async () => {
      unlisten();
      streams.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The names a browser may reach this machine by: its host name and every interface address. */
function machineNames(): string[] {
  return [hostname(), ...Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((a) => a.address))];
}

function listen(server: Server, address: ListenAddress): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve((server.address() as AddressInfo).port));
  });
}

function broadcast(streams: EventStreams, change: FeedChange): void {
  switch (change.kind) {
    case 'rollout':
      streams.broadcast('rollout', rowOf(change.rollout));
      return;
    case 'deleted':
      streams.broadcast('deleted', { key: change.key });
      return;
    case 'events':
      streams.broadcast('events', { key: change.key });
      return;
    case 'connection':
      streams.broadcast('connection', change.connection);
      return;
  }
}

interface Context {
  readonly deps: DashboardDeps;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly streams: EventStreams;
  readonly guard: GuardSettings;
}

/** What a request is answered with: JSON, one of the page's files, or the event stream. */
type Reply = { readonly kind: 'json'; readonly status: number; readonly body: unknown } | { readonly kind: 'asset'; readonly asset: Asset; readonly path: string } | { readonly kind: 'stream' };

const json = (status: number, body: unknown): Reply => ({ kind: 'json', status, body });

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const reply = await route(req, ctx);
  switch (reply.kind) {
    case 'json':
      answer(res, reply.status, reply.body);
      return;
    case 'asset':
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': reply.asset.type, 'Cache-Control': reply.path === '/' ? 'no-store' : 'max-age=300' });
      res.end(reply.asset.body);
      return;
    case 'stream':
      openStream(res, ctx);
      return;
  }
}

async function route(req: IncomingMessage, ctx: Context): Promise<Reply> {
  const method = req.method ?? 'GET';
  const refusal = refusalOf(method, req.headers, ctx.guard);
  if (refusal) return json(refusal.status, { message: refusal.message });
  const path = new URL(req.url ?? '/', 'http://dashboard').pathname;
  if (method === 'GET' && path === '/api/stream') return { kind: 'stream' };
  const rollout = ROLLOUT_PATH.exec(path);
  if (rollout) return rolloutRoute(method, rollout.slice(1), ctx);
  const asset = method === 'GET' || method === 'HEAD' ? ctx.assets.get(path) : undefined;
  return asset ? { kind: 'asset', asset, path } : json(404, { message: `no such page: ${method} ${path}` });
}

function openStream(res: ServerResponse, ctx: Context): void {
  const { feed, scope } = ctx.deps;
  ctx.streams.add(res, [
    ['hello', { scope }],
    ['connection', feed.connectionState()],
    ['snapshot', feed.rollouts().map(rowOf)],
  ]);
}

async function rolloutRoute(method: string, [namespace = '', name = '', action]: (string | undefined)[], ctx: Context): Promise<Reply> {
  if (!NAME.test(namespace) || !NAME.test(name)) return json(400, { message: `not a Rollout's namespace and name: ${namespace}/${name}` });
  // Only Rollouts the user's own watch shows: the dashboard acts on nothing it does not list.
  const rollout = ctx.deps.feed.rollout(namespace, name);
  if (!rollout) return json(404, { message: `rollout ${name} not found in namespace ${namespace} (among the Rollouts this dashboard watches: ${ctx.deps.scope})` });
  if (method === 'GET' && action === undefined) {
    const events = await eventsOf(ctx.deps.clients, namespace, name);
    return json(200, detailOf({ rollout, ...events, observed: ctx.deps.feed.observations(keyOf(rollout)) }));
  }
  if (method === 'POST' && action !== undefined && isDashboardAction(action)) {
    const outcome = await runAction(ctx.deps.clients, namespace, name, action);
    return json(outcome.httpStatus, outcome);
  }
  return json(405, { message: `${method} ${action ?? ''}: not something the dashboard does; the buttons are approve, abort, retry, pause and resume` });
}

async function eventsOf(clients: KubeClients, namespace: string, name: string): Promise<{ events: EventView[]; eventsError: string | null }> {
  try {
    return { events: await rolloutEvents(clients, namespace, name), eventsError: null };
  } catch (err) {
    return { events: [], eventsError: `cannot read the Events: ${describeFailure(err)}` };
  }
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
