/** Shared fixtures of the hub tests: a hub config, valid votes and tallies as a unit's bridge publishes them. */
import type { HubConfig } from '../../../bridge/hub/hub-config.ts';
import type { Tally } from '../../../core/tally.ts';
import type { Vote } from '../../../core/vote.ts';

/** A district hub with three wards (accounts = unit id, password `pw-<unit>`) and a dashboard account. */
export function hubConfig(dataDir: string, overrides: Partial<HubConfig> = {}): HubConfig {
  return {
    parent: { level: 'district', id: 'ba-dinh', name: 'Quận Ba Đình' },
    target: 80,
    units: ['phuc-xa', 'truc-bach', 'lieu-giai'].map((id) => ({
      id,
      name: `Phường ${id}`,
      kind: 'phường' as const,
      target: 80,
      username: id,
      password: `pw-${id}`,
    })),
    broker: {
      port: 0,
      host: '127.0.0.1',
      anonymous: 'none',
      users: [{ username: 'lanh-dao', password: 'pw-lanh-dao', role: 'dashboard', district: 'ba-dinh' }],
    },
    mqtt: { urls: [] },
    web: { port: 0, host: '127.0.0.1' },
    retainMonths: 13,
    dataDir,
    reports: { dir: 'reports' },
    ...overrides,
  };
}

/** A valid vote of `ward`'s terminal `hop-1` at counter `quay-1`. */
export function vote(ward: string, seq: number, pressedAt = Date.UTC(2026, 10, 20, 3), terminal = 'hop-1'): Vote {
  return {
    v: 1,
    id: `${terminal}:${seq}`,
    district: 'ba-dinh',
    ward,
    counter: 'quay-1',
    terminal,
    seq,
    level: seq % 5 === 0 ? 'khong-hai-long' : 'hai-long',
    pressedAt,
    receivedAt: pressedAt + 10,
    source: 'button',
  };
}

/** The topic of a vote. */
export function voteTopic(v: Pick<Vote, 'district' | 'ward' | 'counter' | 'terminal'>): string {
  return `hailong/v1/${v.district}/${v.ward}/${v.counter}/${v.terminal}/vote`;
}

/** An empty-but-valid tally of `ward`'s `quay-1/hop-1` for `month`. */
export function tally(ward: string, month: string, seq = 1): Tally {
  return {
    v: 1,
    district: 'ba-dinh',
    ward,
    counter: 'quay-1',
    terminal: 'hop-1',
    month,
    seq,
    updatedAt: Date.UTC(2026, 10, 20),
    levels: ['rat-hai-long', 'hai-long', 'khong-hai-long'],
    days: { '20': { c: [1, 0, 0], f: [0, 0], h: { '10': [1, 0, 0] } } },
  };
}
