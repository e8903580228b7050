/*
 * uid and fitted buttons. The signature row of an ATmega328P holds the lot
 * number, wafer and die position at 0x0E..0x13 and 0x15..0x17 (documented
 * for the 328PB, present on the 328P; 0x14 is reserved). Those 9 bytes are
 * unique per die. Before trusting them we read the device signature
 * (0x00/0x02/0x04 = 1E 95 0F for the 328P, 1E 95 14 for the 328): a clone or
 * an emulator that does not implement SIGRD fails that check, and the
 * programmed uid from EEPROM is used instead.
 */
#include "identity.h"
#include "hal.h"
#include "hl_config.h"
#include "id_block.h"
#include "ee_queue.h"
#include "hl_pgm.h"
#include <string.h>

static char uid[HL_UID_MAX + 1];
static uint8_t source;
static uint8_t buttons;

/* Signature-row addresses of the 9 serial bytes. */
static const uint8_t SERIAL_ADDR[9] HL_PGM = { 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17 };

static uint8_t signature_readable(void)
{
    if (hal_signature_byte(0x00) != 0x1E || hal_signature_byte(0x02) != 0x95) return 0;
    uint8_t part = hal_signature_byte(0x04);
    return part == 0x0F || part == 0x14;
}

static uint8_t read_serial(void)
{
    static const char HEX[] HL_PGM = "0123456789ABCDEF";
    uint8_t all_ff = 1, all_00 = 1;
    char *p = uid + sizeof HL_UID_PREFIX - 1;
    for (uint8_t i = 0; i < sizeof SERIAL_ADDR; i++) {
        uint8_t b = hal_signature_byte(hl_pgm_byte(&SERIAL_ADDR[i]));
        if (b != 0xFF) all_ff = 0;
        if (b != 0x00) all_00 = 0;
        *p++ = (char)hl_pgm_byte(&HEX[b >> 4]);
        *p++ = (char)hl_pgm_byte(&HEX[b & 15]);
    }
    *p = 0;
    return !all_ff && !all_00;
}

void hl_identity_init(void)
{
    uint8_t block[HL_EE_ID_SIZE];
    for (uint8_t i = 0; i < HL_EE_ID_SIZE; i++) block[i] = hl_ee_get((uint16_t)(HL_EE_ID + i));
    hl_id_t id;
    hl_id_block_parse(block, &id);
    buttons = id.buttons ? id.buttons : HL_BUTTONS_DEFAULT;

    hl_pgm_copy(uid, PSTR(HL_UID_PREFIX), sizeof HL_UID_PREFIX);
    if (signature_readable() && read_serial()) {
        source = HL_UID_SERIAL;
    } else if (id.uid[0]) {
        memcpy(uid, id.uid, sizeof uid);
        source = HL_UID_PROGRAMMED;
    } else {
        /* Not unique: the box still works, shows a fault, and the README says how to program an id. */
        hl_pgm_copy(uid + sizeof HL_UID_PREFIX - 1, PSTR("NOID"), 5);
        source = HL_UID_MISSING;
    }
}

const char *hl_identity_uid(void) { return uid; }

uint8_t hl_identity_source(void) { return source; }

uint8_t hl_identity_buttons(void) { return buttons; }
