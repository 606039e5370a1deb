import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_LOG } from '../../devenv/env/apiserver.js';
import { env } from '../support/env/context.js';
export { serviceAccountKubeconfig } from '../support/env/service-accounts.js';
import { grantKey } from './manifests.js';


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
