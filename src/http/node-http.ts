import { createRequire } from 'node:module';
import type * as Http from 'node:http';

/**
 * node:http, loaded with require rather than an ESM import. Node builds an
 * ESM import's namespace from every export of a built-in, and node:http's
 * lazy WebSocket, CloseEvent and MessageEvent exports then load undici,
 * which the controller never uses: a bare `import('node:http')` is 58 MB of
 * RSS on Node 24.21, `require('node:http')` 45 MB. Import the types from
 * 'node:http' with `import type`, the values from here
 * (test/unit/runtime-imports.test.ts keeps it that way).
 */
export const nodeHttp = createRequire(import.meta.url)('node:http') as typeof Http;
