/*
 * Factory tool: writes the EEPROM identity block (src/id_block.h) as Intel
 * HEX for avrdude, e.g.
 *   build/host/eeprom-id HL328P-00A1B2C3 4 > id.hex
 *   avrdude -c usbasp -p m328p -U eeprom:w:id.hex:i
 * The HEX covers only bytes 0..39, so avrdude leaves the vote ring (and the
 * seq counter inside it) untouched. Use "-" as uid to set only the button
 * count and keep the chip-serial uid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "id_block.h"

/* Stand-ins for symbols the shared objects reference but this tool never calls. */
void hal_on_tick(void) {}

static void hex_record(uint16_t addr, const uint8_t *p, uint8_t n)
{
    uint8_t sum = (uint8_t)(n + (addr >> 8) + (addr & 0xFF));
    printf(":%02X%04X00", n, addr);
    for (uint8_t i = 0; i < n; i++) {
        printf("%02X", p[i]);
        sum = (uint8_t)(sum + p[i]);
    }
    printf("%02X\n", (uint8_t)(0x100 - sum));
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s <uid|-> [buttons 3..5]\n", argv[0]);
        return 2;
    }
    const char *uid = strcmp(argv[1], "-") == 0 ? "" : argv[1];
    unsigned buttons = argc == 3 ? (unsigned)strtoul(argv[2], NULL, 10) : 0;
    uint8_t block[HL_EE_ID_SIZE];
    if (!hl_id_block_build(block, uid, (uint8_t)buttons)) {
        fprintf(stderr, "invalid uid \"%s\" (1..32 of [A-Za-z0-9._-]) or buttons %u (3..5)\n", uid, buttons);
        return 1;
    }
    for (uint16_t a = 0; a < HL_EE_ID_SIZE; a += 16) {
        uint8_t n = (uint8_t)(HL_EE_ID_SIZE - a < 16 ? HL_EE_ID_SIZE - a : 16);
        hex_record((uint16_t)(HL_EE_ID + a), block + a, n);
    }
    puts(":00000001FF");
    return 0;
}
