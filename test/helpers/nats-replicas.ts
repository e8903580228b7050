/**
 * Whether a restarted NATS node is back in its RAFT groups, judged as the
 * leaders see it: for every stream and consumer group the node belongs to,
 * the group has a leader and that leader reports the node's replica current
 * (its last index at the leader's applied index) or at least answering its
 * heartbeats (nats-server v2.9.10 server/raft.go `Peers`,
 * server/jetstream_cluster.go `clusterInfo`), read from each live node's `/jsz`.
 *
 * Not the full `/healthz`, nor "current" alone: on 2.9.10 a replica that
 * missed entries of a group that has had none since catches up only on the
 * group's next entry, and a follower that has seen no entry since its start
 * never counts itself current (raft.go `isCurrent`: commit 0), so an idle
 * consumer keeps either check failing for good.
 */
import type { NatsNode } from '../../bridge/broker/nats-config.ts';

/** A replica the leader heard from this recently takes part in its group (ns): twice the 1 s heartbeat. */
const PARTICIPATING_NS = 2e9;

interface ClusterInfo {
  readonly leader?: string;
  /** `active`: nanoseconds since the leader last heard from that replica. */
  readonly replicas?: readonly { readonly name: string; readonly current: boolean; readonly active?: number; readonly lag?: number }[];
}

interface Jsz {
  readonly account_details?: readonly {
    readonly stream_detail?: readonly {
      readonly name: string;
      readonly cluster?: ClusterInfo;
      readonly consumer_detail?: readonly { readonly name: string; readonly cluster?: ClusterInfo }[];
    }[];
  }[];
}

/** Every group a node reports, by `stream` or `stream > consumer`. */
function groups(jsz: Jsz): Map<string, ClusterInfo> {
  const out = new Map<string, ClusterInfo>();
  for (const account of jsz.account_details ?? []) {
    for (const s of account.stream_detail ?? []) {
      out.set(s.name, s.cluster ?? {});
      for (const c of s.consumer_detail ?? []) out.set(`${s.name} > ${c.name}`, c.cluster ?? {});
    }
  }
  return out;
}

/**
 * Why node `i` is not caught up yet (the first group found), or undefined
 * once the leader of every group it belongs to reports its replica current.
 */
export async function replicaLag(nodes: readonly NatsNode[], i: number): Promise<string | undefined> {
  const me = nodes[i]!.name;
  // What each node reports, as that node sees it; a node that does not answer is down.
  const reports = new Map<string, Map<string, ClusterInfo>>();
  for (const node of nodes) {
    const r = await fetch(`http://127.0.0.1:${node.httpPort}/jsz?accounts=true&streams=true&consumers=true`).catch(() => undefined);
    if (r?.ok === true) reports.set(node.name, groups((await r.json()) as Jsz));
  }
  if (!reports.has(me)) return `${me} does not answer /jsz`;
  const names = new Set([...reports.values()].flatMap((g) => [...g.keys()]));
  for (const name of names) {
    const leader = [...reports.values()].map((g) => g.get(name)?.leader).find((l) => l !== undefined && l !== '');
    if (leader === undefined) return `${name}: no leader yet`;
    const view = reports.get(leader)?.get(name);
    if (view === undefined) return `${name}: its leader ${leader} does not report it yet`;
    if (leader === me) continue;
    if (view.replicas?.some((r) => r.name.startsWith('Server name unknown')) === true) return `${name}: ${leader} does not know a peer yet`;
    const replica = view.replicas?.find((r) => r.name === me);
    // Not a member: nothing to catch up on.
    if (replica === undefined) continue;
    // Current, or taking part: answering the leader's heartbeats (sent every second), so it votes and
    // acknowledges again. An idle group's lagging replica catches up only on the group's next entry.
    if (!replica.current && (replica.active ?? Number.POSITIVE_INFINITY) > PARTICIPATING_NS)
      return `${name}: leader ${leader} last heard from ${me} ${Math.round((replica.active ?? 0) / 1e6)} ms ago (lag ${replica.lag ?? '?'})`;
  }
  return undefined;
}
