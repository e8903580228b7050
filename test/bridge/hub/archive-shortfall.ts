/**
 * Why the hub archive is short of the wards' votes, for a failure message:
 * a vote the ward's forwarder had acknowledged by the broker (journal
 * `forwarded = 1`, set only on PUBACK) but absent from the archive was
 * LOST between the broker and the hub; a vote not yet acknowledged
 * (`forwarded = 0`) is only LATE (still in the ward's outbox). With the
 * tails of the hub's and the NATS nodes' logs and the JetStream consumers
 * the nodes report (a consumer created after a fault means the hub's
 * session lost its queue: docs/PROVINCE.md, "What differs from Mosquitto").
 */
import type { Vote } from '../../../core/vote.ts';
import type { NatsCluster } from '../../helpers/nats-cluster.ts';
import { archiveKeys, readRows } from './federation-rig.ts';

/** A ward office's journal, read as it is on disk. */
export interface WardJournal {
  readonly id: string;
  readonly journal: string;
  /** Its bridge's log lines so far, at info: those of its link to the cluster and forwarder are reported. */
  readonly log?: () => string;
}

/** What a shortfall report reads. */
export interface ShortfallSources {
  readonly archive: string;
  readonly wards: readonly WardJournal[];
  /** The hub's log lines so far. */
  readonly hubLog: string;
  readonly cluster: NatsCluster;
}

/** The counts behind a shortfall. */
export interface Shortfall {
  readonly archived: number;
  /** Acknowledged by the broker to a ward's forwarder, absent from the archive. */
  readonly lost: readonly string[];
  /** Still in a ward's outbox (not acknowledged), absent from the archive. */
  readonly late: readonly string[];
}

const SAMPLE = 20;

/** Compares the ward journals with the archive, by `unit/vote id`. */
export function shortfall(archive: string, wards: readonly WardJournal[]): Shortfall {
  const have = new Set(archiveKeys(archive));
  const lost: string[] = [];
  const late: string[] = [];
  for (const w of wards) {
    for (const r of readRows<{ payload: string; forwarded: number }>(w.journal, 'SELECT payload, forwarded FROM votes')) {
      const key = `${w.id}/${(JSON.parse(r.payload) as Vote).id}`;
      if (have.has(key)) continue;
      (r.forwarded === 1 ? lost : late).push(key);
    }
  }
  return { archived: have.size, lost, late };
}

const tail = (text: string, lines: number) => text.trimEnd().split('\n').slice(-lines).join('\n');

/** A bridge's lines about its link to the cluster and its forwarder (pino `part: upstream`). */
const upstreamLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.includes('"part":"upstream"'))
    .join('\n');

/** The JetStream consumers of the MQTT message stream, as one live node reports them (name, created, pending). */
async function consumers(cluster: NatsCluster): Promise<{ readonly text: string; readonly queued: number }> {
  for (const node of cluster.nodes) {
    const url = `http://127.0.0.1:${node.httpPort}/jsz?accounts=true&streams=true&consumers=true`;
    const body = await fetch(url)
      .then((r) => (r.ok ? (r.json() as Promise<JszReply>) : undefined))
      .catch(() => undefined);
    if (body === undefined) continue;
    const lines: string[] = [];
    let queued = 0;
    for (const account of body.account_details ?? []) {
      for (const stream of account.stream_detail ?? []) {
        if (stream.name !== '$MQTT_msgs') continue;
        lines.push(`${stream.name}: ${stream.state?.messages ?? '?'} messages, last seq ${stream.state?.last_seq ?? '?'}`);
        for (const c of stream.consumer_detail ?? []) {
          queued += (c.num_pending ?? 0) + (c.num_ack_pending ?? 0);
          lines.push(
            `  ${c.name} created ${c.created} delivered ${c.delivered?.stream_seq ?? '?'} ack floor ${c.ack_floor?.stream_seq ?? '?'} pending ${c.num_pending ?? '?'} ack pending ${c.num_ack_pending ?? '?'}`,
          );
        }
      }
    }
    return { text: `consumers (node ${node.name}):\n${lines.join('\n')}`, queued };
  }
  return { text: 'consumers: no node answered /jsz', queued: 0 };
}

interface JszReply {
  readonly account_details?: readonly {
    readonly stream_detail?: readonly {
      readonly name: string;
      readonly state?: { readonly messages?: number; readonly last_seq?: number };
      readonly consumer_detail?: readonly {
        readonly name: string;
        readonly created: string;
        readonly delivered?: { readonly stream_seq?: number };
        readonly ack_floor?: { readonly stream_seq?: number };
        readonly num_pending?: number;
        readonly num_ack_pending?: number;
      }[];
    }[];
  }[];
}

/** The failure message: LOST or LATE, with samples, counts and the logs' tails. */
export async function shortfallReport(s: ShortfallSources, expected: number): Promise<string> {
  const f = shortfall(s.archive, s.wards);
  const c = await consumers(s.cluster);
  // Acknowledged votes the hub's consumers still hold (pending + awaiting the hub's ack) are on their way.
  const verdict =
    f.lost.length > c.queued
      ? `LOST: ${f.lost.length} votes acknowledged by the broker are not archived and the hub's consumers hold only ${c.queued}`
      : `LATE: ${f.lost.length} acknowledged votes not archived yet, the hub's consumers hold ${c.queued}; ${f.late.length} still in the wards' outboxes`;
  const nats = s.cluster.nodes.map((n, i) => `--- nats ${n.name} log (tail) ---\n${tail(s.cluster.log(i), 40)}`);
  return [
    `hub archive holds ${f.archived} of ${expected} votes. ${verdict}`,
    `lost (acknowledged, not archived): ${f.lost.length} ${JSON.stringify(f.lost.slice(0, SAMPLE))}`,
    `late (not yet acknowledged): ${f.late.length} ${JSON.stringify(f.late.slice(0, SAMPLE))}`,
    c.text,
    `--- hub log (tail) ---\n${tail(s.hubLog, 60)}`,
    ...s.wards.map((w) => `--- ward ${w.id} upstream log (tail) ---\n${tail(upstreamLines(w.log?.() ?? ''), 20)}`),
    ...nats,
  ].join('\n');
}
