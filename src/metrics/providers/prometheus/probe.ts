import { redactUrl, redactUrlsIn } from '../../../redact.js';
import { QueryOutcomeKind } from '../../provider.js';
import { PrometheusProvider, type PrometheusProviderOptions } from './provider.js';

/**
 * Why Prometheus at `options` does not answer, with the fix; undefined when
 * it does. A query any Prometheus answers with one number at once: an answer
 * is the only thing probed. The message lands in a Rollout's status and
 * Events, which every tenant reads: the address is shown without
 * credentials, and so is any URL the driver's error quotes.
 */
export async function probePrometheus(options: PrometheusProviderOptions): Promise<string | undefined> {
  const why = await unanswered(options);
  return why === undefined ? undefined : `Prometheus at ${redactUrl(options.address)} does not answer: ${redactUrlsIn(why)} (start it, or fix the address)`;
}

async function unanswered(options: PrometheusProviderOptions): Promise<string | undefined> {
  const outcome = await new PrometheusProvider(options).instantQuery('vector(1)');
  switch (outcome.kind) {
    case QueryOutcomeKind.Value:
      return undefined;
    case QueryOutcomeKind.QueryError:
    case QueryOutcomeKind.Unreachable:
    case QueryOutcomeKind.Timeout:
      return outcome.message;
    case QueryOutcomeKind.NoData:
    case QueryOutcomeKind.NotFinite:
    case QueryOutcomeKind.MultipleSeries:
      return `vector(1) came back as ${outcome.kind}: is this a Prometheus API?`;
  }
}
