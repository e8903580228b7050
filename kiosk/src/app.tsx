import { DEFAULT_SCALE } from '../../core/index.ts';

/**
 * Kiosk shell. It shows the default scale but accepts no taps yet: a terminal
 * must not thank a citizen for a vote it cannot store (the durable outbox and
 * MQTT session arrive with issue #5).
 */
export function App() {
  return (
    <main lang="vi" style={{ fontFamily: 'system-ui, sans-serif', textAlign: 'center', marginTop: '3rem' }}>
      <h1>Ông/Bà có hài lòng với sự phục vụ hôm nay không?</h1>
      <ul data-testid="levels" style={{ listStyle: 'none', padding: 0 }}>
        {DEFAULT_SCALE.levels.map((level) => (
          <li key={level.key} style={{ fontSize: '2rem', margin: '1rem' }}>
            {level.label.vi}
          </li>
        ))}
      </ul>
      <p role="status" data-testid="state">
        Thiết bị chưa được cấu hình. Vui lòng liên hệ cán bộ.
      </p>
    </main>
  );
}
