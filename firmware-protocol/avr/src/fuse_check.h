/*
 * The power-cut fuses (PROTOCOL.md §5.9 FUSE, §12): flash-isp sets a 4.3 V
 * brown-out reset and EESAVE; a box flashed through a bootloader keeps the
 * board's fuses, which usually have neither.
 */
#ifndef HL_FUSE_CHECK_H
#define HL_FUSE_CHECK_H

#include <stdint.h>

/* hl_fuse_missing bits. */
#define HL_FUSE_NO_BOD 0x01u    /* efuse BODLEVEL[2:0] is not 100 (4.3 V) */
#define HL_FUSE_NO_EESAVE 0x02u /* hfuse bit 3 (EESAVE) is 1: unprogrammed */

/* Which protections the extended and high fuse bytes lack (0: none). */
uint8_t hl_fuse_missing(uint8_t efuse, uint8_t hfuse);

/*
 * Writes the EVENT FUSE value, e.g. "FD.DA.BOD-EESAVE": both bytes in
 * upper-case hex, then what is missing. `out` holds at least 17 bytes.
 */
void hl_fuse_value(char *out, uint8_t efuse, uint8_t hfuse, uint8_t missing);

#endif
