import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingest, oldestRetainedMonth, type IngestScope } from '../../../bridge/hub/hub-ingest.ts';
import { revocationMessages } from '../../../core/revocation.ts';
import { publicationFor } from '../../../core/topic-payload.ts';
import { tally, vote, voteTopic } from './hub-fixtures.ts';

const scope: IngestScope = {
  parent: 'ba-dinh',
  parentName: 'Tỉnh Gia Lai',
  units: new Map([
    ['phuc-xa', { name: 'Phường Phúc Xá', target: 85 }],
    ['truc-bach', { name: 'Phường Trúc Bạch', target: 80 }],
  ]),
  retainMonths: 13,
};
const NOW = Date.UTC(2026, 10, 20, 5);

describe('ingest', () => {
  it('archives a vote by its unit and id', () => {
    const v = vote('phuc-xa', 7);
    expect(ingest(scope, voteTopic(v), JSON.stringify(v), NOW)).toEqual({
      accept: true,
      retain: false,
      record: { type: 'vote', unit: 'phuc-xa', id: 'hop-1:7', pressedAt: v.pressedAt, payload: JSON.stringify(v) },
    });
  });

  it('refuses, with a code, what is not this hub’s', () => {
    const foreign = { ...vote('phuc-xa', 1), district: 'other' };
    expect(ingest(scope, voteTopic(foreign), JSON.stringify(foreign), NOW)).toMatchObject({ accept: false, code: 'foreign-parent' });
    const unknown = vote('nowhere', 1);
    expect(ingest(scope, voteTopic(unknown), JSON.stringify(unknown), NOW)).toMatchObject({
      accept: false,
      code: 'unknown-unit',
      record: { unit: 'nowhere' },
    });
    const mismatch = { ...vote('phuc-xa', 1), ward: 'truc-bach' };
    expect(ingest(scope, voteTopic(vote('phuc-xa', 1)), JSON.stringify(mismatch), NOW)).toMatchObject({
      accept: false,
      code: 'topic-mismatch',
    });
  });

  it("archives a unit's revocation under that unit, forwarded live and never retained; refuses one of an unknown unit or another parent", () => {
    const rev = (district: string, ward: string) => {
      const place = { district, ward };
      const [m] = revocationMessages(place, {
        id: 4,
        at: NOW,
        by: 'Hà Văn Sơn',
        reason: 'Bấm thử',
        terminal: 'kiosk-1',
        votes: ['kiosk-1:9'],
      });
      return { m: m!, p: publicationFor('revocation', place, m!) };
    };
    const own = rev('ba-dinh', 'phuc-xa');
    expect(ingest(scope, own.p.topic, own.p.payload, NOW)).toEqual({
      accept: true,
      retain: false,
      record: { type: 'revocation', unit: 'phuc-xa', revocation: own.m },
    });
    const unknown = rev('ba-dinh', 'nowhere');
    expect(ingest(scope, unknown.p.topic, unknown.p.payload, NOW)).toMatchObject({ accept: false, code: 'unknown-unit' });
    const foreign = rev('other', 'phuc-xa');
    expect(ingest(scope, foreign.p.topic, foreign.p.payload, NOW)).toMatchObject({ accept: false, code: 'foreign-parent' });
  });

  it('retains the tallies of the window only', () => {
    expect(oldestRetainedMonth(NOW, 13)).toBe('2025-11');
    expect(oldestRetainedMonth(NOW, 1)).toBe('2026-11');
    expect(oldestRetainedMonth(Date.UTC(2026, 0, 31, 17, 30), 1)).toBe('2026-02'); // 00:30 on 1 Feb in Vietnam
    const topic = (m: string) => `hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/tally/${m}`;
    expect(ingest(scope, topic('2025-11'), JSON.stringify(tally('phuc-xa', '2025-11')), NOW)).toMatchObject({ accept: true, retain: true });
    expect(ingest(scope, topic('2025-10'), JSON.stringify(tally('phuc-xa', '2025-10')), NOW)).toMatchObject({
      accept: true,
      retain: false,
      record: { month: '2025-10' },
    });
  });

  it('passes a cleared retained message on, archiving nothing', () => {
    expect(ingest(scope, 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/status', '', NOW)).toEqual({
      accept: true,
      retain: true,
      record: undefined,
    });
    expect(ingest(scope, 'hailong/v1/ba-dinh/phuc-xa/quay-1/hop-1/vote', '', NOW)).toMatchObject({ accept: false, code: 'empty-payload' });
  });

  it('never throws, and accepts only what parses, whatever the topic and payload', () => {
    const topics = fc.oneof(
      fc.string(),
      fc.constantFrom(
        voteTopic(vote('phuc-xa', 1)),
        'hailong/v1/ba-dinh/phuc-xa/_office',
        'hailong/v1/ba-dinh/truc-bach/quay-1/hop-1/tally/2026-11',
      ),
    );
    const payloads = fc.oneof(fc.string(), fc.json(), fc.constant(JSON.stringify(vote('phuc-xa', 1))));
    fc.assert(
      fc.property(topics, payloads, (topic, payload) => {
        const d = ingest(scope, topic, payload, NOW);
        if (d.accept && d.record?.type === 'vote') expect(d.record.unit).toBe('phuc-xa');
        if (!d.accept) expect(d.record).toMatchObject({ type: 'refused', code: d.code });
      }),
      { numRuns: 3000 },
    );
  });
});
