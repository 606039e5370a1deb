import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/http/safe-post.js';

export type Verdict = 'ok' | 'bad signature' | 'stale' | 'replayed';

/** How old a timestamp a receiver still takes. */
const MAX_AGE_SECONDS = 300;

/**
 * A webhook receiver's check of a signed call, written from docs/webhooks.md (not
 * from safe-post.ts, so the two cannot drift together): recompute the HMAC
 * over "<timestamp>.<delivery>.<body>" and compare in constant time, refuse
 * an old timestamp, then a delivery id already seen.
 */
export class SignedCallReceiver {
  private readonly seen = new Set<string>();

  constructor(private readonly key: string) {}

  verify(headers: IncomingHttpHeaders, rawBody: string, nowSeconds: number): Verdict {
    const timestamp = header(headers, TIMESTAMP_HEADER);
    const delivery = header(headers, DELIVERY_HEADER);
    const sent = Buffer.from(header(headers, SIGNATURE_HEADER));
    const expected = Buffer.from(`sha256=${createHmac('sha256', this.key).update(`${timestamp}.${delivery}.${rawBody}`).digest('hex')}`);
    if (delivery === '' || sent.length !== expected.length || !timingSafeEqual(sent, expected)) return 'bad signature';
    if (Math.abs(nowSeconds - Number(timestamp)) > MAX_AGE_SECONDS) return 'stale';
    if (this.seen.has(delivery)) return 'replayed';
    this.seen.add(delivery);
    return 'ok';
  }
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' ? value : '';
}
