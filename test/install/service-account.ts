import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { AUDIT_LOG } from '../env/apiserver.js';
import { env, kubeConfig } from '../env/context.js';
import { grantKey } from './manifests.js';

/** Mints a token for a ServiceAccount (TokenRequest) and writes a kubeconfig that uses it. */
export async function serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
  const cluster = kubeConfig().getCurrentCluster();
  const file = join(env().dir, `kubeconfig-${namespace}-${name}`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: cluster?.server, 'certificate-authority-data': cluster?.caData } }],
      users: [{ name, user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: name, namespace } }],
      'current-context': 'test',
    }),
  );
  return file;
}

/** One request of the audited identity, as "group/resource[/subresource]:verb". */
export interface AuditedRequest {
  readonly grant: string;
  readonly code: number;
  readonly message: string;
}

interface AuditEvent {
  user?: { username?: string };
  verb?: string;
  objectRef?: { apiGroup?: string; resource?: string; subresource?: string };
  responseStatus?: { code?: number; message?: string };
}

/** The resource requests `username` made, from the test API server's audit log. */
export function auditedRequests(username: string): AuditedRequest[] {
  const lines = readFileSync(join(env().dir, AUDIT_LOG), 'utf8').split('\n').filter(Boolean);
  return lines
    .map((line) => JSON.parse(line) as AuditEvent)
    // A watch is logged at ResponseStarted, and at ResponseComplete only once it ends.
    .filter((e) => e.user?.username === username && e.objectRef?.resource)
    .map((e) => {
      const ref = e.objectRef ?? {};
      const resource = ref.subresource ? `${ref.resource ?? ''}/${ref.subresource}` : (ref.resource ?? '');
      return { grant: grantKey(ref.apiGroup ?? '', resource, e.verb ?? ''), code: e.responseStatus?.code ?? 0, message: e.responseStatus?.message ?? '' };
    });
}
