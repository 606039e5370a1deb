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
}
