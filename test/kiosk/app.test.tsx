import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../kiosk/src/app.tsx';

let host: HTMLElement | undefined;
afterEach(() => host?.remove());

describe('kiosk shell (real Chromium)', () => {
  it('shows the official scale and refuses to take votes until configured', () => {
    host = document.createElement('div');
    document.body.append(host);
    render(<App />, host);
    const labels = [...host.querySelectorAll('[data-testid=levels] li')].map((li) => li.textContent);
    expect(labels).toEqual(['Rất hài lòng', 'Hài lòng', 'Không hài lòng']);
    // No button exists to tap: a vote that cannot be stored must not be taken.
    expect(host.querySelectorAll('button')).toHaveLength(0);
    expect(host.querySelector('[data-testid=state]')?.textContent).toContain('chưa được cấu hình');
  });
});
