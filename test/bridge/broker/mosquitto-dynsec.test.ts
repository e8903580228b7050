import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ownKioskClientId } from '../../../bridge/broker/access.ts';
import type { BrokerUser } from '../../../bridge/broker/broker-user.ts';
import { DYNSEC_ITERATIONS, mosquittoDynsec } from '../../../bridge/broker/mosquitto-dynsec.ts';

// The plugin itself loads these files in test/bridge/broker/mosquitto-config.test.ts (a real Mosquitto).
describe('mosquittoDynsec', () => {
  const setup: { users: readonly BrokerUser[] } = {
    users: [
      { username: 'bridge', password: 'b', role: 'bridge', district: 'q1', ward: 'p-ben-nghe' },
      { username: 'kiosk-1', password: 'k', role: 'kiosk', district: 'q1', ward: 'p-ben-nghe', counter: 'q03', terminal: 'k1' },
      { username: 'desk', password: 'd', role: 'desk', district: 'q1', ward: 'p-ben-nghe' },
    ],
  };

  it("writes the plugin's config: hashed passwords, the grants of access.ts as role ACLs, kiosks bound to their id", () => {
    const salt = () => Uint8Array.from({ length: 12 }, (_, i) => i);
    const dynsec = JSON.parse(mosquittoDynsec(setup.users, 'read', { salt }));
    expect(dynsec.defaultACLAccess).toEqual({ publishClientSend: false, publishClientReceive: false, subscribe: true, unsubscribe: true });
    expect(dynsec.anonymousGroup).toBe('hailong-anonymous');
    const acls = (name: string) =>
      dynsec.roles
        .find((r: { rolename: string }) => r.rolename === name)
        .acls.map((a: { acltype: string; topic: string; allow: boolean }) => `${a.acltype} ${a.topic} ${a.allow}`);
    expect(acls('hailong-anonymous')).toEqual(['publishClientReceive hailong/v1/# true']);
    expect(acls('hailong-account-bridge')).toEqual([
      'publishClientSend hailong/v1/q1/p-ben-nghe/# true',
      'publishClientReceive hailong/v1/q1/p-ben-nghe/# true',
      'publishClientReceive hailong/v1/q1/_archived/p-ben-nghe/+ true',
    ]);
    expect(acls('hailong-account-kiosk-1')).toEqual([
      'publishClientSend hailong/v1/q1/p-ben-nghe/q03/k1/vote true',
      'publishClientSend hailong/v1/q1/p-ben-nghe/q03/k1/status true',
      'publishClientReceive hailong/v1/q1/p-ben-nghe/q03/k1/# true',
      'publishClientReceive hailong/v1/q1/p-ben-nghe/q03/_served true',
      'publishClientReceive hailong/v1/q1/p-ben-nghe/q03/_session true',
      'publishClientReceive hailong/v1/q1/p-ben-nghe/_office true',
    ]);
    expect(acls('hailong-account-desk')).toEqual([
      'publishClientSend hailong/v1/q1/p-ben-nghe/+/_served true',
      'publishClientSend hailong/v1/q1/p-ben-nghe/+/_session true',
      'publishClientReceive hailong/v1/q1/p-ben-nghe/# true',
    ]);
    const [bridge, kiosk] = dynsec.clients;
    expect(kiosk).toMatchObject({
      username: 'kiosk-1',
      clientid: ownKioskClientId(setup.users[1]!),
      iterations: DYNSEC_ITERATIONS,
      roles: [{ rolename: 'hailong-account-kiosk-1' }],
    });
    expect(kiosk.clientid).toMatch(/^hailong-kiosk-q1\.p-ben-nghe\.k1\.[0-9a-f]{16}$/);
    // The bridge connects with two ids (its link and its kiosk-vote subscription): bound by its secret suffix, not by the plugin.
    expect(bridge.clientid).toBeUndefined();
    expect(bridge.salt).toBe(Buffer.from(salt()).toString('base64'));
    expect(bridge.password).toBe(pbkdf2Sync('b', Buffer.from(salt()), DYNSEC_ITERATIONS, 64, 'sha512').toString('base64'));
    expect(mosquittoDynsec(setup.users, 'read')).not.toContain('"k"');
    // Without anonymous access, no anonymous group; other accounts bound on request (the hub).
    const strictDynsec = JSON.parse(mosquittoDynsec([setup.users[0]!], 'none', { clientIds: { bridge: 'the-id' } }));
    expect(strictDynsec.anonymousGroup).toBeUndefined();
    expect(strictDynsec.groups).toEqual([]);
    expect(strictDynsec.clients[0].clientid).toBe('the-id');
    expect(() => mosquittoDynsec([setup.users[0]!], 'none', { clientIds: { nobody: 'x' } })).toThrow('"clientIds" names nobody');
    expect(() => mosquittoDynsec([setup.users[0]!], 'none', { salt: () => new Uint8Array(8) })).toThrow('12 bytes');
  });
});
