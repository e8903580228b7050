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
      HELLO: ['proto', 'uid', 'model', 'firmware', 'buttons', 'pending', 'inFlight'],
      WELCOME: ['proto', 'mark', 'inFlight'],
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
      // the spec-written arbitrary produces exactly these properties: every required one, and an
      // optional last fields (§10: WELCOME's mark, inFlight) only sometimes, so look at many samples
      const required = SCHEMAS[t].filter((f) => !('optional' in f && f.optional === true)).map((f) => f.name);
      const seen = new Set<string>();
      for (const sample of fc.sample(messageArbs[t], 50)) {
        const keys = Object.keys(sample).filter((k) => k !== 'type');
        expect(keys.filter((k) => !order[t]!.includes(k))).toEqual([]);
        for (const name of required) expect(keys).toContain(name);
        for (const k of keys) seen.add(k);
      }
      expect([...seen].sort()).toEqual([...order[t]!].sort());
    }
  });
});
