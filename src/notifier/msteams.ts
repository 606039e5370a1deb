import type { Destination } from './destination.js';
import type { Notification } from './notification.js';
import { evidenceLine, facts, title } from './text.js';

/**
 * A Microsoft Teams Adaptive Card, in the message envelope that both a
 * Workflows ("Post to a channel when a webhook request is received") URL and a
 * legacy incoming webhook accept.
 */
export const msteams: Destination = {
  payload(n: Notification): unknown {
    const body: unknown[] = [
      { type: 'TextBlock', text: title(n), weight: 'Bolder', size: 'Medium', wrap: true, color: COLOURS[n.severity] },
      { type: 'TextBlock', text: n.message, wrap: true },
      { type: 'FactSet', facts: facts(n).map((f) => ({ title: f.label, value: f.value })) },
    ];
    if (n.evidence.length) {
      body.push({ type: 'TextBlock', text: 'Checks', weight: 'Bolder', wrap: true });
      for (const e of n.evidence) body.push({ type: 'TextBlock', text: `- ${evidenceLine(e)}`, wrap: true, spacing: 'None' });
    }
    body.push({ type: 'TextBlock', text: `flowshift · ${n.severity} · ${n.time}`, isSubtle: true, size: 'Small', wrap: true });
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' }, body },
        },
      ],
    };
  },
};

const COLOURS = { info: 'Good', warn: 'Warning', error: 'Attention' } as const;
