import { describe, expect, it } from 'vitest';
import { csvUndefuse } from '../../../core/csv.ts';
import type { Vote } from '../../../core/vote.ts';
import { voteCsvHeader, voteCsvRow, VOTE_CSV_COLUMNS } from '../../../bridge/export/vote-csv.ts';

const VOTE: Vote = {
  v: 1,
  id: 'hop-1:7',
  seq: 7,
  district: 'ba-dinh',
  ward: 'phuc-xa',
  counter: 'quay-1',
  terminal: 'hop-1',
  level: 'hai-long',
  pressedAt: Date.UTC(2026, 10, 23, 2, 0),
  receivedAt: Date.UTC(2026, 10, 23, 2, 0),
  source: 'touch',
  officer: "=cmd|' /C calc'!A0",
  ticket: '@SUM(1+1)*cmd',
} as Vote;

describe('vote CSV export (issue 13, item 6)', () => {
  it('defuses an officer or ticket a spreadsheet would run as a formula, through the core writer', () => {
    const line = voteCsvRow(VOTE);
    const cells = line.replace(/\r\n$/, '').split(',');
    expect(cells).toHaveLength(VOTE_CSV_COLUMNS.length);
    const officer = cells[VOTE_CSV_COLUMNS.indexOf('Cán bộ (officer)')]!;
    const ticket = cells[VOTE_CSV_COLUMNS.indexOf('Số phiếu chờ (ticket)')]!;
    expect(officer.startsWith("'=")).toBe(true);
    expect(ticket).toBe("'@SUM(1+1)*cmd");
    expect(csvUndefuse(officer)).toBe(VOTE.officer);
    expect(voteCsvHeader().endsWith('\r\n')).toBe(true);
  });
});

describe('vote CSV export: reasons (issue 12, item 2)', () => {
  it('names the reasons of a low vote in words beside their ids', () => {
    const vote = { ...VOTE, level: 'khong-hai-long', reasons: ['thoi-gian-cho', 'thai-do'], officer: 'cb-1', ticket: 'A12' } as Vote;
    const cells = voteCsvRow(vote).replace(/\r\n$/, '').split(',');
    expect(cells[VOTE_CSV_COLUMNS.indexOf('Lý do (reasons)')]).toBe('thoi-gian-cho thai-do');
    expect(cells[VOTE_CSV_COLUMNS.indexOf('Lý do, diễn giải (reason names)')]).toBe('Thời gian chờ; Thái độ phục vụ');
    expect(VOTE_CSV_COLUMNS.join(',')).not.toContain('Quận');
  });
});
