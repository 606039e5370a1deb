// The AlertProvider kind: a chat destination for release events.
import { enumOf, object, rule, string } from './builders.js';
import { httpUrl, secretRef } from './common.js';
import type { KindDefinition } from './kind.js';

export const alertProvider: KindDefinition = {
  kind: 'AlertProvider',
  plural: 'alertproviders',
  singular: 'alertprovider',
  shortNames: ['ap'],
  description: 'A destination for release events (Slack), referenced from a Rollout alert with providerRef.',
  spec: object(
    'The chat destination.',
    {
      type: enumOf({ Slack: 'slack' }, 'Chat tool. Only slack is supported.'),
      channel: string('Channel to post to, e.g. #deploys. Default: the webhook\'s own channel.', { maxLength: 80 }),
      username: string('Name the messages are posted under. Default: flowshift.', { maxLength: 80 }),
      address: httpUrl('Slack incoming-webhook URL. Prefer secretRef: the URL is a credential.'),
      secretRef: secretRef('Secret whose key "address" holds the Slack incoming-webhook URL.'),
    },
    {
      required: ['type'],
      tsName: 'AlertProviderSpec',
      rules: [
        rule('has(self.address) || has(self.secretRef)', 'set address or secretRef (a Secret whose key "address" holds the webhook URL)', {
          reason: 'FieldValueRequired',
        }),
        rule('!has(self.address) || !has(self.secretRef)', 'set address or secretRef, not both', {
          fieldPath: '.address',
          reason: 'FieldValueForbidden',
        }),
      ],
    },
  ),
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Chat tool.' },
    { name: 'Channel', type: 'string', jsonPath: '.spec.channel', description: 'Channel posted to.' },
  ],
};
