/* CRC-8 for EEPROM records; see crc8.h for the parameters and why. */
#include "crc8.h"

uint8_t hl_crc8(const uint8_t *p, uint8_t len)
{
    uint8_t crc = 0xFF;
    while (len--) {
        crc ^= *p++;
        for (uint8_t i = 0; i < 8; i++)
            crc = (crc & 0x80u) ? (uint8_t)((crc << 1) ^ 0x07u) : (uint8_t)(crc << 1);
    }
    return crc;
}
