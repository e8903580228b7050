/* CRC-16/CCITT-FALSE of the frame body (PROTOCOL.md §4). */
#ifndef HL_CRC16_H
#define HL_CRC16_H

#include <stdint.h>

/* Register value before the first byte. */
#define HL_CRC16_INIT 0xFFFFu

/* Advances the CRC register by one byte (poly 0x1021, no reflection). */
uint16_t hl_crc16_update(uint16_t crc, uint8_t byte);

#endif
