import { describe, expect, it } from 'vitest';
import { csvUndefuse } from '../../../core/csv.ts';
import type { Vote } from '../../../core/vote.ts';
import { voteCsvHeader, voteCsvRow, VOTE_CSV_COLUMNS } from '../../../bridge/export/vote-csv.ts';

const VOTE: Vote = {
  v: 1, id: 'hop-1:7', seq: 7, district: 'ba-dinh', ward: 'phuc-xa', counter: 'quay-1', terminal: 'hop-1',
  level: 'hai-long', pressedAt: Date.UTC(2026, 10, 23, 2, 0), receivedAt: Date.UTC(2026, 10, 23, 2, 0), source: 'touch',
  officer: '=cmd|\' /C calc\'!A0', ticket: '@SUM(1+1)*cmd',
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
