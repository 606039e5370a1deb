import type { PeerApiServerSpec } from './apiserver.js';

/** What the global setup hands to every test file (through vitest's provide/inject). */
export interface EnvInfo {
  /** Temp folder holding logs and data of this run. */
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly apiServerUrl: string;
  readonly redisUrl: string;
  readonly prometheusUrl: string;
  /** file_sd folder the shared Prometheus watches; see addScrapeTarget. */
  readonly prometheusTargetsDir: string;
  /** Which Istio CRDs are installed: Istio's real schemas, or the permissive fixture. */
  readonly istioCrds: 'istio' | 'permissive';
  readonly pids: Readonly<Record<string, number>>;
  /** What starting a second API server of this cluster takes (PeerApiServer), for a test that stops and restarts one. */
  readonly peerApiServer: PeerApiServerSpec;
}

/**
 * The environment of a controller started by the tests, the demo or the
 * benchmarks: every replica of one run shares the notification signing key
 * (NOTIFICATION_SIGNING_KEY), as a Deployment's replicas share its Secret.
 * A fixed value: these controllers run on loopback test servers only.
 */
export function controllerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NOTIFICATION_SIGNING_KEY: 'flowshift-development-only-notification-signing-key' };
}
