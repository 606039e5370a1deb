import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { OutboundPolicy } from '../../../http/outbound-policy.js';

/** TLS towards one Prometheus (from a MetricTemplate's provider and Secret), PEM text. */
export interface PrometheusTls {
  /** Trusted instead of the system's CAs. */
  readonly ca?: string;
  /** Client certificate and its key, both or neither. */
  readonly cert?: string;
  readonly key?: string;
  /** Only when a user wrote insecureSkipVerify: true; verification is never skipped otherwise. */
  readonly insecureSkipVerify?: boolean;
}

export interface PrometheusAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * Kept-alive connections to every Prometheus, shared by all queries (a
 * tick's queries run in parallel): at most 16 per Prometheus, 4 kept between
 * bursts (uncapped, a burst at 500 Rollouts left 47 open).
 */
const POOL = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4 } as const;

/**
 * A rotated Secret leaves its old agent unused; beyond this many TLS settings
 * the least recently used agent is closed rather than kept forever.
 */
const MAX_TLS_AGENTS = 32;

/** The agents of one outbound policy (or of none: the controller's own address). */
class AgentPool {
  readonly plain: PrometheusAgents;
  private readonly tlsAgents = new Map<string, HttpsAgent>();

  constructor(private readonly policy: OutboundPolicy | undefined) {
    this.plain = { http: policy ? policy.httpAgent(POOL) : new HttpAgent(POOL), https: this.https({}) };
  }

  /** The https agent of a TLS setting, reused by every provider with the same setting. */
  tls(tls: PrometheusTls): HttpsAgent {
    // Hashed so the map's keys do not hold private keys as plain strings.
    const id = createHash('sha256').update(JSON.stringify([tls.ca, tls.cert, tls.key, tls.insecureSkipVerify === true])).digest('hex');
    let agent = this.tlsAgents.get(id);
    if (agent) {
      this.tlsAgents.delete(id);
    } else {
      agent = this.https({
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
        rejectUnauthorized: tls.insecureSkipVerify !== true,
      });
    }
    this.tlsAgents.set(id, agent);
    for (const [oldest, old] of this.tlsAgents) {
      if (this.tlsAgents.size <= MAX_TLS_AGENTS) break;
      this.tlsAgents.delete(oldest);
      old.destroy();
    }
    return agent;
  }

  private https(options: HttpsAgentOptions): HttpsAgent {
    return this.policy ? this.policy.httpsAgent({ ...POOL, ...options }) : new HttpsAgent({ ...POOL, ...options });
  }
}

const UNCHECKED = new AgentPool(undefined);
const checked = new WeakMap<OutboundPolicy, AgentPool>();

/**
 * The agents for a provider: the shared pool, or for a TLS setting its own
 * https agent (a provider lives one check; its connections should outlive
 * it). With a policy (a MetricTemplate's address), every connection passes it.
 */
export function agentsFor(tls: PrometheusTls | undefined, policy?: OutboundPolicy): PrometheusAgents {
  const pool = policy ? poolOf(policy) : UNCHECKED;
  if (!tls || (!tls.ca && !tls.cert && !tls.key && tls.insecureSkipVerify !== true)) return pool.plain;
  return { http: pool.plain.http, https: pool.tls(tls) };
}

function poolOf(policy: OutboundPolicy): AgentPool {
  let pool = checked.get(policy);
  if (!pool) {
    pool = new AgentPool(policy);
    checked.set(policy, pool);
  }
  return pool;
}
