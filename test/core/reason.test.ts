import { describe, expect, it } from 'vitest';
import { isId } from '../../core/ids.ts';
import { STANDARD_REASONS, STANDARD_REASON_IDS, reasonLabel } from '../../core/reason.ts';
import { parseTerminalConfig, DEFAULT_TERMINAL_CONFIG } from '../../core/terminal-config.ts';

describe('reasons', () => {
  it('the standard ids are valid, distinct and fit a config', () => {
    expect(STANDARD_REASON_IDS.every(isId)).toBe(true);
    expect(new Set(STANDARD_REASON_IDS).size).toBe(STANDARD_REASONS.length);
    expect(parseTerminalConfig({ ...DEFAULT_TERMINAL_CONFIG, reasons: STANDARD_REASON_IDS }).ok).toBe(true);
  });

  it('labels in Vietnamese by default, English on request, unknown ids as themselves', () => {
    expect(reasonLabel('thoi-gian-cho')).toBe('Thời gian chờ');
    expect(reasonLabel('thoi-gian-cho', 'en')).toBe('Waiting time');
    expect(reasonLabel('bai-do-xe')).toBe('bai-do-xe');
    // An inherited property name must not resolve to anything.
    expect(reasonLabel('constructor')).toBe('constructor');
  });
});
