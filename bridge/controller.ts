/**
 * Runs hailong as a set of features, each with `start()` and `stop()`
 * (constructors only assign). Features start in order and stop in reverse.
 * One feature failing to start is logged by name and does not take the
 * process down: the features that depend on it are skipped (also logged),
 * everything else runs, so a broken serial adapter never stops the web
 * apps, and a broker that is down never stops votes being stored.
 */
import type { Logger } from 'pino';

/** A part of hailong with a lifecycle. */
export interface Feature {
  /** Short name used in logs (`journal`, `serial`, `broker`, …). */
  readonly name: string;
  /** Names of features that must have started first. */
  readonly dependsOn?: readonly string[];
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/** A feature's state after `Controller.start()`. */
export type FeatureState = 'running' | 'failed' | 'skipped' | 'stopped';

/** Starts and stops features. */
export class Controller {
  private readonly states = new Map<string, FeatureState>();

  constructor(
    private readonly features: readonly Feature[],
    private readonly log: Logger,
  ) {}

  /** Starts every feature in order; never throws because of a feature. */
  async start(): Promise<ReadonlyMap<string, FeatureState>> {
    for (const feature of this.features) {
      const missing = (feature.dependsOn ?? []).filter((d) => this.states.get(d) !== 'running');
      if (missing.length > 0) {
        this.states.set(feature.name, 'skipped');
        this.log.error({ feature: feature.name, missing }, `feature "${feature.name}" not started: it needs ${missing.join(', ')}`);
        continue;
      }
      try {
        await feature.start();
        this.states.set(feature.name, 'running');
      } catch (error) {
        this.states.set(feature.name, 'failed');
        this.log.error({ feature: feature.name, error: (error as Error).message }, `feature "${feature.name}" failed to start`);
      }
    }
    return this.states;
  }

  /** Stops the running features in reverse order; errors are logged, never thrown. */
  async stop(): Promise<void> {
    for (const feature of [...this.features].reverse()) {
      if (this.states.get(feature.name) !== 'running') continue;
      try {
        await feature.stop();
      } catch (error) {
        this.log.error({ feature: feature.name, error: (error as Error).message }, `feature "${feature.name}" failed to stop`);
      }
      this.states.set(feature.name, 'stopped');
    }
  }

  /** Each feature's state. */
  get featureStates(): ReadonlyMap<string, FeatureState> {
    return this.states;
  }
}
