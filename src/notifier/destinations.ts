import type { AlertProviderType } from '../api/types.gen.js';
import type { Destination } from './destination.js';
import { discord } from './discord.js';
import { msteams } from './msteams.js';
import { slack } from './slack.js';
import { webhook } from './webhook.js';

/** Every AlertProvider type has a destination; the compiler checks none is missing. */
export const DESTINATIONS: Readonly<Record<AlertProviderType, Destination>> = { slack, msteams, discord, webhook };
