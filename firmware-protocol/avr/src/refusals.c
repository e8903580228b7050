/*
 * Refused-press counter: { count u16 LE, CRC-8 }. It is only written while
 * the buffer is full, i.e. during an outage the office must fix anyway, so
 * a single cell pair is fine for wear. A torn write reads as 0: EVENT FULL
 * is best-effort by definition (§7.4).
 */
#include "refusals.h"
#include "crc8.h"
#include "ee_map.h"
#include "ee_queue.h"

static uint16_t count;

static void store(void)
{
    uint8_t b[2] = { (uint8_t)count, (uint8_t)(count >> 8) };
    hl_ee_put(HL_EE_REFUSALS, b[0]);
    hl_ee_put(HL_EE_REFUSALS + 1, b[1]);
    hl_ee_put(HL_EE_REFUSALS + 2, hl_crc8(b, 2));
}

void hl_refusals_init(void)
{
    uint8_t b[3];
    for (uint8_t i = 0; i < 3; i++) b[i] = hl_ee_get((uint16_t)(HL_EE_REFUSALS + i));
    count = hl_crc8(b, 2) == b[2] ? (uint16_t)(b[0] | (b[1] << 8)) : 0;
}

uint16_t hl_refusals_count(void) { return count; }

void hl_refusals_add(void)
{
    if (count < 0xFFFFu) count++;
    store();
}

void hl_refusals_clear(void)
{
    count = 0;
    store();
}
