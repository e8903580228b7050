/*
 * The factory identity block at EEPROM 0x000 (ee_map.h): a programmed uid
 * for chips whose serial number cannot be read, and the fitted button
 * count. Written once at the factory (tools/eeprom-id, or the simavr
 * harness), read at every boot. Pure code: the tools share it.
 *
 *   0  'H' 'L' 'I' 'D'   magic
 *   4  1                 layout version
 *   5  buttons fitted    3..5, 0xFF = firmware default
 *   6  uid length        0 = none (use the chip serial), 1..32
 *   7  uid               32 bytes, [A-Za-z0-9._-], unused bytes 0xFF
 *  39  CRC-8 of bytes 0..38
 */
#ifndef HL_ID_BLOCK_H
#define HL_ID_BLOCK_H

#include <stdint.h>
#include "ee_map.h"

/* Longest uid (PROTOCOL.md §5.1). */
#define HL_UID_MAX 32

/* Contents of a valid identity block. */
typedef struct {
    uint8_t buttons;             /* 0 = not set */
    char uid[HL_UID_MAX + 1];    /* "" = not set */
} hl_id_t;

/*
 * Fills out[HL_EE_ID_SIZE] for `uid` ("" for none) and `buttons` (0 for the
 * firmware default). Returns 0 if uid is not a valid §5.1 uid or buttons is
 * outside 3..5.
 */
uint8_t hl_id_block_build(uint8_t *out, const char *uid, uint8_t buttons);

/* Parses a block; returns 0 (and leaves *id empty) if it is blank or invalid. */
uint8_t hl_id_block_parse(const uint8_t *in, hl_id_t *id);

#endif
