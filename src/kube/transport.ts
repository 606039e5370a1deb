import { setTimeout as sleep } from 'node:timers/promises';
import { IsomorphicFetchHttpLibrary, wrapHttpLibrary, type HttpLibrary, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

/** Told of every API request's end: its method (WATCH for a watch opened) and HTTP status, or "error" when no answer came. */
export type RequestObserver = (method: string, code: string) => void;

/** A request that has no answer after this long has lost its connection or its server. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** How often a request refused with 429 is sent again, at most, and how long each wait may be. */
export const THROTTLE_RETRIES = 4;
export const MAX_RETRY_AFTER_MS = 10_000;

/**
 * client-node's own fetch library with what a controller needs around each
 * request and client-node does not do: a deadline (it has none), a count of
 * every answer by status, and client-go's answer to 429: wait for
 * Retry-After (bounded) and send again. A 429 means the API server's
 * priority and fairness refused the request unprocessed, so sending any
 * method again is safe.
 */
export function observedHttpLibrary(observe: RequestObserver): HttpLibrary {
  const fetchLibrary = new IsomorphicFetchHttpLibrary();
  const send = (request: RequestContext): Promise<ResponseContext> => fetchLibrary.send(request).toPromise();
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const method: string = request.getHttpMethod();
      for (let attempt = 0; ; attempt++) {
        request.setSignal(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
        let response: ResponseContext;
        try {
          response = await send(request);
        } catch (err) {
          observe(method, 'error');
          throw err;
        }
        observe(method, String(response.httpStatusCode));
        const waitMs = response.httpStatusCode === 429 && attempt < THROTTLE_RETRIES ? retryAfterMs(response.headers['retry-after']) : undefined;
        if (waitMs === undefined) return response;
        // The refusal's body is not needed; reading it frees the connection.
        await response.body.text().catch(() => undefined);
        await sleep(waitMs);
      }
    },
  });
}

/** Retry-After in seconds (the API server's form) or as an HTTP date, capped; undefined without one (no retry, as client-go). */
export function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (Number.isNaN(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
