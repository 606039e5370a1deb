import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

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
const PLAIN: PrometheusAgents = { http: new HttpAgent(POOL), https: new HttpsAgent(POOL) };

/**
 * A rotated Secret leaves its old agent unused; beyond this many TLS settings
 * the least recently used agent is closed rather than kept forever.
 */
const MAX_TLS_AGENTS = 32;
const tlsAgents = new Map<string, HttpsAgent>();

/**
 * The agents for a provider: the shared pool, or for a TLS setting its own
 * https agent, reused by every provider with the same setting (a provider
 * lives one check; its connections should outlive it).
 */
export function agentsFor(tls: PrometheusTls | undefined): PrometheusAgents {
  if (!tls || (!tls.ca && !tls.cert && !tls.key && tls.insecureSkipVerify !== true)) return PLAIN;
  // Hashed so the map's keys do not hold private keys as plain strings.
  const id = createHash('sha256').update(JSON.stringify([tls.ca, tls.cert, tls.key, tls.insecureSkipVerify === true])).digest('hex');
  let agent = tlsAgents.get(id);
  if (agent) {
    tlsAgents.delete(id);
  } else {
    agent = new HttpsAgent({
      ...POOL,
      ...(tls.ca ? { ca: tls.ca } : {}),
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      rejectUnauthorized: tls.insecureSkipVerify !== true,
    });
  }
  tlsAgents.set(id, agent);
  for (const [oldest, old] of tlsAgents) {
    if (tlsAgents.size <= MAX_TLS_AGENTS) break;
    tlsAgents.delete(oldest);
    old.destroy();
  }
  return { http: PLAIN.http, https: agent };
}
