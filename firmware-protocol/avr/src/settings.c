/*
 * CONFIG persistence: { buttons, cooldown u32 LE, mode, window u32 LE, leds,
 * buzzer, CRC-8 } = 13 bytes. The bridge resends CONFIG after every WELCOME,
 * so a torn write costs at most the factory defaults until the next session.
 */
#include "settings.h"
#include "crc8.h"
#include "ee_map.h"
#include "ee_queue.h"
#include "proto.h"

#define BODY 12

static void pack(const hl_settings_t *s, uint8_t *b)
{
    b[0] = s->buttons;
    for (uint8_t i = 0; i < 4; i++) b[1 + i] = (uint8_t)(s->cooldown_ms >> (8 * i));
    b[5] = s->mode;
    for (uint8_t i = 0; i < 4; i++) b[6 + i] = (uint8_t)(s->window_ms >> (8 * i));
    b[10] = s->leds;
    b[11] = s->buzzer;
    b[BODY] = hl_crc8(b, BODY);
}

static uint32_t u32le(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

void hl_settings_load(hl_settings_t *s, uint8_t fitted)
{
    uint8_t b[BODY + 1];
    for (uint8_t i = 0; i < sizeof b; i++) b[i] = hl_ee_get((uint16_t)(HL_EE_SETTINGS + i));
    /* Values are re-checked against the CONFIG ranges so that a CRC-valid but
     * foreign block (e.g. another firmware's layout) cannot produce nonsense. */
    if (hl_crc8(b, BODY) == b[BODY] && b[0] >= 2 && b[0] <= 9 && u32le(b + 1) <= 600000UL && b[5] <= 1 &&
        u32le(b + 6) >= 1000 && u32le(b + 6) <= 600000UL && b[10] <= 1 && b[11] <= 1) {
        s->buttons = b[0] < fitted ? b[0] : fitted;
        s->cooldown_ms = u32le(b + 1);
        s->mode = b[5];
        s->window_ms = u32le(b + 6);
        s->leds = b[10];
        s->buzzer = b[11];
        return;
    }
    s->buttons = fitted;
    s->cooldown_ms = 0;
    s->mode = HL_MODE_OPEN;
    s->window_ms = 30000UL;
    s->leds = 1;
    s->buzzer = 1;
}

void hl_settings_store(const hl_settings_t *s)
{
    uint8_t b[BODY + 1];
    pack(s, b);
    for (uint8_t i = 0; i < sizeof b; i++) hl_ee_put((uint16_t)(HL_EE_SETTINGS + i), b[i]);
}
