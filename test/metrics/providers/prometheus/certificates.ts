import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Issued {
  /** PEM. */
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates {
  /** The CA that signed `server` and `client`. */
  readonly ca: Issued;
  /** Another CA nobody was told about, and a server certificate it signed. */
  readonly stranger: Issued;
  readonly strangerServer: Issued;
  /** For 127.0.0.1. */
  readonly server: Issued;
  /** CN=flowshift, for TLS client authentication. */
  readonly client: Issued;
}

/** Short-lived P-256 certificates made with the openssl CLI, for servers on 127.0.0.1. */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'flowshift-certs-'));
  try {
    const issue = (name: string, subject: string, extra: readonly string[]): Issued => {
      const cert = join(dir, `${name}.crt`);
      const key = join(dir, `${name}.key`);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', subject, '-keyout', key, '-out', cert, ...extra], { stdio: 'pipe' });
      return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    };
    const signedBy = (ca: string): string[] => ['-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`), '-addext', 'basicConstraints=critical,CA:FALSE'];
    const ca = issue('ca', '/CN=flowshift test CA', []);
    const stranger = issue('stranger', '/CN=someone else\'s CA', []);
    return {
      ca,
      stranger,
      server: issue('server', '/CN=127.0.0.1', [...signedBy('ca'), '-addext', 'subjectAltName=IP:127.0.0.1']),
      strangerServer: issue('stranger-server', '/CN=127.0.0.1', [...signedBy('stranger'), '-addext', 'subjectAltName=IP:127.0.0.1']),
      client: issue('client', '/CN=flowshift', [...signedBy('ca'), '-addext', 'extendedKeyUsage=clientAuth']),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
