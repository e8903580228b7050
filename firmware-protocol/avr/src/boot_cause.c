/*
 * Reset-cause decision. Facts it relies on:
 * - MCUSR flags accumulate until cleared; main clears them at every boot,
 *   so normally exactly one is set.
 * - Power-on sets PORF (and BORF may rise with it while VCC ramps): a PORF
 *   wins, since everything before it was lost anyway.
 * - Optiboot (Uno) clears MCUSR and leaves the flags in r2. After a DTR/reset
 *   pin reset it runs, times out via its own watchdog, and hands over with
 *   EXTRF|WDRF (Optiboot 8) or WDRF only (old 4.x builds): EXTRF together with
 *   WDRF therefore means EXTERNAL, not a firmware hang.
 * - No flag at all means a jump to the reset vector: SOFTWARE.
 */
#include "boot_cause.h"
#include "hal.h"
#include "hl_pgm.h"

const char *hl_boot_cause(uint8_t mcusr, uint8_t r2)
{
    uint8_t f = mcusr;
    /* r2 is only meaningful if a bootloader put flags there (upper bits clear). */
    if (f == 0 && r2 != 0 && (r2 & 0xF0) == 0) f = r2;
    if (f & HL_RF_PORF) return PSTR("POWERON");
    if (f & HL_RF_BORF) return PSTR("BROWNOUT");
    if (f & HL_RF_EXTRF) return PSTR("EXTERNAL");
    if (f & HL_RF_WDRF) return PSTR("WATCHDOG");
    return PSTR("SOFTWARE");
}
