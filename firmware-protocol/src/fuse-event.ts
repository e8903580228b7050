/**
 * EVENT FUSE (PROTOCOL.md §5.9): a box reports that its fuses lack the power-cut
 * protection flash-isp sets. The value is `<efuse>.<hfuse>.<missing>`: the
 * extended and high fuse bytes in upper-case hex, then `BOD`, `EESAVE` or
 * `BOD-EESAVE`. Pure: decodes the value from the wire, never throws.
 */

import { err, ok, type Result } from '../../core/result.ts';
import type { BoxFuses, FuseProtection } from '../../core/status.ts';

/** Error codes of `parseFuseEvent`. */
export type FuseEventError = 'bad-value';

// ATmega328P datasheet (DS40002061) §28.2: BODLEVEL[2:0] are efuse bits 2..0 and
// 100 is the 4.3 V level (§29, BODLEVEL fuse coding); EESAVE is hfuse bit 3, and
// a programmed fuse bit reads 0.
const BODLEVEL_MASK = 0x07;
const BODLEVEL_4V3 = 0x04;
const EESAVE_BIT = 0x08;

const VALUE_RE = /^([0-9A-F]{2})\.([0-9A-F]{2})\.(BOD|EESAVE|BOD-EESAVE)$/;

/** The protections a box with these extended and high fuse bytes lacks, in `FUSE_PROTECTIONS` order. */
export function fuseMissing(efuse: number, hfuse: number): FuseProtection[] {
  const missing: FuseProtection[] = [];
  if ((efuse & BODLEVEL_MASK) !== BODLEVEL_4V3) missing.push('BOD');
  if ((hfuse & EESAVE_BIT) !== 0) missing.push('EESAVE');
  return missing;
}

/** The EVENT FUSE value for these fuse bytes (what the reference firmware sends). */
export function fuseEventValue(efuse: number, hfuse: number): string {
  const hex = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');
  return `${hex(efuse)}.${hex(hfuse)}.${fuseMissing(efuse, hfuse).join('-')}`;
}

/**
 * Decodes an EVENT FUSE value. Refused (`bad-value`): another shape, or a
 * list of missing protections that the bytes contradict (a box must not
 * report a protection its own fuses show is there, nor stay silent on one).
 */
export function parseFuseEvent(value: string): Result<BoxFuses, FuseEventError> {
  const m = VALUE_RE.exec(value);
  if (m === null) {
    return err('bad-value', `EVENT FUSE value "${value}" is not <efuse hex>.<hfuse hex>.<BOD|EESAVE|BOD-EESAVE>`, 'value');
  }
  const efuse = Number.parseInt(m[1]!, 16);
  const hfuse = Number.parseInt(m[2]!, 16);
  const said = m[3]!.split('-');
  const missing = fuseMissing(efuse, hfuse);
  if (said.join('-') !== missing.join('-')) {
    const implied = missing.length === 0 ? 'nothing' : missing.join(' and ');
    return err(
      'bad-value',
      `EVENT FUSE value "${value}" says ${said.join(' and ')} missing, but those fuse bytes mean ${implied}`,
      'value',
    );
  }
  return ok({ efuse, hfuse, missing });
}
