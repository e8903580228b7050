/*
 * Converts an EEPROM left by firmware 1.0/1.1 (layout 1: 64 slots of 9
 * bytes) to layout 2 (147 slots of 6 bytes) at boot, in place, keeping
 * every unacknowledged vote with its seq, button, reason and flags, and the
 * seq counter above everything ever stored. A power cut at any byte of it
 * is safe: the next boot carries on where it stopped.
 */
#ifndef HL_RING_MIGRATE_H
#define HL_RING_MIGRATE_H

#include <stdint.h>

/*
 * Ensures layout 2 (a no-op once it is). Blocks while it writes (up to ~2 s
 * once, at the first boot of 1.2 on a 1.1 box; hl_ee_wait feeds the
 * watchdog). Requires an idle EEPROM queue; leaves it idle. Returns 1 when
 * it converted something this boot.
 */
uint8_t hl_ring_migrate(void);

#endif
