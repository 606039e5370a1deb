import { describe, expect, it } from 'vitest';
import { ServedApis } from '../../src/kube/served-apis.js';
import { kubeClients } from '../support/env/context.js';

describe('ServedApis against the test API server', () => {
  it('answers many preflights from one discovery request, asks again for what it lacks, and again once its answer is old', async () => {
    const requests: string[] = [];
    const clients = await kubeClients((method) => requests.push(method));
    let now = 1_000_000;
    const apis = new ServedApis(clients, () => now);

    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => apis.serves('networking.istio.io', 'v1')));
    expect(answers).toEqual([true, true, true, true, true]);
    expect(await apis.serves('flowshift.io', 'v1alpha1')).toBe(true);
    expect(requests).toEqual(['GET']);

    // A group/version the answer lacks (CRDs not installed yet) is asked afresh each time.
    expect(await apis.serves('gateway.example.com', 'v1')).toBe(false);
    expect(await apis.serves('gateway.example.com', 'v1')).toBe(false);
    expect(requests).toEqual(['GET', 'GET', 'GET']);

    now += 30_000;
    expect(await apis.serves('networking.istio.io', 'v1')).toBe(true);
    expect(requests).toEqual(['GET', 'GET', 'GET', 'GET']);
  });
});
