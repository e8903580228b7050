/*
 * Decodes one line (a frame without CR/LF) into a message or the §9.1 error
 * a conforming decoder must report: same code, field, type and seq as the
 * TypeScript reference codec. Never fails on any input.
 */
#ifndef HL_DECODE_H
#define HL_DECODE_H

#include <stdint.h>
#include "proto.h"

/* Decodes b[0..len) into *m. Lines longer than HL_MAX_FRAME are too-long. */
void hl_decode(const uint8_t *b, uint16_t len, hl_msg_t *m);

#endif
