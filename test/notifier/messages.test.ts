import { describe, expect, it } from 'vitest';
import type { AlertProviderSpec, Rollout, RolloutStatus } from '../../src/api/types.gen.js';
import { decide } from '../../src/domain/decide/decide.js';
import type { Decision } from '../../src/domain/model.js';
import { DESTINATIONS } from '../../src/notifier/destinations.js';
import { notificationsOf } from '../../src/notifier/derive.js';
import { NOTIFIED_REASONS } from '../../src/notifier/kinds.js';
import { admits, type Notification } from '../../src/notifier/notification.js';
import { jobIdOf } from '../../src/notifier/release-notifier.js';
import { fail, input, NOW, pass, releasing, spec } from '../domain/fixtures.js';
import { rollout } from '../support/rollouts.js';

/** The Rollout as the API server holds it at resourceVersion. */
function writtenAt(status: RolloutStatus, resourceVersion: string): Rollout {
  return rollout({ namespace: 'shop', metadata: { uid: 'u-1', resourceVersion, generation: 1 }, spec: spec(), status });
}

/** The notifications of one decision, as the controller derives them after a won write. */
function notificationsFor(status: RolloutStatus, decision: Decision): Notification[] {
  return notificationsOf(writtenAt(status, '10'), writtenAt(decision.status, '11'), decision.events, {
    cluster: 'prod-eu-1',
    images: ['podinfo=ghcr.io/stefanprodan/podinfo:6.5.1'],
    now: NOW,
  });
}

const rollback = (): Notification => {
  // threshold 3: the third failed check at weight 20 rolls back.
  const status = releasing(20, { failedChecks: 2 });
  const [note] = notificationsFor(status, decide(input(status, {}, { verdict: fail })));
  if (!note) throw new Error('no notification for a rollback');
  return note;
};

const slackProvider: AlertProviderSpec = { type: 'slack', channel: '#deploys', secretRef: { name: 'slack-url' } };

describe('notifications derived from a decision', () => {
  it('a rollback is an error carrying the failed metric, its value, its bound and the weight it failed at', () => {
    const note = rollback();
    expect(note).toMatchObject({
      kind: 'rolled-back',
      severity: 'error',
      reason: 'RolledBack',
      rollout: { namespace: 'shop', name: 'podinfo', uid: 'u-1' },
      cluster: 'prod-eu-1',
      images: ['podinfo=ghcr.io/stefanprodan/podinfo:6.5.1'],
      phase: 'Failed',
      canaryWeight: 0,
      failedAtWeight: 20,
      failedChecks: 3,
      threshold: 3,
    });
    expect(note.evidence).toEqual([
      { name: 'request-success-rate', value: 91.2, thresholdRange: { min: 99 }, passed: false, message: 'request-success-rate 91.2 < 99' },
    ]);
  });

  it('a step is info, carries the new weight and no evidence', () => {
    const status = releasing(20);
    const [note] = notificationsFor(status, decide(input(status, {}, { verdict: pass })));
    expect(note).toMatchObject({ kind: 'step', severity: 'info', reason: 'Advanced', canaryWeight: 30, evidence: [] });
  });

  it('events that are no release transition (Initialized, RouteDrift) send nothing', () => {
    const note = notificationsOf(writtenAt({}, '1'), writtenAt({ phase: 'Initialized' }, '2'), [
      { type: 'Normal', reason: 'Initialized', message: 'initialized' },
      { type: 'Warning', reason: 'RouteDrift', message: 'changed by hand' },
    ], { cluster: undefined, images: [], now: NOW });
    expect(note).toEqual([]);
  });

  it('a Rollout whose spec became invalid is an error: the release is blocked', () => {
    const [note] = notificationsOf(writtenAt(releasing(20), '1'), writtenAt(releasing(20), '2'), [
      { type: 'Warning', reason: 'InvalidSpec', message: 'invalid: spec.service.port: must be at most 65535' },
    ], { cluster: undefined, images: [], now: NOW });
    expect(note).toMatchObject({ kind: 'blocked', severity: 'error', message: 'invalid: spec.service.port: must be at most 65535' });
    expect(note?.cluster).toBeUndefined();
  });

  it('maps gates to warn, failed checks to warn, rollbacks to error and every step to info', () => {
    expect(NOTIFIED_REASONS.WaitingPromotion?.severity).toBe('warn');
    expect(NOTIFIED_REASONS.AnalysisFailed?.severity).toBe('warn');
    expect(NOTIFIED_REASONS.RolledBack?.severity).toBe('error');
    for (const reason of ['NewRevision', 'Advanced', 'Promoting', 'Finalising', 'Succeeded']) expect(NOTIFIED_REASONS[reason]?.severity).toBe('info');
  });
});

describe('alert severity filter', () => {
  it.each([
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ] as const)('an alert of severity %s gets %j', (alert, expected) => {
    expect((['info', 'warn', 'error'] as const).filter((s) => admits(alert, s))).toEqual(expected);
  });
});

describe('message formats', () => {
  it('Slack: Block Kit with a header, the evidence and the fields, posted to the configured channel', () => {
    const body = DESTINATIONS.slack.payload(rollback(), slackProvider) as { channel: string; username: string; text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[] };
    expect(body.channel).toBe('#deploys');
    expect(body.username).toBe('flowshift');
    expect(body.text).toContain('Rolled back: shop/podinfo (prod-eu-1)');
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Rolled back: shop/podinfo (prod-eu-1)' } });
    const text = JSON.stringify(body.blocks);
    expect(text).toContain('request-success-rate: 91.20 (bound ≥ 99): failed');
    expect(text).toContain('*Failed at weight*\\n20%');
    expect(text).toContain('ghcr.io/stefanprodan/podinfo:6.5.1');
    expect(body.blocks.find((b) => b.fields)?.fields?.length).toBeLessThanOrEqual(10);
  });

  it('Teams: an Adaptive Card in a message envelope, with a fact set and the evidence', () => {
    const body = DESTINATIONS.msteams.payload(rollback(), { type: 'msteams', secretRef: { name: 'x' } }) as {
      type: string;
      attachments: { contentType: string; content: { type: string; version: string; body: { type: string; text?: string; facts?: { title: string; value: string }[] }[] } }[];
    };
    expect(body.type).toBe('message');
    const card = body.attachments[0];
    expect(card?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card?.content.type).toBe('AdaptiveCard');
    expect(card?.content.body[0]).toMatchObject({ type: 'TextBlock', text: 'Rolled back: shop/podinfo (prod-eu-1)', color: 'Attention' });
    const facts = card?.content.body.find((b) => b.type === 'FactSet')?.facts;
    expect(facts).toContainEqual({ title: 'Failed at weight', value: '20%' });
    expect(facts).toContainEqual({ title: 'Cluster', value: 'prod-eu-1' });
    expect(card?.content.body.some((b) => b.text?.includes('request-success-rate: 91.20 (bound ≥ 99)'))).toBe(true);
  });

  it('Discord: one red embed with inline fields that mentions nobody', () => {
    const body = DESTINATIONS.discord.payload(rollback(), { type: 'discord', secretRef: { name: 'x' } }) as {
      allowed_mentions: { parse: string[] };
      embeds: { title: string; color: number; fields: { name: string; value: string }[] }[];
    };
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds[0]?.title).toBe('Rolled back: shop/podinfo (prod-eu-1)');
    expect(body.embeds[0]?.color).toBe(0xe01e5a);
    expect(body.embeds[0]?.fields).toContainEqual({ name: 'Failed at weight', value: '20%', inline: true });
    expect(body.embeds[0]?.fields.find((f) => f.name === 'Checks')?.value).toContain('91.20 (bound ≥ 99)');
  });

  it('webhook: the notification as data under a versioned schema', () => {
    const note = rollback();
    expect(DESTINATIONS.webhook.payload(note, { type: 'webhook', secretRef: { name: 'x' } })).toEqual({
      schema: 'flowshift.io/notification/v1',
      title: 'Rolled back: shop/podinfo (prod-eu-1)',
      ...note,
    });
  });

  it('Slack escapes the characters mrkdwn treats as markup', () => {
    const note = { ...rollback(), message: 'p99 <script> & more' };
    expect(JSON.stringify(DESTINATIONS.slack.payload(note, slackProvider))).toContain('p99 &lt;script&gt; &amp; more');
  });
});

describe('job ids', () => {
  it('name the Rollout, the status write, the event and the alert, without ":" (BullMQ refuses it)', () => {
    const id = jobIdOf('6f1c-uid', '4711', 0, 'team');
    expect(id).toBe('6f1c-uid.4711.0.team');
    expect(id).not.toContain(':');
  });
});
