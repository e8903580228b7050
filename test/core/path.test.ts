import { describe, expect, it } from 'vitest';
import { counterKey, requireTerminalPath, sameTerminal, terminalKey, terminalPathOf, wardKey } from '../../core/path.ts';
import { T1, makeVote } from './arbitraries.ts';

describe('paths', () => {
  it('build group keys', () => {
    expect(terminalKey(T1)).toBe('ba-dinh/phuc-xa/quay-1/hop-1');
    expect(counterKey(T1)).toBe('ba-dinh/phuc-xa/quay-1');
    expect(wardKey(T1)).toBe('ba-dinh/phuc-xa');
  });

  it('compare and copy terminal paths', () => {
    const vote = makeVote(T1, 1, 'hai-long', 0);
    expect(sameTerminal(T1, vote)).toBe(true);
    expect(sameTerminal(T1, { ...T1, counter: 'quay-2' })).toBe(false);
    expect(terminalPathOf(vote)).toEqual(T1);
  });

  it('requireTerminalPath throws naming the field', () => {
    expect(requireTerminalPath(T1, 'path')).toEqual(T1);
    expect(() => requireTerminalPath({ ...T1, counter: 'Quầy 1' }, 'path')).toThrow(/path\.counter/);
    expect(() => requireTerminalPath(null as never, 'path')).toThrow(/path must/);
  });
});
