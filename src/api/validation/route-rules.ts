// Semantic rules on spec.targetRef, spec.service and spec.strategy: names
// flowshift derives, gateway references and weights that cannot step.
import type { Rollout } from '../types.gen.js';
import { problem, type ValidationProblem } from './problem.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const RESERVED_SUFFIXES = ['-primary', '-canary'] as const;
// A Service name is an RFC 1035 label of at most 63 characters; flowshift appends "-primary".
const SERVICE_NAME_MAX = 63 - '-primary'.length;

function serviceName(rollout: Rollout): { name: string; path: string } {
  const { service, targetRef } = rollout.spec;
  return service.name === undefined
    ? { name: targetRef.name, path: 'spec.targetRef.name' }
    : { name: service.name, path: 'spec.service.name' };
}

export function gatewayRefsResolve(rollout: Rollout): ValidationProblem[] {
  return (rollout.spec.service.gateways ?? []).flatMap((ref, i) => {
    if (ref === 'mesh') return [];
    const parts = ref.split('/');
    if (parts.length === 2 && parts.every((part) => DNS_LABEL.test(part))) return [];
    return [
      problem(
        'gateway-ref',
        `spec.service.gateways[${i}]`,
        `gateway "${ref}" is neither "mesh" nor "<namespace>/<name>"`,
        'write the Gateway as "<namespace>/<name>", e.g. istio-system/public-gateway, or "mesh" for sidecar traffic',
      ),
    ];
  });
}

export function namesAreNotReserved(rollout: Rollout): ValidationProblem[] {
  const service = serviceName(rollout);
  const target = rollout.spec.targetRef.name;
  const problems: ValidationProblem[] = [];
  const serviceSuffix = RESERVED_SUFFIXES.find((suffix) => service.name.endsWith(suffix));
  if (serviceSuffix) {
    const base = service.name.slice(0, -serviceSuffix.length);
    problems.push(
      problem(
        'reserved-name',
        service.path,
        `service name "${service.name}" ends in ${serviceSuffix}, which flowshift reserves: it is the name of the ${serviceSuffix.slice(1)} Service of a Rollout whose service is "${base}"`,
        `name the service after the app (e.g. "${base}"); flowshift adds the -primary and -canary Services itself`,
      ),
    );
  }
  if (target.endsWith('-primary') && service.path !== 'spec.targetRef.name') {
    problems.push(
      problem(
        'reserved-name',
        'spec.targetRef.name',
        `target "${target}" looks like the primary Deployment flowshift generates, not the one you edit`,
        `point targetRef at the Deployment you release (e.g. "${target.slice(0, -'-primary'.length)}")`,
      ),
    );
  }
  return problems;
}

export function derivedNamesFit(rollout: Rollout): ValidationProblem[] {
  const service = serviceName(rollout);
  if (DNS_1035_LABEL.test(service.name) && service.name.length <= SERVICE_NAME_MAX) return [];
  return [
    problem(
      'service-name',
      service.path,
      `service name "${service.name}" must start with a letter and have at most ${SERVICE_NAME_MAX} characters, so that "${service.name}-primary" is a valid Service name`,
      'set spec.service.name to a shorter name that starts with a letter',
    ),
  ];
}

export function stepWeightCanStep(rollout: Rollout): ValidationProblem[] {
  const canary = rollout.spec.strategy.canary;
  if (canary?.stepWeight === undefined) return [];
  const maxWeight = canary.maxWeight ?? 100;
  if (canary.stepWeight <= maxWeight) return [];
  return [
    problem(
      'step-above-max',
      'spec.strategy.canary.stepWeight',
      `stepWeight ${canary.stepWeight} is above maxWeight ${maxWeight}, so the canary would never take a step`,
      `lower stepWeight to at most ${maxWeight}, or raise maxWeight`,
    ),
  ];
}
