/*
 * Count of presses refused because the vote buffer was full (PROTOCOL.md
 * §7.4), kept in EEPROM across reboots until EVENT,FULL,<n> reports it.
 */
#ifndef HL_REFUSALS_H
#define HL_REFUSALS_H

#include <stdint.h>

/* Loads the stored count (0 if the block is blank or torn). */
void hl_refusals_init(void);

/* Refused presses not yet reported. */
uint16_t hl_refusals_count(void);

/* Counts one more refused press (saturates at 65535) and persists it. */
void hl_refusals_add(void);

/* Clears the count after EVENT FULL was sent, and persists it. */
void hl_refusals_clear(void);

#endif
