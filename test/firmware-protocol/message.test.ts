import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MESSAGE_TYPES, SCHEMAS, isMessageType } from '../../firmware-protocol/src/message.ts';
import { messageArbs } from './helpers.ts';

describe('message schema table', () => {
  it('lists the ten v1 types', () => {
    expect(MESSAGE_TYPES).toEqual(['HELLO', 'WELCOME', 'VOTE', 'ACK', 'NAK', 'PING', 'PONG', 'CONFIG', 'OPEN', 'EVENT']);
    for (const t of MESSAGE_TYPES) expect(isMessageType(t)).toBe(true);
  });

  it('has one entry per property of each message shape, in the draft wire order', () => {
    const order: Record<string, string[]> = {
      HELLO: ['proto', 'uid', 'model', 'firmware', 'buttons', 'pending'],
      WELCOME: ['proto', 'mark'],
      VOTE: ['seq', 'button', 'reason', 'ageMs', 'flags'],
      ACK: ['seq', 'status'],
      NAK: ['seq', 'reason'],
      PING: ['nonce'],
      PONG: ['nonce'],
      CONFIG: ['buttons', 'cooldownMs', 'mode', 'windowMs', 'leds', 'buzzer'],
      OPEN: ['windowMs'],
      EVENT: ['code', 'value'],
    };
    for (const t of MESSAGE_TYPES) {
      expect(SCHEMAS[t].map((f) => f.name)).toEqual(order[t]);
      // the spec-written arbitrary produces exactly these properties
      const [sample] = fc.sample(messageArbs[t], 1);
      expect(Object.keys(sample!).filter((k) => k !== 'type').sort()).toEqual([...order[t]!].sort());
    }
  });
});
