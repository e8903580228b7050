/*
 * CRC-16/CCITT-FALSE, bitwise. PROTOCOL.md §4 notes the loop is fast enough
 * at 115200 baud on an 8-bit AVR, and it saves the 512-byte table of flash.
 */
#include "crc16.h"

uint16_t hl_crc16_update(uint16_t crc, uint8_t byte)
{
    crc ^= (uint16_t)byte << 8;
    for (uint8_t i = 0; i < 8; i++)
        crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    return crc;
}
