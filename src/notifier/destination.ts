import type { AlertProviderSpec, AlertProviderType } from '../api/types.gen.js';
import { discord } from './discord.js';
import { msteams } from './msteams.js';
import type { Notification } from './notification.js';
import { slack } from './slack.js';
import { webhook } from './webhook.js';

/** One kind of destination: turns a notification into the body POSTed to its URL. */
export interface Destination {
  payload(notification: Notification, provider: AlertProviderSpec): unknown;
}

/** Every AlertProvider type has a destination; the compiler checks none is missing. */
export const DESTINATIONS: Readonly<Record<AlertProviderType, Destination>> = { slack, msteams, discord, webhook };
