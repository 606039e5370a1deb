import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startProcess, waitFor, type ManagedProcess } from './processes.js';

export interface PrometheusServer {
  readonly url: string;
  readonly process: ManagedProcess;
  /** Folder of file_sd target files; see addScrapeTarget. */
  readonly targetsDir: string;
}

export interface PrometheusOptions {
  /** Extra scrape_configs entries, in Prometheus' own config shape. */
  readonly scrapeConfigs?: readonly object[];
  readonly scrapeIntervalSeconds?: number;
  /** A fixed port, e.g. to restart a stopped Prometheus where clients expect it. */
  readonly port?: number;
  /** How long blocks are kept (default 2h); history backfilled into prometheusDataDir(dir) needs longer. */
  readonly retention?: string;
}

/** Where Prometheus keeps its TSDB under `dir`: blocks written here before it starts (promtool tsdb create-blocks-from) are its history. */
export function prometheusDataDir(dir: string): string {
  return join(dir, 'prometheus-data');
}

/**
 * Starts Prometheus with a short scrape interval and a file_sd job, so tests
 * can add and remove targets at run time without restarting it.
 */
export async function startPrometheus(dir: string, options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const port = options.port ?? (await freePort());
  const targetsDir = join(dir, 'prometheus-targets');
  mkdirSync(targetsDir, { recursive: true });
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: [
      {
        job_name: 'tests',
        honor_labels: true,
        file_sd_configs: [{ files: [join(targetsDir, '*.json')], refresh_interval: '1s' }],
      },
      ...(options.scrapeConfigs ?? []),
    ],
  };
  // JSON is valid YAML, which is what Prometheus reads.
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const proc = startProcess(
    'prometheus',
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${prometheusDataDir(dir)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.retention.time=${options.retention ?? '2h'}`,
      '--log.level=warn',
    ],
    { logFile: join(dir, 'prometheus.log') },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor('prometheus /-/ready', async () => (await fetch(`${url}/-/ready`)).ok, {
    timeoutMs: 30_000,
    process: proc,
  });
  return { url, process: proc, targetsDir };
}

/** Adds (or replaces) a scrape target under `name`; Prometheus picks it up within a second. */
export function addScrapeTarget(targetsDir: string, name: string, target: string, labels: Record<string, string> = {}): void {
  const file = join(targetsDir, `${name}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [target], labels }]));
  renameSync(`${file}.tmp`, file);
}

export function removeScrapeTarget(targetsDir: string, name: string): void {
  rmSync(join(targetsDir, `${name}.json`), { force: true });
}
