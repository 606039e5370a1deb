// spec.targetRef and spec.service: what flowshift releases and how the
// generated Services and VirtualService expose it.
import {
  DNS_1035_PATTERN,
  DNS_LABEL_PATTERN,
  array,
  duration,
  enumOf,
  intOrString,
  integer,
  object,
  passthrough,
  rule,
  string,
  type Schema,
} from './builders.js';
import { objectName } from './common.js';
import { AutoscalerKind, TargetKind } from './enums.js';

export const targetRef: Schema = object(
  'The Deployment, DaemonSet or StatefulSet flowshift releases, in the Rollout\'s namespace. flowshift clones a Deployment or DaemonSet into "<name>-primary"; between releases a Deployment is scaled to zero and a DaemonSet is parked (a nodeSelector no node matches). A StatefulSet is not cloned: its pods at status.currentRevision are the primary, those at status.updateRevision the canary, and flowshift moves its spec.updateStrategy.rollingUpdate.partition (docs/statefulsets.md).',
  {
    apiVersion: enumOf({ AppsV1: 'apps/v1' }, 'API version of the target. Only apps/v1 is supported.', { ref: 'string' }),
    kind: enumOf(TargetKind, 'Kind of the target: Deployment, DaemonSet (docs/daemonsets.md) or StatefulSet (docs/statefulsets.md).', { ref: 'TargetKind' }),
    name: objectName('Name of the target Deployment, DaemonSet or StatefulSet.'),
  },
  { required: ['apiVersion', 'kind', 'name'], tsName: 'TargetRef' },
);

// 245 = 253 (an object name's limit) minus the "-primary" suffix of the primary's copy.
const AUTOSCALER_NAME_MAX = 245;

export const autoscalerRef: Schema = object(
  'The autoscaler that scales the target, in the Rollout\'s namespace (docs/autoscaling.md): an autoscaling/v2 HorizontalPodAutoscaler, or a KEDA ScaledObject (keda.sh/v1alpha1, when KEDA is installed). Its scaleTargetRef must be the target. flowshift gives the primary a copy "<name>-primary" kept in sync with it, lets it scale the canary during a release, and never writes replicas an autoscaler owns.',
  {
    apiVersion: enumOf({ AutoscalingV2: 'autoscaling/v2', KedaV1alpha1: 'keda.sh/v1alpha1' }, 'API version of the autoscaler: autoscaling/v2 for a HorizontalPodAutoscaler, keda.sh/v1alpha1 for a ScaledObject.', { ref: 'string' }),
    kind: enumOf(AutoscalerKind, 'Kind of the autoscaler.', { ref: 'AutoscalerKind' }),
    name: string('Name of the autoscaler. At most 245 characters, so that "<name>-primary" stays a valid name.', { pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: AUTOSCALER_NAME_MAX }),
  },
  {
    required: ['apiVersion', 'kind', 'name'],
    tsName: 'AutoscalerRef',
    rules: [
      rule(
        "(self.kind == 'HorizontalPodAutoscaler') == (self.apiVersion == 'autoscaling/v2')",
        'apiVersion must be autoscaling/v2 for a HorizontalPodAutoscaler and keda.sh/v1alpha1 for a ScaledObject',
        { fieldPath: '.apiVersion' },
      ),
    ],
  },
);

// 55 = 63 (a Service name's limit) minus the "-primary" suffix flowshift appends.
const SERVICE_NAME_MAX = 55;

export const service: Schema = object(
  'How the released workload is exposed. flowshift generates the Services "<name>", "<name>-primary" and "<name>-canary", one DestinationRule per version and the VirtualService "<name>".',
  {
    name: string(
      `Apex Service and VirtualService name clients use. Default: targetRef.name. At most ${SERVICE_NAME_MAX} characters so that "<name>-primary" stays a valid Service name.`,
      { pattern: DNS_1035_PATTERN, minLength: 1, maxLength: SERVICE_NAME_MAX },
    ),
    port: integer('Port the generated Services listen on.', { format: 'int32', minimum: 1, maximum: 65535 }),
    targetPort: intOrString('Container port number or name the Services forward to. Default: port.', {
      maxLength: 15,
    }),
    portName: string('Name of the Service port; Istio reads the protocol from its prefix (http, grpc, tcp, ...).', {
      default: 'http',
      pattern: DNS_LABEL_PATTERN,
      maxLength: 15,
    }),
    hosts: array(
      'Extra hosts for the VirtualService, e.g. an external name served through a gateway. The apex name is always added.',
      string('', { minLength: 1, maxLength: 253 }),
      { maxItems: 32 },
    ),
    gateways: array(
      'Istio Gateways the VirtualService binds to, as "<namespace>/<name>", or "mesh" for sidecars. Default: ["mesh"].',
      string('', { minLength: 1, maxLength: 317 }),
      { maxItems: 32 },
    ),
    match: array(
      'Istio HTTPMatchRequest list restricting which requests the generated route handles.',
      passthrough('An Istio HTTPMatchRequest (uri, headers, queryParams, ...).'),
      { maxItems: 32 },
    ),
    retries: passthrough('Istio HTTPRetry policy for the generated route (attempts, perTryTimeout, retryOn).'),
    timeout: duration('Timeout for requests on the generated route, e.g. 10s.'),
    corsPolicy: passthrough('Istio CorsPolicy for the generated route.'),
    headers: passthrough('Istio Headers manipulation (request/response set, add, remove) for the generated route.'),
    rewrite: passthrough('Istio HTTPRewrite (uri, authority) for the generated route.'),
    virtualServiceRef: object(
      'Adopt an existing VirtualService instead of generating one: flowshift edits only the destinations (weights and mirror) of its HTTP route named route, leaves every other route, host and field alone, and never deletes it. On deletion of the Rollout the route is left pointing at the stable (primary) version. Istio only.',
      {
        name: objectName('Name of the VirtualService, in the Rollout\'s namespace.'),
        route: string('Name of the HTTP route (http[].name) whose destinations flowshift drives.', { minLength: 1, maxLength: 253 }),
      },
      { required: ['name', 'route'], tsName: 'VirtualServiceRef' },
    ),
    trafficPolicy: passthrough(
      'Istio TrafficPolicy (load balancing, connection pool, outlier detection, TLS) copied to both DestinationRules.',
    ),
  },
  { required: ['port'], tsName: 'ServiceSpec' },
);
