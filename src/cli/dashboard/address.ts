import { isIP } from 'node:net';
import { CliError } from '../errors.js';

export const DEFAULT_PORT = 3100;
export const DEFAULT_ADDRESS = '127.0.0.1';

export interface ListenOptions {
  readonly port?: string;
  readonly address?: string;
  readonly allowRemote?: boolean;
}

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the dashboard listens. A non-loopback address is refused unless
 * --allow-remote says the user knows: the dashboard has no login, and
 * whoever reaches it acts with the user's credentials (docs/dashboard.md).
 */
export function listenAddress(options: ListenOptions): ListenAddress {
  const host = options.address ?? DEFAULT_ADDRESS;
  if (host !== 'localhost' && isIP(host) === 0) {
    throw new CliError(`--address ${host}: not an IP address; give one (127.0.0.1 by default, ::1, or an address of this machine with --allow-remote)`);
  }
  if (!isLoopback(host) && !options.allowRemote) {
    throw new CliError(
      `--address ${host} is not a loopback address: the dashboard has no login and acts with your credentials for anyone who reaches it. ` +
        'Keep the default (127.0.0.1) and use an SSH tunnel, or add --allow-remote to serve it there anyway',
    );
  }
  return { host, port: portOf(options.port) };
}

function portOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new CliError(`--port ${text}: not a port; give a number from 1 to 65535 (or 0 for any free port)`);
  return port;
}

/** 127.0.0.0/8, ::1 and localhost: only this machine's processes connect. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** The address as a URL's host: IPv6 in brackets. */
export function urlHost(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
