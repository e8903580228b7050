/**
 * Checks a message object against the schema table before it is encoded
 * (the same table the decoder uses, so anything valid here decodes back).
 */

import { err, ok, type Result } from '../../core/result.ts';
import type { ErrorCode } from './constants.ts';
import { TOKENS, isTokenString } from './field.ts';
import { type FieldSpec, type Message, isMessageType, rangeText, schemaOf } from './message.ts';

/** A failed check: code and field of the first offending property. */
type Invalid = Result<never, ErrorCode>;

function isInteger(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Checks one property against its field spec; `undefined` when it is valid. */
function checkField(f: FieldSpec, v: unknown): Invalid | undefined {
  switch (f.kind) {
    case 'num':
      if (isInteger(v, f.min, f.max)) return undefined;
      return err(
        typeof v === 'number' && Number.isInteger(v) ? 'out-of-range' : 'bad-number',
        `"${f.name}" must be an integer ${rangeText(f)}`,
        f.name,
      );
    case 'nullable':
      // The top wire value is the null sentinel, so a real value stops one below it.
      if (v === null || isInteger(v, f.min, f.max - 1)) return undefined;
      return err(
        typeof v === 'number' && Number.isInteger(v) ? 'out-of-range' : 'bad-number',
        `"${f.name}" must be null or an integer ${rangeText(f)}`,
        f.name,
      );
    case 'bool':
      return typeof v === 'boolean' ? undefined : err('bad-number', `"${f.name}" must be a boolean`, f.name);
    case 'token': {
      const g = TOKENS[f.token];
      if (typeof v === 'string' && isTokenString(g, v)) return undefined;
      // An empty token would put an empty field on the wire: report it the way the decoder would.
      return err(v === '' ? 'empty-field' : 'bad-token', `"${f.name}" must match ${g.pattern}`, f.name);
    }
    case 'flags':
      if (v === '' || (typeof v === 'string' && isTokenString(TOKENS.flags, v))) return undefined;
      return err('bad-token', `"${f.name}" must be "" (no flags) or match [A-Z]{1,8}`, f.name);
    case 'enum':
      if (typeof v === 'string' && f.values.includes(v)) return undefined;
      return err('bad-enum', `"${f.name}" must be one of ${f.values.join(', ')}`, f.name);
  }
}

/**
 * Checks that `m` is a protocol v1 message the encoder can send: a known
 * `type` and every schema field present with a valid value. Extra
 * properties are ignored. Returns the same object on success.
 */
export function validateMessage(m: unknown): Result<Message, ErrorCode> {
  if (typeof m !== 'object' || m === null) return err('unknown-type', 'message must be an object with a "type"', 'type');
  const type: unknown = (m as { type?: unknown }).type;
  if (typeof type !== 'string' || !isMessageType(type)) {
    return err('unknown-type', `"type" must be one of the protocol v1 message types, got ${JSON.stringify(type) ?? 'undefined'}`, 'type');
  }
  const record = m as Record<string, unknown>;
  let unsetOptional: string | undefined;
  for (const f of schemaOf(type)) {
    const optional = f.kind === 'num' && f.optional === true;
    if (optional && record[f.name] === undefined) {
      unsetOptional ??= f.name;
      continue;
    }
    // Fields are positional (§10): a later optional field cannot travel without the earlier one.
    if (unsetOptional !== undefined) {
      return err('missing-field', `"${f.name}" needs "${unsetOptional}" before it on the wire`, unsetOptional);
    }
    const bad = checkField(f, record[f.name]);
    if (bad !== undefined) return bad;
  }
  return ok(m as Message);
}
