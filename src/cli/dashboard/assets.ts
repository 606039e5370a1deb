import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Packages whose browser files the dashboard serves and the backtest chart
 * inlines (not imported by Node, so no import names them): `npm run
 * package:plugin` puts them in the krew archive from this list.
 */
export const BROWSER_PACKAGES = ['uplot'] as const;

/** The page's own files: plain ES modules and CSS beside this file, copied into dist/ by the build (scripts/copy-assets.ts). */
export const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

const require = createRequire(import.meta.url);
/** uPlot's files in its package, as published: no copy in this repository, no CDN (clusters are often offline). */
export const UPLOT = { script: require.resolve('uplot/dist/uPlot.iife.min.js'), style: require.resolve('uplot/dist/uPlot.min.css') } as const;
const VENDOR: Readonly<Record<string, string>> = { 'uPlot.iife.min.js': UPLOT.script, 'uPlot.min.css': UPLOT.style };

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** Where the page refers to its token; replaced in index.html when it is served. */
export const TOKEN_PLACEHOLDER = '__FLOWSHIFT_TOKEN__';

/**
 * Every file the dashboard serves, read once at start-up and keyed by its
 * URL path: a path not in this map is a 404, whatever it names on disk.
 */
export function loadAssets(token: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(STATIC_DIR)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(`/static/${name}`, { body: readFileSync(`${STATIC_DIR}${name}`), type });
  }
  for (const [name, file] of Object.entries(VENDOR)) assets.set(`/vendor/${name}`, { body: readFileSync(file), type: TYPES[extname(name)] ?? 'application/octet-stream' });
  const index = assets.get('/static/index.html');
  if (!index) throw new Error(`the dashboard's page is missing: no index.html in ${STATIC_DIR} (was the build's copy step run?)`);
  assets.set('/', { body: Buffer.from(index.body.toString('utf8').replace(TOKEN_PLACEHOLDER, token)), type: index.type });
  assets.delete('/static/index.html');
  return assets;
}
