/*
 * Frame builder. The CRC runs as bytes are appended, so a frame costs one
 * pass and no second buffer. The body stops at BODY_MAX so that `*CRC4`
 * always fits in 120 bytes: an overfilled frame would go out with a CRC the
 * bridge rejects, never overrun the buffer. Version-1 frames of this
 * firmware are at most ~75 bytes, so this is a last defence only.
 */
#include "encode.h"
#include "crc16.h"
#include "schema.h"
#include "hl_pgm.h"

/* `$` + body, leaving room for `*` and 4 CRC digits. */
#define BODY_MAX (HL_MAX_FRAME - 5)

static void put(hl_enc_t *e, uint8_t c, uint8_t covered)
{
    if (e->len >= BODY_MAX) return;
    e->buf[e->len++] = c;
    if (covered) e->crc = hl_crc16_update(e->crc, c);
}

void hl_enc_begin(hl_enc_t *e, uint8_t *buf, uint8_t type)
{
    hl_schema_t sc;
    hl_schema_get(type, &sc);
    e->buf = buf;
    e->len = 0;
    e->crc = HL_CRC16_INIT;
    put(e, '$', 0);
    for (const char *p = sc.name; *p; p++) put(e, (uint8_t)*p, 1);
}

void hl_enc_u32(hl_enc_t *e, uint32_t v)
{
    char digits[10];
    uint8_t n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    put(e, ',', 1);
    while (n) put(e, (uint8_t)digits[--n], 1);
}

void hl_enc_str(hl_enc_t *e, const char *s)
{
    put(e, ',', 1);
    while (*s) put(e, (uint8_t)*s++, 1);
}

void hl_enc_str_P(hl_enc_t *e, const char *s)
{
    put(e, ',', 1);
    for (uint8_t c; (c = hl_pgm_byte(s)) != 0; s++) put(e, c, 1);
}

uint8_t hl_enc_end(hl_enc_t *e)
{
    static const char HEX[] HL_PGM = "0123456789ABCDEF";
    uint16_t crc = e->crc;
    uint8_t *p = e->buf + e->len;
    *p++ = '*';
    for (int8_t shift = 12; shift >= 0; shift -= 4) *p++ = hl_pgm_byte(&HEX[(crc >> shift) & 0xF]);
    *p++ = '\r';
    *p++ = '\n';
    e->len = (uint8_t)(p - e->buf);
    return e->len;
}
