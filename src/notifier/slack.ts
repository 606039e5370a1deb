import type { AlertProviderSpec } from '../api/types.gen.js';
import type { Destination } from './destination.js';
import type { Notification } from './notification.js';
import { evidenceLine, facts, title } from './text.js';

/** Slack Block Kit through an incoming webhook: https://api.slack.com/messaging/webhooks */
export const slack: Destination = {
  payload(n: Notification, provider: AlertProviderSpec): unknown {
    const fields = facts(n).map((f) => ({ type: 'mrkdwn', text: `*${f.label}*\n${escape(f.value)}` }));
    const blocks: unknown[] = [
      { type: 'header', text: { type: 'plain_text', text: title(n).slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: escape(n.message).slice(0, 3000) } },
      // A section takes at most 10 fields.
      { type: 'section', fields: fields.slice(0, 10) },
    ];
    if (n.evidence.length) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: n.evidence.map((e) => `• ${escape(evidenceLine(e))}`).join('\n').slice(0, 3000) } });
    }
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `flowshift · ${n.severity} · ${n.time}` }] });
    return {
      text: `${title(n)}: ${n.message}`,
      username: provider.username ?? 'flowshift',
      ...(provider.channel ? { channel: provider.channel } : {}),
      blocks,
    };
  },
};

/** Slack's mrkdwn treats &, < and > as control characters. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
