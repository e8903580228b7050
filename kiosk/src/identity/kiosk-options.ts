/**
 * Who the kiosk is and how it connects, from the custom element's
 * attributes or the page's URL parameters (same names), overlaid with what
 * staff saved on the settings page. Validated once; every problem is
 * reported together, naming the parameter.
 */
import { clientIdSuffix, DOSSIER_STAGES, defaultBrokerUrl, isBrokerUrl, isId, kioskClientId } from '../../../core/index.ts';
import type { DossierStage } from '../../../core/index.ts';
import type { TerminalPath } from '../../../core/index.ts';
import { DEFAULT_TIMINGS } from '../terminal/terminal-machine.ts';
import type { Lang } from '../i18n/messages.ts';

/** Attribute / URL parameter names. */
export const OPTION_NAMES = [
  'district',
  'ward',
  'counter',
  'terminal',
  'broker',
  'username',
  'password',
  'lang',
  'voice',
  'contrast',
  'pin',
  'provision',
  'thanks-ms',
  'reason-timeout-ms',
  'stage',
  'seq-base',
] as const;

/**
 * Options that must never be given as an attribute or URL parameter: a
 * password or PIN there is in the browser history, the proxy logs and the
 * host page's source (issue 13, item 2). They come from the one-time
 * `provision` code or the settings page, and are kept in this browser.
 */
export const SECRET_OPTIONS: readonly OptionName[] = ['password', 'pin'];

/** One attribute / parameter name. */
export type OptionName = (typeof OPTION_NAMES)[number];

/** Resolved options. */
export interface KioskOptions extends TerminalPath {
  /** `ws(s)://…/mqtt`. */
  readonly broker: string;
  readonly username?: string;
  readonly password?: string;
  readonly lang: Lang;
  /** Speak prompts (speechSynthesis, vi-VN). */
  readonly voice: boolean;
  /** Large text, high contrast. */
  readonly contrast: boolean;
  /** PIN of the staff settings page, set at provisioning; undefined = none set, the page stays locked. */
  readonly pin?: string;
  readonly thanksMs: number;
  readonly reasonTimeoutMs: number;
  /**
   * Stage given to a dossier code scanned from a receipt (issue 15): a kiosk
   * at the result-return counter says `tra-ket-qua`.
   * @default 'tiep-nhan'
   */
  readonly stage?: DossierStage;
  /**
   * How a new outbox store numbers votes (idb-outbox.ts `IdbOutboxOptions`):
   * `zero` numbers from 1 (tests that assert seqs only: a wiped device then
   * reuses seqs the bridge has journaled).
   * @default 'clock'
   */
  readonly seqBase?: 'clock' | 'zero';
}

/** What staff saved on the settings page (all optional; absent = use the attribute). */
export interface StaffSettings {
  readonly broker?: string;
  readonly username?: string;
  readonly password?: string;
  readonly lang?: Lang;
  readonly voice?: boolean;
  readonly contrast?: boolean;
  readonly pin?: string;
}

/** A problem with one option. */
export interface OptionProblem {
  readonly option: OptionName;
  /** What is wrong, for the page's own words (kiosk/src/i18n/messages.ts `problem`). */
  readonly code: OptionProblemCode;
  /** The value given, when there was one. */
  readonly value?: string;
  /** The accepted range of a number. */
  readonly range?: readonly [number, number];
  /** The problem in English, for logs. */
  readonly message: string;
}

/** Kinds of option problem. */
export type OptionProblemCode =
  | 'missing'
  | 'not-id'
  | 'not-url'
  | 'bad-lang'
  | 'bad-pin'
  | 'bad-ms'
  | 'secret-in-url'
  | 'bad-stage'
  | 'bad-seq-base';

/** Either options or every problem found. */
export type OptionsResult =
  | { readonly ok: true; readonly value: KioskOptions }
  | { readonly ok: false; readonly problems: readonly OptionProblem[] };

/** 4–8 digits. */
export const PIN_RE = /^[0-9]{4,8}$/;

function flag(value: string | null | undefined): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  return value === '' || value === '1' || value === 'true' || value === 'on';
}

function ms(value: string | null, option: OptionName, min: number, max: number, fallback: number, problems: OptionProblem[]): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push({
      option,
      code: 'bad-ms',
      value,
      range: [min, max],
      message: `${option} must be a whole number of milliseconds in ${min}..${max}, got "${value}"`,
    });
    return fallback;
  }
  return n;
}

/**
 * Resolves options from `get` (an attribute or URL parameter reader) and
 * saved staff settings. `scriptUrl` locates the default broker.
 */
export function resolveOptions(get: (name: OptionName) => string | null, staff: StaffSettings, scriptUrl: string): OptionsResult {
  const problems: OptionProblem[] = [];
  const ids: Record<'district' | 'ward' | 'counter' | 'terminal', string> = { district: '', ward: '', counter: '', terminal: '' };
  for (const name of ['district', 'ward', 'counter', 'terminal'] as const) {
    const value = get(name);
    if (value === null || value === '') problems.push({ option: name, code: 'missing', message: `${name} is missing` });
    else if (!isId(value))
      problems.push({ option: name, code: 'not-id', value, message: `${name} "${value}" is not an id ([a-z0-9-], 1–32 chars)` });
    else ids[name] = value;
  }
  // The broker next to where the script was served: the bridge serves the
  // kiosk at `/kiosk/` and MQTT-over-WebSocket at `/mqtt` on the same origin.
  // For the app and the iframe this is `location`; for an embedding host
  // page it is the bridge the script came from.
  const broker = staff.broker ?? get('broker') ?? defaultBrokerUrl(new URL(scriptUrl));
  if (!isBrokerUrl(broker))
    problems.push({ option: 'broker', code: 'not-url', value: broker, message: `broker "${broker}" is not a ws:// or wss:// URL` });
  const langRaw = staff.lang ?? get('lang') ?? 'vi';
  if (langRaw !== 'vi' && langRaw !== 'en')
    problems.push({ option: 'lang', code: 'bad-lang', value: langRaw, message: `lang must be vi or en, got "${langRaw}"` });
  for (const name of SECRET_OPTIONS) {
    if (get(name) !== null)
      problems.push({
        option: name,
        code: 'secret-in-url',
        message: `${name} must not be given in the URL or as an attribute: provision the kiosk with its one-time code`,
      });
  }
  // No default PIN: without one set at provisioning, the staff page stays locked.
  const pin = staff.pin;
  if (pin !== undefined && !PIN_RE.test(pin)) problems.push({ option: 'pin', code: 'bad-pin', message: 'pin must be 4–8 digits' });
  const thanksMs = ms(get('thanks-ms'), 'thanks-ms', 500, 60_000, DEFAULT_TIMINGS.thanksMs, problems);
  const reasonTimeoutMs = ms(get('reason-timeout-ms'), 'reason-timeout-ms', 1000, 120_000, DEFAULT_TIMINGS.reasonTimeoutMs, problems);
  const stageRaw = get('stage');
  if (stageRaw !== null && stageRaw !== '' && !(DOSSIER_STAGES as readonly string[]).includes(stageRaw)) {
    problems.push({
      option: 'stage',
      code: 'bad-stage',
      value: stageRaw,
      message: `stage must be ${DOSSIER_STAGES.join(' or ')}, got "${stageRaw}"`,
    });
  }
  const seqBaseRaw = get('seq-base');
  if (seqBaseRaw !== null && seqBaseRaw !== 'clock' && seqBaseRaw !== 'zero') {
    problems.push({
      option: 'seq-base',
      code: 'bad-seq-base',
      value: seqBaseRaw,
      message: `seq-base must be clock or zero, got "${seqBaseRaw}"`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  const username = staff.username ?? get('username') ?? undefined;
  const password = staff.password;
  return {
    ok: true,
    value: Object.freeze({
      ...ids,
      broker,
      ...(username === undefined || username === '' ? {} : { username }),
      ...(password === undefined || username === undefined || username === '' ? {} : { password }),
      lang: langRaw === 'en' ? 'en' : 'vi',
      voice: staff.voice ?? flag(get('voice')) ?? false,
      contrast: staff.contrast ?? flag(get('contrast')) ?? false,
      ...(pin === undefined ? {} : { pin }),
      thanksMs,
      reasonTimeoutMs,
      ...(stageRaw === 'tra-ket-qua' || stageRaw === 'tiep-nhan' ? { stage: stageRaw } : {}),
      ...(seqBaseRaw === 'zero' ? { seqBase: 'zero' as const } : {}),
    }),
  };
}

/**
 * The fixed MQTT client id of a terminal: one session per kiosk, resumed
 * after every reconnect. It ends in a suffix derived from the kiosk's
 * password, so no other account can guess it; the embedded broker and the
 * generated Mosquitto setup let only this kiosk's account use it (core/client-id.ts).
 */
export function clientIdOf(p: Pick<TerminalPath, 'district' | 'ward' | 'terminal'> & { readonly password?: string }): string {
  return kioskClientId(p, clientIdSuffix(p.password));
}
