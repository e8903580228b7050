/** The wall TV: public, so no diagnostics; a ward picker; labels that say what they show. */
import { describe, expect, it } from 'vitest';
import { liveWard, mount, text } from '../../harness.tsx';

describe('TV view', () => {
  it('shows no filtered presses: they are a supervisor diagnostic', async () => {
    const h = await mount('', '#/tv');
    await liveWard(h);
    const tv = h.el.querySelector('[data-testid=tv]')!;
    expect(text(tv.querySelector('[data-counter="ba-dinh/phuc-xa/quay-1"] [data-testid=votes-today]'))).toBe('4');
    expect(text(tv)).not.toMatch(/lọc|giãn cách|ngoài lượt/);
    expect(tv.querySelector('[data-testid=press-diagnostics]')).toBeNull();
  });
});
