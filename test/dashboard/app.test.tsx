import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../dashboard/src/app.tsx';

let host: HTMLElement | undefined;
afterEach(() => host?.remove());

function mount(): HTMLElement {
  host = document.createElement('div');
  document.body.append(host);
  render(<App />, host);
  return host;
}

describe('dashboard shell (real Chromium)', () => {
  it('renders Vietnamese first, with the target formatted vi-VN', () => {
    const el = mount();
    expect(el.querySelector('h1')?.textContent).toBe('Bảng theo dõi mức độ hài lòng');
    expect(el.querySelector('[data-testid=target]')?.textContent).toBe('Mục tiêu: 80,00%');
    const levels = [...el.querySelectorAll('[data-testid=scale] li')].map((li) => li.textContent);
    expect(levels).toEqual([
      'Rất hài lòng · 2 điểm · tính là hài lòng',
      'Hài lòng · 1 điểm · tính là hài lòng',
      'Không hài lòng · 0 điểm',
    ]);
  });

  it('switches to English on the toggle', async () => {
    const el = mount();
    el.querySelector('button')!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(el.querySelector('h1')?.textContent).toBe('Satisfaction dashboard');
    expect(el.querySelector('[data-testid=target]')?.textContent).toBe('Target: 80.00%');
  });
});
