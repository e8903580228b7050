import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCALE,
  foldTallies,
  isOpenAt,
  localMidnight,
  parseOffice,
  parseTally,
  satisfiedPercent,
  weekdayOf,
  type Tally,
} from '../../../core/index.ts';
import { generateHistory, type HistoryOptions } from '../../../bridge/demo/history.ts';
import { demoWards, historyOffice, wardSlug } from '../../../bridge/demo/demo-wards.ts';

const wards = demoWards({ wards: 3, counters: 3, terminals: 2, officers: 2 });
const year: HistoryOptions = { district: 'ba-dinh', wards, from: '2025-01-01', to: '2025-12-31', seed: 7 };

function dayTotal(t: Tally, day: string): number {
  return t.days[day]?.c.reduce((a, b) => a + b, 0) ?? 0;
}

describe('generateHistory', () => {
  const tallies = generateHistory(year);

  it('returns one valid tally per terminal-month, each passing core parseTally', () => {
    // 3 wards × 3 counters × 2 terminals × 12 months
    expect(tallies).toHaveLength(3 * 3 * 2 * 12);
    for (const t of tallies) {
      const parsed = parseTally(JSON.stringify(t));
      expect(parsed.ok, parsed.ok ? '' : parsed.message).toBe(true);
      if (parsed.ok) expect(parsed.value).toEqual(t);
    }
  });

  it('is deterministic for a seed, and differs across seeds', () => {
    expect(JSON.stringify(generateHistory(year))).toBe(JSON.stringify(tallies));
    expect(JSON.stringify(generateHistory({ ...year, seed: 8 }))).not.toBe(JSON.stringify(tallies));
  });

  it("keeps a ward's numbers when other wards are added (one random stream per place)", () => {
    const one = generateHistory({ ...year, wards: [wards[1]!] });
    expect(one).toEqual(tallies.filter((t) => t.ward === wards[1]!.id));
  });

  it('has realistic volumes: tens of votes per counter per weekday, none on Sundays', () => {
    const monday = '2025-03-03';
    const sunday = '2025-03-09';
    expect(weekdayOf(monday)).toBe(0);
    expect(weekdayOf(sunday)).toBe(6);
    const march = tallies.filter((t) => t.month === '2025-03');
    const perCounter = new Map<string, number>();
    for (const t of march) {
      expect(t.days['09']).toBeUndefined();
      const key = `${t.ward}/${t.counter}`;
      perCounter.set(key, (perCounter.get(key) ?? 0) + dayTotal(t, '03'));
    }
    for (const n of perCounter.values()) {
      expect(n).toBeGreaterThanOrEqual(10);
      expect(n).toBeLessThanOrEqual(90);
    }
  });

  it('puts every vote inside opening hours (Saturday morning only)', () => {
    const office = historyOffice(wards[0]!, { district: 'ba-dinh' });
    for (const t of tallies.slice(0, 24)) {
      for (const [day, entry] of Object.entries(t.days)) {
        const date = `${t.month}-${day}`;
        for (const hour of Object.keys(entry.h)) {
          const h = Number(hour);
          // Some minute of that hour is open.
          const start = localMidnight(date) + h * 3_600_000;
          const open = [0, 15, 30, 45, 59].some((m) => isOpenAt(office.openingHours, start + m * 60_000));
          expect(open, `${date} ${hour}h`).toBe(true);
          if (weekdayOf(date) === 5) expect(h).toBeLessThan(12);
        }
      }
    }
  });

  it('gives ~95–99% satisfied with differences between wards, and a few filtered presses', () => {
    const byWard = foldTallies(tallies, { from: year.from, to: year.to, by: 'ward', scale: DEFAULT_SCALE });
    const percents = [...byWard.values()].map((s) => satisfiedPercent(s) as number);
    for (const p of percents) {
      expect(p).toBeGreaterThan(94);
      expect(p).toBeLessThan(99.9);
    }
    expect(new Set(percents).size).toBe(percents.length);
    const all = [...byWard.values()];
    const filtered = all.reduce((n, s) => n + s.filtered.cooldown, 0);
    const total = all.reduce((n, s) => n + s.total, 0);
    expect(filtered).toBeGreaterThan(0);
    expect(filtered / total).toBeLessThan(0.05);
  });

  it('honours satisfiedShare, officers and the until cut-off', () => {
    const low = generateHistory({ ...year, wards: [{ ...wards[0]!, satisfiedShare: 0.8 }] });
    const s = foldTallies(low, { from: year.from, to: year.to, by: 'all', scale: DEFAULT_SCALE }).get('all')!;
    expect(satisfiedPercent(s)).toBeGreaterThan(77);
    expect(satisfiedPercent(s)).toBeLessThan(83);
    const officers = foldTallies(tallies, { from: year.from, to: year.to, by: 'officer', scale: DEFAULT_SCALE });
    expect([...officers.keys()]).toContain(`ba-dinh/${wards[0]!.id}/cb-1`);
    const until = localMidnight('2025-06-15');
    const cut = generateHistory({ ...year, until });
    expect(cut.every((t) => t.month <= '2025-06' && t.updatedAt <= until)).toBe(true);
  });

  it('numbers presses in time order across months (seq grows month by month)', () => {
    const t1 = tallies.filter((t) => t.terminal === wards[0]!.counters[0]!.terminals[0] && t.ward === wards[0]!.id);
    for (let i = 1; i < t1.length; i++) expect(t1[i]!.seq).toBeGreaterThan(t1[i - 1]!.seq);
  });

  it('throws naming the option on programmer errors', () => {
    expect(() => generateHistory({ ...year, district: 'Ba Đình' })).toThrow(/options.district/);
    expect(() => generateHistory({ ...year, from: '2025-12-31', to: '2025-01-01' })).toThrow(/options.from/);
    expect(() => generateHistory({ ...year, wards: [{ id: 'x', counters: [{ id: 'c', terminals: [] }] }] })).toThrow(/terminals is empty/);
  });
});

describe('historyOffice and demoWards', () => {
  it('produces office payloads with Vietnamese names that pass parseOffice', () => {
    const office = historyOffice(wards[0]!, { district: 'ba-dinh', index: 0, updatedAt: 1 });
    expect(parseOffice(JSON.stringify(office))).toEqual({ ok: true, value: office });
    expect(office.wardName).toBe('Phường Phúc Xá');
    expect(office.counters[0]!.name).toBe('Quầy 1 – Tư pháp – Hộ tịch');
    expect(office.target).toBe(80);
  });

  it('slugs ward names into ids', () => {
    expect(wardSlug('Phường Phúc Xá')).toBe('phuc-xa');
    expect(wardSlug('Phường Điện Biên')).toBe('dien-bien');
    expect(demoWards({ wards: 16 }).map((w) => w.id)).toContain('phuc-xa-2');
  });
});
