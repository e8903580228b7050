/**
 * The dossier (hồ sơ) a vote is about: its code (mã hồ sơ, printed on the
 * receipt, Mẫu 01 of TT 03/2025/TT-VPCP) and the stage of the service rated
 * (tiếp nhận = receiving the dossier, trả kết quả = returning the result).
 * Provinces reconcile ratings with their one-stop system (iGate) dossier by
 * dossier (docs/REPORTS.md, "Votes tied to the dossier"), so one dossier
 * gets one counted vote per stage, whatever the terminal.
 */
import { optionalField, reject, tokenAt } from './json-input.ts';

/** Stages of a dossier that a citizen rates. */
export type DossierStage = 'tiep-nhan' | 'tra-ket-qua';

/** Allowed stages, in the order of the service. */
export const DOSSIER_STAGES: readonly DossierStage[] = ['tiep-nhan', 'tra-ket-qua'];

/** The stage assumed when a dossier code comes without one: the receipt is handed over at tiếp nhận. */
export const DEFAULT_STAGE: DossierStage = 'tiep-nhan';

/** Longest dossier code, in characters (iGate codes such as `000.00.12.H26-251126-0001` are ~25). */
export const MAX_DOSSIER_CHARS = 48;

/**
 * Letters, digits and `.-_/`: what dossier codes are made of. Nothing that
 * a spreadsheet could read as a formula starts one (`=+-@` are refused as a
 * first character), so the code is safe in every export as it is.
 */
export const DOSSIER_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/]{0,47}$/;

/** Vietnamese labels of the stages (reports, exports). */
export const STAGE_LABELS_VI: Readonly<Record<DossierStage, string>> = {
  'tiep-nhan': 'Tiếp nhận',
  'tra-ket-qua': 'Trả kết quả',
};

/** True when `code` is a well-formed dossier code. */
export function isDossierCode(code: string): boolean {
  return DOSSIER_RE.test(code);
}

/** A dossier code with surrounding spaces trimmed, or undefined when it is not one (scanner input). */
export function cleanDossierCode(raw: string): string | undefined {
  const code = raw.trim();
  return isDossierCode(code) ? code : undefined;
}

/**
 * Reads the optional `dossier` + `stage` pair of a payload object. `stage`
 * without `dossier` is refused (a stage of nothing); `dossier` without
 * `stage` gets DEFAULT_STAGE. Throws the json-input rejection (caught by
 * `decodeWith`), never anything else.
 */
export function readDossier(o: object): { dossier?: string; stage?: DossierStage } {
  const rawDossier = optionalField(o, 'dossier');
  const rawStage = optionalField(o, 'stage');
  if (rawDossier === undefined) {
    if (rawStage !== undefined) reject('missing-field', 'stage is given without a dossier code', 'stage');
    return {};
  }
  const dossier = tokenAt(
    rawDossier,
    'dossier',
    DOSSIER_RE,
    `1–${MAX_DOSSIER_CHARS} letters, digits or . - _ /, starting with a letter or digit`,
  );
  let stage = DEFAULT_STAGE;
  if (rawStage !== undefined) {
    if (typeof rawStage !== 'string' || !(DOSSIER_STAGES as readonly string[]).includes(rawStage)) {
      reject('bad-enum', `stage ${JSON.stringify(rawStage)} is not one of ${DOSSIER_STAGES.join(', ')}`, 'stage');
    }
    stage = rawStage as DossierStage;
  }
  return { dossier, stage };
}
