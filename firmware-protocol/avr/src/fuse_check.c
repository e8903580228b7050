/*
 * Fuse check for EVENT FUSE. ATmega328P datasheet (DS40002061) §28.2, fuse
 * tables: BODLEVEL[2:0] are efuse bits 2..0, 100 = 4.3 V (§29 "BODLEVEL Fuse
 * Coding"); EESAVE is hfuse bit 3, and a fuse bit reads 0 when programmed.
 */
#include "fuse_check.h"
#include "hl_pgm.h"

#define BODLEVEL_MASK 0x07u
#define BODLEVEL_4V3 0x04u
#define EESAVE_BIT 0x08u

uint8_t hl_fuse_missing(uint8_t efuse, uint8_t hfuse)
{
    uint8_t m = 0;
    if ((efuse & BODLEVEL_MASK) != BODLEVEL_4V3) m |= HL_FUSE_NO_BOD;
    if (hfuse & EESAVE_BIT) m |= HL_FUSE_NO_EESAVE;
    return m;
}

/* Upper-case hex of one byte. */
static char *put_hex(char *p, uint8_t b)
{
    for (uint8_t i = 0; i < 2; i++, b = (uint8_t)(b << 4)) {
        uint8_t n = b >> 4;
        *p++ = (char)(n < 10 ? '0' + n : 'A' - 10 + n);
    }
    *p++ = '.';
    return p;
}

void hl_fuse_value(char *out, uint8_t efuse, uint8_t hfuse, uint8_t missing)
{
    char *p = put_hex(put_hex(out, efuse), hfuse);
    /* One flash string: BOD is its first 3 characters, EESAVE its last 6. */
    uint8_t from = missing & HL_FUSE_NO_BOD ? 0 : 4;
    uint8_t to = missing & HL_FUSE_NO_EESAVE ? 10 : 3;
    hl_pgm_copy(p, PSTR("BOD-EESAVE") + from, (uint8_t)(to - from));
    p[to - from] = 0;
}
