/**
 * The install's generated credentials, made once: the bundled Redis's
 * password and the key that signs notification jobs. A Kubernetes manifest
 * cannot hold a random value, so the controller's init container runs this
 * (`node dist/install/ensure-secret.js`) before the controller starts: it
 * creates the Secret with fresh random values when it is missing, and leaves
 * an existing one as it is, so restarts, upgrades and the second replica all
 * read the same values. Only `create` is ever sent: two replicas starting at
 * once both try, one wins, the other sees AlreadyExists.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { CoreV1Api } from '@kubernetes/client-node';
import { KubeClients } from '../kube/client.js';
import { isConflict } from '../kube/errors.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';

/** The Secret deploy/base reads, and its keys. */
export const GENERATED_SECRET = 'flowshift-generated';
export const GENERATED_KEYS = ['redis-password', 'notification-signing-key'] as const;

const NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Creates `name` in `namespace` with 32 random bytes (base64url) per key unless it exists; whether it was created. */
export async function ensureGeneratedSecret(core: CoreV1Api, namespace: string, name = GENERATED_SECRET): Promise<boolean> {
  const stringData = Object.fromEntries(GENERATED_KEYS.map((key) => [key, randomBytes(32).toString('base64url')]));
  try {
    await core.createNamespacedSecret({ namespace, body: { metadata: { name, labels: { 'app.kubernetes.io/part-of': 'flowshift' } }, type: 'Opaque', stringData } });
    return true;
  } catch (err) {
    // 409 AlreadyExists: made before (or by the other replica just now); its values stay.
    if (isConflict(err)) return false;
    throw err;
  }
}

async function main(): Promise<void> {
  const namespace = process.env['POD_NAMESPACE'] || readFileSync(NAMESPACE_FILE, 'utf8').trim();
  const clients = new KubeClients(loadKubeConfig());
  try {
    const created = await ensureGeneratedSecret(clients.core, namespace);
    process.stdout.write(`Secret ${namespace}/${GENERATED_SECRET} ${created ? 'created' : 'exists: kept as it is'}\n`);
  } finally {
    await clients.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`ensure-secret: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
