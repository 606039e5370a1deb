import type { AlertProviderSpec } from '../api/types.gen.js';
import type { Notification } from './notification.js';

/** One kind of destination: turns a notification into the body POSTed to its URL. */
export interface Destination {
  payload(notification: Notification, provider: AlertProviderSpec): unknown;
}
