import { describe, expect, it } from 'vitest';
import { portCandidates, type DiscoveryFs } from '../../../bridge/serial/port-candidates.ts';

function fakeFs(files: Record<string, string>): DiscoveryFs {
  return {
    readdir: (dir) =>
      Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`) && !f.slice(dir.length + 1).includes('/'))
        .map((f) => f.slice(dir.length + 1)),
    realpath: (p) => files[p],
  };
}

describe('portCandidates', () => {
  it('auto: by-id names first, each device once, ttyACM/ttyUSB without a link after', () => {
    const fs = fakeFs({
      '/dev/serial/by-id/usb-hailong_box_A-if00': '/dev/ttyACM1',
      '/dev/ttyACM1': '/dev/ttyACM1',
      '/dev/ttyACM0': '/dev/ttyACM0',
      '/dev/ttyUSB0': '/dev/ttyUSB0',
      '/dev/ttyS0': '/dev/ttyS0',
    });
    expect(portCandidates('auto', [], fs)).toEqual([
      { path: '/dev/serial/by-id/usb-hailong_box_A-if00', realPath: '/dev/ttyACM1' },
      { path: '/dev/ttyACM0', realPath: '/dev/ttyACM0' },
      { path: '/dev/ttyUSB0', realPath: '/dev/ttyUSB0' },
    ]);
  });

  it('explicit lists expand * and skip paths that do not exist; pinned ports come first', () => {
    const fs = fakeFs({ '/tmp/p/tty-a': '/dev/pts/3', '/tmp/p/tty-b': '/dev/pts/4', '/tmp/p/other': '/dev/pts/5' });
    expect(portCandidates(['/tmp/p/tty-*', '/tmp/missing'], ['/tmp/p/tty-b'], fs).map((c) => c.path)).toEqual([
      '/tmp/p/tty-b',
      '/tmp/p/tty-a',
    ]);
  });
});
