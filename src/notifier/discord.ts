import type { AlertProviderSpec } from '../api/types.gen.js';
import type { Destination } from './destination.js';
import type { Notification } from './notification.js';
import { colour, evidenceLine, facts, title } from './text.js';

/** A Discord embed through a channel webhook: https://discord.com/developers/docs/resources/webhook#execute-webhook */
export const discord: Destination = {
  payload(n: Notification, provider: AlertProviderSpec): unknown {
    const fields = facts(n).map((f) => ({ name: f.label, value: f.value.slice(0, 1024), inline: true }));
    if (n.evidence.length) fields.push({ name: 'Checks', value: n.evidence.map((e) => `• ${evidenceLine(e)}`).join('\n').slice(0, 1024), inline: false });
    return {
      username: provider.username ?? 'flowshift',
      // Never ping anyone a message happens to name.
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: title(n).slice(0, 256),
          description: n.message.slice(0, 4096),
          color: colour(n),
          fields: fields.slice(0, 25),
          timestamp: n.time,
          footer: { text: `flowshift · ${n.severity}` },
        },
      ],
    };
  },
};
