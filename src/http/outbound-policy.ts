import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { Agent as HttpAgent, type AgentOptions as HttpAgentOptions, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/**
 * Where the controller may connect on a Rollout author's behalf (webhooks,
 * alert destinations, a MetricTemplate's Prometheus). A spec is written by a
 * tenant, the calls are made from the controller's network position: without
 * a policy one Rollout could make the controller call a cloud metadata
 * endpoint or any internal address and read the answer back from its status.
 *
 * The check runs where the socket is opened, on the address actually dialled:
 * a literal address as written, a name on every address DNS gave for it (all
 * must pass), so a name pointing at a denied address (or re-pointed after a
 * first check) cannot go around it. Redirects are never followed by the
 * webhook client; a Prometheus client's redirect opens a new socket, checked
 * the same way.
 *
 * In order, first match wins:
 *   1. a host in --outbound-deny-hosts is refused;
 *   2. a host in --outbound-allow-hosts is allowed, whatever it resolves to;
 *   3. an address in --outbound-deny-cidrs is refused;
 *   4. an address in --outbound-allow-cidrs is allowed;
 *   5. an address in the built-in denied ranges (DEFAULT_DENIED) is refused;
 *   6. anything else is allowed.
 * An allow-list is a deny of 0.0.0.0/0 and ::/0 plus --outbound-allow-hosts.
 */
export interface OutboundRules {
  readonly denyCidrs: readonly string[];
  readonly allowCidrs: readonly string[];
  readonly denyHosts: readonly string[];
  readonly allowHosts: readonly string[];
}

/**
 * Denied unless --outbound-allow-cidrs lets them through: loopback (the
 * controller's own ports, sidecars), link-local (169.254.169.254 is the
 * metadata endpoint of AWS, GCP, Azure and OpenStack), "this network", and
 * the metadata addresses outside those ranges (Alibaba's 100.100.100.200,
 * AWS's IPv6 fd00:ec2::254).
 */
export const DEFAULT_DENIED: readonly string[] = ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128', '169.254.0.0/16', 'fe80::/10', '100.100.100.200/32', 'fd00:ec2::254/128'];

/** Host names refused by default: they answer like the metadata address without being one to DNS outside the cloud. */
export const DEFAULT_DENIED_HOSTS: readonly string[] = ['metadata.google.internal'];

/** The code of OutboundRefused, for clients that pass on only an error's code and message. */
export const OUTBOUND_REFUSED = 'EOUTBOUNDREFUSED';

/** The error a refused connection fails with; postJson and the Prometheus provider turn it into a closed gate or a failed check. */
export class OutboundRefused extends Error {
  readonly code = OUTBOUND_REFUSED;
}

/** The first OutboundRefused in an error's cause chain (fetch and axios wrap the socket's error). */
export function refusalIn(err: unknown): OutboundRefused | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof OutboundRefused) return e;
  }
  return undefined;
}

export class OutboundPolicy {
  private readonly denied = new BlockList();
  private readonly allowed = new BlockList();
  private readonly builtIn = new BlockList();
  private dispatcherOf: Dispatcher | undefined;

  /** Throws naming the entry and the flag when an entry is not a CIDR or host name. */
  constructor(readonly rules: OutboundRules) {
    addRanges(this.denied, rules.denyCidrs, '--outbound-deny-cidrs');
    addRanges(this.allowed, rules.allowCidrs, '--outbound-allow-cidrs');
    addRanges(this.builtIn, DEFAULT_DENIED, 'DEFAULT_DENIED');
    for (const [hosts, flag] of [[rules.denyHosts, '--outbound-deny-hosts'], [rules.allowHosts, '--outbound-allow-hosts']] as const) {
      for (const host of hosts) if (!HOST_PATTERN.test(host)) throw new Error(`${flag}: "${host}" is not a host name or *.domain pattern`);
    }
  }

  /** As plain data (options holding a policy are compared as JSON). */
  toJSON(): OutboundRules {
    return this.rules;
  }

  /**
   * Why connecting to `address` (a literal IP) for host name `host` is
   * refused, naming the rule; undefined when it is allowed. `host` is the
   * name as written in the URL (the address itself for a literal).
   */
  refusal(host: string, address: string): string | undefined {
    const name = host.toLowerCase().replace(/\.$/, '');
    if ([...DEFAULT_DENIED_HOSTS, ...this.rules.denyHosts].some((p) => hostMatches(p, name))) {
      return `refused by the outbound policy: host ${name} is denied (${this.rules.denyHosts.some((p) => hostMatches(p, name)) ? '--outbound-deny-hosts' : 'a cloud metadata name, denied by default'})`;
    }
    if (this.rules.allowHosts.some((p) => hostMatches(p, name))) return undefined;
    const ip = unmapped(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    const shown = name === ip ? ip : `${name} (${ip})`;
    if (this.denied.check(ip, family)) return `refused by the outbound policy: ${shown} is in --outbound-deny-cidrs`;
    if (this.allowed.check(ip, family)) return undefined;
    if (this.builtIn.check(ip, family)) {
      return `refused by the outbound policy: ${shown} is loopback, link-local or a cloud metadata address, denied by default (a platform admin may allow it with --outbound-allow-cidrs)`;
    }
    return undefined;
  }

  /** dns.lookup, failing with OutboundRefused when any address of the name is refused. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const refused = addresses.map((a) => this.refusal(hostname, a.address)).find((r) => r !== undefined);
      if (refused) {
        callback(new OutboundRefused(refused), '', 0);
        return;
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]?.address ?? '', addresses[0]?.family ?? 4);
    });
  };

  /** The refusal for a URL's host when it is a literal address (names are checked as they resolve). */
  literalRefusal(hostname: string): string | undefined {
    const host = hostname.replace(/^\[|\]$/g, '');
    return isIP(host) ? this.refusal(host, host) : undefined;
  }

  /** An undici dispatcher whose every connection passes the policy, for fetch. */
  dispatcher(): Dispatcher {
    this.dispatcherOf ??= new Agent({ connect: this.connector() });
    return this.dispatcherOf;
  }

  /** node:http and node:https agents whose every connection passes the policy (axios, for Prometheus). */
  httpAgent(options: HttpAgentOptions): HttpAgent {
    return checked(this, new HttpAgent({ ...options, lookup: this.lookup }));
  }

  httpsAgent(options: HttpsAgentOptions): HttpsAgent {
    return checked(this, new HttpsAgent({ ...options, lookup: this.lookup }));
  }

  private connector(): buildConnector.connector {
    const connect = buildConnector({ lookup: this.lookup });
    return (options, callback) => {
      const refused = this.literalRefusal(options.hostname);
      if (refused) {
        callback(new OutboundRefused(refused), null);
        return;
      }
      connect(options, callback);
    };
  }
}

/*
 * node:http agents take a `lookup` for names, but dial a literal address
 * without one: createConnection (the agents' documented extension point) is
 * wrapped to check the literal first. undici's connector above does the same
 * for fetch.
 */
function checked<A extends HttpAgent>(policy: OutboundPolicy, agent: A): A {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => (refusedLiteral(policy, options, callback) ? undefined : create(options, callback));
  return agent;
}

type ConnectionCallback = (err: Error | null, stream: Duplex) => void;

function refusedLiteral(policy: OutboundPolicy, options: ClientRequestArgs, callback?: ConnectionCallback): boolean {
  const refused = policy.literalRefusal(options.host ?? options.hostname ?? '');
  if (!refused) return false;
  const err = new OutboundRefused(refused);
  if (!callback) throw err;
  callback(err, undefined as unknown as Duplex);
  return true;
}

/** A host name, or *.domain for every name under it. */
const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function hostMatches(pattern: string, host: string): boolean {
  return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
}

/**
 * ::ffff:169.254.169.254 (or ::ffff:a9fe:a9fe) is 169.254.169.254: checked
 * as IPv4, so a mapped form cannot slip past an IPv4 range.
 */
function unmapped(address: string): string {
  if (isIP(address) !== 6) return address;
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!hex) return address;
  const [high, low] = [parseInt(hex[1] ?? '0', 16), parseInt(hex[2] ?? '0', 16)];
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function addRanges(list: BlockList, cidrs: readonly string[], flag: string): void {
  for (const cidr of cidrs) {
    const [address = '', bits, extra] = cidr.split('/');
    const family = isIP(address);
    const prefix = Number(bits);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || bits === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
      throw new Error(`${flag}: "${cidr}" is not a CIDR range (e.g. 10.0.0.0/8, fd00::/8)`);
    }
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
}
