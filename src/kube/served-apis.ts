import type { KubeClients } from './client.js';

/** Every group/version the API server serves ("networking.istio.io/v1"), by discovery. */
export async function servedGroupVersions(clients: KubeClients): Promise<ReadonlySet<string>> {
  const { groups } = await clients.apis.getAPIVersions();
  return new Set(groups.flatMap((g) => g.versions.map((v) => v.groupVersion)));
}

/** How long a discovery answer that serves the asked group/version is trusted. */
const SERVED_TTL_MS = 30_000;

/**
 * Discovery for the preflights of many Rollouts: one GET /apis answers
 * every preflight for SERVED_TTL_MS, where each used to fetch and parse it.
 * A group/version the kept answer lacks is asked afresh, so CRDs installed
 * meanwhile are seen at the next preflight; an API removed meanwhile shows up
 * in the route writes' errors first. Failures are not kept.
 */
export class ServedApis {
  private kept: { readonly at: number; readonly served: Promise<ReadonlySet<string>> } | undefined;

  constructor(
    private readonly clients: KubeClients,
    private readonly now: () => number = Date.now,
  ) {}

  async serves(group: string, version: string): Promise<boolean> {
    const groupVersion = `${group}/${version}`;
    const kept = this.kept && this.now() - this.kept.at < SERVED_TTL_MS ? this.kept.served : undefined;
    if (kept && (await kept).has(groupVersion)) return true;
    return (await this.fetch()).has(groupVersion);
  }

  private fetch(): Promise<ReadonlySet<string>> {
    const served = servedGroupVersions(this.clients);
    const kept = { at: this.now(), served };
    this.kept = kept;
    served.catch(() => {
      if (this.kept === kept) this.kept = undefined;
    });
    return served;
  }
}
