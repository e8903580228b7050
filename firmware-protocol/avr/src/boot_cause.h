/* Reset cause for EVENT,BOOT (PROTOCOL.md §5.9), from MCUSR and the bootloader's copy. */
#ifndef HL_BOOT_CAUSE_H
#define HL_BOOT_CAUSE_H

#include <stdint.h>

/*
 * The §5.9 word for a reset (a flash string: send it with hl_enc_str_P): POWERON, EXTERNAL, BROWNOUT, WATCHDOG or
 * SOFTWARE. `mcusr` is MCUSR at reset; `r2` is the copy Optiboot leaves in
 * r2 after clearing MCUSR (used only when MCUSR reads 0).
 */
const char *hl_boot_cause(uint8_t mcusr, uint8_t r2);

#endif
