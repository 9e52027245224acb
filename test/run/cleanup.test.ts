// The post step's sweep: which machines of this action count as expired. A
// deadline tag alone never condemns a machine: anything that reaches Fly's
// machine API can rewrite metadata, so its age (created_at, set by Fly) and the
// timeout it was created with must say so too.
import { describe, expect, it } from 'vitest';
import type { Machine } from '../../src/fly/types.ts';
import { IMAGE_DEADLINE_GRACE_MS, isExpired } from '../../src/run/cleanup.ts';
import { MAX_TIMEOUT_MINUTES } from '../../src/settings.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const s = (ms: number) => String(Math.floor(ms / 1000));

function machine(createdMs: number, tagMs: number, envDeadlineMs?: number): Machine {
  return {
    id: 'm1',
    state: 'started',
    created_at: new Date(createdMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    config: { image: 'x', metadata: { 'cfa-deadline': s(tagMs) }, ...(envDeadlineMs ? { env: { CFA_DEADLINE: s(envDeadlineMs) } } : {}) },
  } as Machine;
}

describe('isExpired', () => {
  it('takes a machine past its deadline tag and past created_at + timeout + grace', () => {
    const created = NOW - 3_600_000;
    const deadline = created + 30 * 60_000;
    expect(isExpired(machine(created, deadline, deadline), NOW)).toBe(true);
  });

  it('spares a young machine whose tag was rewritten into the past', () => {
    const created = NOW - 60_000;
    expect(isExpired(machine(created, NOW - 3_600_000, created + 30 * 60_000), NOW)).toBe(false);
  });

  it('counts the grace after created_at + timeout', () => {
    const created = NOW - 40 * 60_000;
    const deadline = created + 30 * 60_000;
    const m = machine(created, deadline, deadline);
    expect(isExpired(m, deadline + IMAGE_DEADLINE_GRACE_MS - 1000)).toBe(false);
    expect(isExpired(m, deadline + IMAGE_DEADLINE_GRACE_MS)).toBe(true);
  });

  it('a CFA_DEADLINE before created_at counts as no timeout, never as a head start', () => {
    const created = NOW - 60_000;
    expect(isExpired(machine(created, NOW - 3_600_000, created - 3_600_000), NOW)).toBe(false);
    expect(isExpired(machine(created, NOW - 3_600_000, created - 3_600_000), created + IMAGE_DEADLINE_GRACE_MS)).toBe(true);
  });

  it('without a readable CFA_DEADLINE the longest timeout the action allows applies', () => {
    const created = NOW - 24 * 3_600_000;
    expect(isExpired(machine(created, NOW - 60_000), NOW)).toBe(false);
    expect(isExpired(machine(created, NOW - 60_000), created + MAX_TIMEOUT_MINUTES * 60_000 + IMAGE_DEADLINE_GRACE_MS)).toBe(true);
  });

  it('never takes a machine whose tag is in the future, unreadable, or whose created_at is unknown', () => {
    const created = NOW - 3 * 3_600_000;
    expect(isExpired(machine(created, NOW + 60_000, created + 60_000), NOW)).toBe(false);
    const noTag = machine(created, 0, created + 60_000);
    noTag.config!.metadata = {};
    expect(isExpired(noTag, NOW)).toBe(false);
    const noCreated = machine(created, created + 60_000, created + 60_000);
    delete noCreated.created_at;
    expect(isExpired(noCreated, NOW)).toBe(false);
  });
});
