/*
 * The CONFIG the terminal applies (PROTOCOL.md §5.7): kept in EEPROM so the
 * box behaves the same after a reboot while the bridge is away.
 */
#ifndef HL_SETTINGS_H
#define HL_SETTINGS_H

#include <stdint.h>

/* Applied CONFIG values. */
typedef struct {
    uint8_t buttons;      /* active buttons 1..buttons (clamped to the fitted count) */
    uint32_t cooldown_ms; /* 0 = no cooldown */
    uint8_t mode;         /* HL_MODE_OPEN or HL_MODE_GATED */
    uint32_t window_ms;   /* informative default window (§5.7) */
    uint8_t leds;
    uint8_t buzzer;
} hl_settings_t;

/*
 * The stored CONFIG, or the factory defaults (all fitted buttons, no
 * cooldown, OPEN mode, 30 s window, LEDs and buzzer on) when none is stored.
 */
void hl_settings_load(hl_settings_t *s, uint8_t fitted);

/* Persists s (only bytes that changed are written). */
void hl_settings_store(const hl_settings_t *s);

#endif
