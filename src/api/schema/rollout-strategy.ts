// spec.strategy: how traffic moves from the primary to the canary.
import { DNS_LABEL_PATTERN, array, duration, integer, object, passthrough, rule, string, type Schema } from './builders.js';

function mirror(description: string): Schema {
  return object(
    description,
    {
      percentage: integer('Share of live requests copied to the canary (Istio mirrorPercentage); responses from the canary are discarded.', {
        minimum: 1,
        maximum: 100,
        default: 100,
      }),
      iterations: integer('Analysis ticks spent mirroring before weights move. Ignored by blueGreen, whose iterations govern.', {
        minimum: 1,
        maximum: 1000,
        default: 1,
      }),
    },
    { tsName: 'MirrorSpec', tsDoc: 'Traffic mirroring (shadowing): live requests copied to the canary, responses discarded.' },
  );
}

const canary: Schema = object(
  'Shift live traffic to the canary in steps, analysing before each step. Give stepWeights, or stepWeight with maxWeight.',
  {
    stepWeights: array(
      'Canary weights (percent of live traffic) to step through, strictly increasing within 1..100, e.g. [10, 20, 40, 80].',
      integer('', { minimum: 1, maximum: 100 }),
      {
        minItems: 1,
        maxItems: 100,
        'x-kubernetes-validations': [
          rule('self.isSorted() && self.all(w, self.indexOf(w) == self.lastIndexOf(w))', 'stepWeights must be strictly increasing, e.g. [10, 20, 40, 80]'),
        ],
      },
    ),
    stepWeight: integer('Canary weight added at each step, up to maxWeight.', { minimum: 1, maximum: 100 }),
    maxWeight: integer('Highest canary weight reached with stepWeight before promotion. Default: 100.', {
      minimum: 1,
      maximum: 100,
    }),
    stepWeightPromotion: integer(
      'Weight moved back to the primary per tick after promotion; 0 switches all traffic at once.',
      { minimum: 0, maximum: 100, default: 0 },
    ),
    mirror: mirror('Optional shadow phase: copy live traffic to the canary before any weight moves.'),
    sessionAffinity: object(
      'Keep a user on the version they first got while the canary has live traffic: responses from the canary set a cookie, and requests carrying it go to the canary.',
      {
        cookieName: string('Name of the cookie. Default: flowshift-canary.', { pattern: DNS_LABEL_PATTERN, maxLength: 63 }),
        maxAge: duration('How long the browser keeps the cookie. Default: 24h.'),
      },
      { tsName: 'SessionAffinitySpec' },
    ),
  },
  {
    tsName: 'CanaryStrategy',
    rules: [
      rule('has(self.stepWeights) || has(self.stepWeight)', 'canary needs stepWeights, or stepWeight with maxWeight', {
        reason: 'FieldValueRequired',
      }),
      rule('!has(self.stepWeights) || !has(self.stepWeight)', 'set stepWeights or stepWeight, not both', {
        fieldPath: '.stepWeight',
        reason: 'FieldValueForbidden',
      }),
      rule('!has(self.maxWeight) || has(self.stepWeight)', 'maxWeight only applies with stepWeight; with stepWeights the last weight is the maximum', {
        fieldPath: '.maxWeight',
        reason: 'FieldValueForbidden',
      }),
    ],
  },
);

const blueGreen: Schema = object(
  'Run the canary with no live traffic (optionally mirrored) for a number of analysis ticks, then switch all traffic at once.',
  {
    iterations: integer('Analysis ticks to run before promotion.', { minimum: 1, maximum: 1000, default: 10 }),
    mirror: mirror('Optional: copy live traffic to the canary during the iterations.'),
  },
  { tsName: 'BlueGreenStrategy' },
);

const abTesting: Schema = object(
  'Send requests that match (a header, a cookie, ...) entirely to the canary for a number of analysis ticks, then promote.',
  {
    iterations: integer('Analysis ticks to run before promotion.', { minimum: 1, maximum: 1000, default: 10 }),
    match: array(
      'Istio HTTPMatchRequest list; matching requests go 100% to the canary, the rest to the primary.',
      passthrough('An Istio HTTPMatchRequest, e.g. {headers: {x-canary: {exact: "insider"}}}.'),
      { maxItems: 32 },
    ),
  },
  {
    required: ['match'],
    tsName: 'AbTestingStrategy',
    rules: [
      rule('has(self.match) && size(self.match) > 0', 'abTesting needs at least one match condition, e.g. a header or a cookie', {
        fieldPath: '.match',
        reason: 'FieldValueRequired',
      }),
    ],
  },
);

export const strategy: Schema = object(
  'How traffic moves to the canary: exactly one of canary, blueGreen or abTesting.',
  { canary, blueGreen, abTesting },
  {
    tsName: 'StrategySpec',
    rules: [
      rule(
        '(has(self.canary) ? 1 : 0) + (has(self.blueGreen) ? 1 : 0) + (has(self.abTesting) ? 1 : 0) == 1',
        'exactly one of canary, blueGreen or abTesting must be set',
      ),
    ],
  },
);
