/**
 * The ward's own MQTT link seen through the forwarding seam
 * (`UpstreamChannel`): what lets the revocation forwarder that serves the
 * hub also publish revocations on the ward's broker, with the journal's
 * `published` mark instead of `forwarded`.
 */
import type { UpstreamChannel } from '../upstream/upstream-channel.ts';
import type { MqttLink } from './mqtt-link.ts';

/** `link` as an `UpstreamChannel` (QoS 1 publishes; its `connect`/`offline` events). */
export function linkChannel(link: MqttLink): UpstreamChannel {
  return {
    get connected() {
      return link.connected;
    },
    get connectionAt() {
      return link.connectionAt;
    },
    publish: (topic, payload, retain) => link.publishText(topic, payload, 1, retain),
    // Both events carry no arguments on either side ('connect', 'offline').
    on: (event, listener) => link.on(event as 'connect' | 'offline', listener as () => void),
    off: (event, listener) => link.off(event as 'connect' | 'offline', listener as () => void),
  };
}
