/*
 * CRC-8 guarding the EEPROM records (vote slots, settings, identity):
 * poly 0x07, init 0xFF, no reflection, no final xor. The non-zero init
 * makes an all-zero block invalid, and an erased (all-0xFF) block is
 * rejected by the record checks anyway.
 */
#ifndef HL_CRC8_H
#define HL_CRC8_H

#include <stdint.h>

/* CRC-8 of `len` bytes. */
uint8_t hl_crc8(const uint8_t *p, uint8_t len);

#endif
