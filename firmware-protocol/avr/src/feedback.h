/*
 * What the citizen and the technician see and hear: the thank-you flash and
 * beep after a press, the fault pattern when a press cannot be stored, the
 * lit buttons of an open gated window, and the status LED.
 */
#ifndef HL_FEEDBACK_H
#define HL_FEEDBACK_H

#include <stdint.h>

/* Status LED modes. */
enum {
    HL_STATUS_SEARCHING, /* HELLO phase: short blink every second */
    HL_STATUS_ONLINE,    /* session with the bridge: steady on */
    HL_STATUS_FAULT      /* refused by the bridge, no uid, or a vote keeps failing: fast blink */
};

/* Inputs of one output update. */
typedef struct {
    uint8_t leds;        /* CONFIG leds: press and window indication allowed */
    uint8_t buzzer;      /* CONFIG buzzer */
    uint8_t fitted_mask; /* LEDs that exist */
    uint8_t window_mask; /* LEDs to light for an open gated window */
    uint8_t status;      /* HL_STATUS_* */
} hl_feedback_ctx_t;

/* Clears every pattern (boot). */
void hl_feedback_init(void);

/* Thank-you for `button`; `flagged` presses get a shorter beep, never a fault look (§6.5). */
void hl_feedback_thanks(uint8_t button, uint8_t flagged, uint32_t now);

/* Fault pattern: the press was refused (buffer full, §7.4). Shown even when leds = 0. */
void hl_feedback_fault(uint32_t now);

/* Computes and drives the outputs for time `now`. */
void hl_feedback_update(uint32_t now, const hl_feedback_ctx_t *ctx);

#endif
