import { createHmac, randomUUID } from 'node:crypto';
import { fetch } from 'undici';
import { redactUrlsIn } from '../redact.js';
import { refusalIn, type OutboundPolicy } from './outbound-policy.js';

/**
 * Every call flowshift makes to a URL a user configured (webhook gates,
 * notifications) goes through here: the outbound policy on every connection,
 * no redirects followed, a bounded answer, a deadline, and an outcome value
 * instead of an exception. undici's own fetch, as the policy is an undici
 * dispatcher (the global fetch bundles another copy of undici).
 */

/** Answers are read up to this many bytes; the rest is discarded unread. */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Status, Events and logs quote at most this much of an answer. */
export const EXCERPT_CHARS = 200;

/**
 * A signed call carries three headers: TIMESTAMP_HEADER (Unix seconds),
 * DELIVERY_HEADER (a random UUID, new for every call, retries included) and
 * SIGNATURE_HEADER, `sha256=<hex>` of HMAC-SHA256(key,
 * "<timestamp>.<delivery>.<body>"). The receiver verifies the signature over
 * the raw body, refuses an old timestamp and a delivery id it has already
 * seen: a captured call can be replayed neither later nor at once, and
 * neither header can be changed without breaking the signature.
 */
export const SIGNATURE_HEADER = 'X-Flowshift-Signature';
export const TIMESTAMP_HEADER = 'X-Flowshift-Timestamp';
export const DELIVERY_HEADER = 'X-Flowshift-Delivery';

export type PostOutcome =
  /** The server answered; `ok` for a 2xx. `body` holds at most MAX_ANSWER_BYTES. */
  | { readonly kind: 'answered'; readonly ok: boolean; readonly status: number; readonly body: string; readonly truncated: boolean }
  /** A 3xx: never followed, since a redirect could send a signed payload elsewhere. */
  | { readonly kind: 'redirected'; readonly status: number }
  | { readonly kind: 'timeout'; readonly timeoutMs: number }
  | { readonly kind: 'unreachable'; readonly reason: string }
  /** The outbound policy refused the address: no connection was opened. */
  | { readonly kind: 'refused'; readonly reason: string };

export interface PostOptions {
  /** Where the call may connect (the controller's --outbound-* flags). */
  readonly policy: OutboundPolicy;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Signs the call (see SIGNATURE_HEADER), so a captured call cannot be replayed. */
  readonly signingKey?: string;
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
}

/** POSTs a JSON body once. Never throws. */
export async function postJson(url: string, payload: unknown, options: PostOptions): Promise<PostOutcome> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.signingKey !== undefined) {
    const timestamp = String(Math.floor((options.now ?? ((): Date => new Date()))().getTime() / 1000));
    const delivery = randomUUID();
    headers[TIMESTAMP_HEADER] = timestamp;
    headers[DELIVERY_HEADER] = delivery;
    headers[SIGNATURE_HEADER] = signature(options.signingKey, { timestamp, delivery, body });
  }
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  try {
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal, dispatcher: options.policy.dispatcher() });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      return { kind: 'redirected', status: res.status };
    }
    const { text, truncated } = await readCapped(res, MAX_ANSWER_BYTES);
    return { kind: 'answered', ok: res.ok, status: res.status, body: text, truncated };
  } catch (err) {
    if (deadline.aborted) return { kind: 'timeout', timeoutMs: options.timeoutMs };
    const refused = refusalIn(err);
    if (refused) return { kind: 'refused', reason: refused.message };
    return { kind: 'unreachable', reason: describeFetchError(err, url) };
  }
}

/** What a signature covers: the values of TIMESTAMP_HEADER and DELIVERY_HEADER, and the raw body. */
export interface SignedCall {
  readonly timestamp: string;
  readonly delivery: string;
  readonly body: string;
}

/** HMAC-SHA256 over "<timestamp>.<delivery>.<body>", as sent in X-Flowshift-Signature ("sha256=<hex>"). */
export function signature(key: string, call: SignedCall): string {
  return `sha256=${createHmac('sha256', key).update(`${call.timestamp}.${call.delivery}.${call.body}`).digest('hex')}`;
}

/** A one-line account of an outcome, quoting at most EXCERPT_CHARS of an answer. */
export function describeOutcome(outcome: PostOutcome): string {
  switch (outcome.kind) {
    case 'answered': {
      const text = excerpt(outcome.body);
      return `answered ${outcome.status}${text ? `: ${text}` : ''}`;
    }
    case 'redirected':
      return `answered ${outcome.status} (a redirect, not followed)`;
    case 'timeout':
      return `no answer within ${outcome.timeoutMs} ms`;
    case 'unreachable':
      return `unreachable (${outcome.reason})`;
    case 'refused':
      return outcome.reason;
  }
}

/** At most EXCERPT_CHARS of `text` on one line, marked when cut. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

async function readCapped(res: Awaited<ReturnType<typeof fetch>>, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return { text: '', truncated: false };
  for await (const part of res.body) {
    const chunk: Buffer = Buffer.from(part as Uint8Array);
    const room = maxBytes - size;
    if (chunk.byteLength > room) {
      chunks.push(chunk.subarray(0, room));
      // Leaving the loop cancels the stream: the rest is never read.
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/**
 * Why fetch failed, without the URL: fetch quotes it whole when it refuses
 * one ("…a URL that includes credentials: http://user:pass@…", "Failed to
 * parse URL from …"), and the reason lands in a status, an Event or a log.
 * For a notification the URL is itself the credential.
 */
function describeFetchError(err: unknown, url: string): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
  const text = cause || (err instanceof Error ? err.message : String(err));
  const forms = new Set([url, URL.canParse(url) ? new URL(url).href : url].filter((form) => form !== ''));
  return redactUrlsIn([...forms].reduce((shown, form) => shown.replaceAll(form, 'the URL'), text));
}
