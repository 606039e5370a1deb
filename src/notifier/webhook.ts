import type { Destination } from './destination.js';
import type { Notification } from './notification.js';
import { title } from './text.js';

/** The schema version of the generic webhook body; bumped on an incompatible change. */
export const WEBHOOK_SCHEMA = 'flowshift.io/notification/v1';

/** flowshift's own JSON: the notification as data, for receivers that route or store it. */
export const webhook: Destination = {
  payload(n: Notification): unknown {
    return { schema: WEBHOOK_SCHEMA, title: title(n), ...n };
  },
};
