import { describe, expect, it } from 'vitest';
import { LEVEL_COLORS, PALETTE, TEXT_PAIRS, applyPalette, contrast } from '../../../dashboard/src/theme/palette.ts';

describe('palette (WCAG 2.x AA)', () => {
  it('computes contrast ratios like the WCAG definition', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('gives every text/background pair at least 4.5:1', () => {
    for (const [theme, fg, bg] of TEXT_PAIRS) {
      const colors = PALETTE[theme] as Record<string, string>;
      expect(contrast(colors[fg]!, colors[bg]!), `${theme} ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('gives level colours at least 3:1 against the tile (graphics)', () => {
    for (const [key, color] of Object.entries(LEVEL_COLORS)) expect(contrast(color, PALETTE.light.surface), key).toBeGreaterThanOrEqual(3);
  });

  it('sets the colours as CSS custom properties', () => {
    const el = document.createElement('div');
    applyPalette(el);
    expect(el.style.getPropertyValue('--text')).toBe(PALETTE.light.text);
    expect(el.style.getPropertyValue('--tv-bg')).toBe(PALETTE.dark.bg);
  });
});
