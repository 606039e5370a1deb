// The AlertProvider kind: a chat tool or webhook that receives release events.
import { enumOf, object, rule, string } from './builders.js';
import { httpUrl, secretRef } from './common.js';
import { allowedNamespacesField } from '../grants.js';
import { AlertProviderType } from './enums.js';
import type { KindDefinition } from './kind.js';

export const alertProvider: KindDefinition = {
  kind: 'AlertProvider',
  plural: 'alertproviders',
  singular: 'alertprovider',
  shortNames: ['ap'],
  description:
    'A destination for release events (Slack, Microsoft Teams, Discord or a generic JSON webhook), referenced from a Rollout alert with providerRef.',
  spec: object(
    'The destination. Its URL is a credential: it is read from the Secret named by secretRef, never from the AlertProvider itself.',
    {
      type: enumOf(AlertProviderType, 'Where messages go: slack (Block Kit), msteams (Adaptive Card), discord (embed) or webhook (flowshift\'s own JSON).', {
        ref: 'AlertProviderType',
      }),
      channel: string('Slack only: channel to post to, e.g. #deploys. Default: the webhook\'s own channel.', { maxLength: 80 }),
      username: string('Slack and Discord: name the messages are posted under. Default: flowshift.', { maxLength: 80 }),
      address: httpUrl('Not accepted: the URL is a credential. Put it in a Secret under the key "address" and name the Secret in secretRef.'),
      secretRef: secretRef(
        'Secret whose key "address" holds the URL: the Slack or Discord incoming-webhook URL, the Teams workflow (or incoming webhook) URL, or the webhook endpoint.',
      ),
      allowedNamespaces: allowedNamespacesField('AlertProvider', 'providerRef'),
    },
    {
      required: ['type', 'secretRef'],
      tsName: 'AlertProviderSpec',
      rules: [
        rule(
          '!has(self.address)',
          'address is not accepted: the URL is a credential; store it in a Secret under the key "address" and set secretRef.name to that Secret',
          { fieldPath: '.address', reason: 'FieldValueForbidden' },
        ),
        rule("!has(self.channel) || self.type == 'slack'", 'channel applies to slack only', { fieldPath: '.channel', reason: 'FieldValueForbidden' }),
        rule("!has(self.username) || self.type in ['slack', 'discord']", 'username applies to slack and discord only', {
          fieldPath: '.username',
          reason: 'FieldValueForbidden',
        }),
      ],
    },
  ),
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type', description: 'Destination kind.' },
    { name: 'Channel', type: 'string', jsonPath: '.spec.channel', description: 'Slack channel posted to.' },
    { name: 'Secret', type: 'string', jsonPath: '.spec.secretRef.name', description: 'Secret holding the URL.' },
  ],
};
