/*
 * Who this box is: the HELLO uid and the number of buttons fitted.
 * uid = "HL328P-" + the 9 serial bytes of the ATmega328P signature row in
 * hex (factory-unique and permanent); on a chip where the signature row
 * cannot be read, the uid programmed in the EEPROM identity block. Never a
 * random value (PROTOCOL.md §12).
 */
#ifndef HL_IDENTITY_H
#define HL_IDENTITY_H

#include <stdint.h>

/* Where the uid came from. */
enum { HL_UID_SERIAL, HL_UID_PROGRAMMED, HL_UID_MISSING };

/* Reads the signature row and the identity block (boot, EEPROM idle). */
void hl_identity_init(void);

/* The uid (NUL-terminated, <= 32 chars). */
const char *hl_identity_uid(void);

/* HL_UID_SERIAL, HL_UID_PROGRAMMED or HL_UID_MISSING (then the box shows a fault). */
uint8_t hl_identity_source(void);

/* Buttons fitted, 3..5: from the identity block, else the build default. */
uint8_t hl_identity_buttons(void);

#endif
