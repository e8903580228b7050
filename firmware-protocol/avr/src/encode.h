/*
 * Builds outgoing frames field by field into a caller buffer:
 * `$TYPE,f1,...*CRC4\r\n` (PROTOCOL.md §3). The caller passes only values
 * that satisfy the schema; the host tests decode every frame the firmware
 * sends with the TypeScript reference codec.
 */
#ifndef HL_ENCODE_H
#define HL_ENCODE_H

#include <stdint.h>
#include "proto.h"

/* Room for the longest frame plus CRLF. */
#define HL_FRAME_BUF (HL_MAX_FRAME + 2)

/* Frame under construction. */
typedef struct {
    uint8_t *buf;
    uint8_t len;
    uint16_t crc;
} hl_enc_t;

/* Starts a frame of TYPE `type` (a known type id) in buf[HL_FRAME_BUF]. */
void hl_enc_begin(hl_enc_t *e, uint8_t *buf, uint8_t type);

/* Appends `,<decimal>`. */
void hl_enc_u32(hl_enc_t *e, uint32_t v);

/* Appends `,<text>` from RAM (NUL-terminated). */
void hl_enc_str(hl_enc_t *e, const char *s);

/* Appends `,<text>` from flash (NUL-terminated). */
void hl_enc_str_P(hl_enc_t *e, const char *s);

/* Appends `*CRC4\r\n`; returns the frame length including CRLF. */
uint8_t hl_enc_end(hl_enc_t *e);

#endif
