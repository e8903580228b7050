/*
 * Output patterns as functions of time since their start, so a missed
 * update never leaves an LED stuck on. A fault overrides a thank-you: a
 * citizen must never be thanked for a vote that was not stored (§7.4).
 */
#include "feedback.h"
#include "hal.h"
#include "hl_config.h"

/* Fault blink half-period (on 150 ms, off 150 ms, three times). */
#define FAULT_HALF_MS 150U

static uint8_t thanks_button; /* 0 = none */
static uint8_t thanks_flagged;
static uint32_t thanks_at;
static uint8_t fault_on;
static uint32_t fault_at;

void hl_feedback_init(void)
{
    thanks_button = 0;
    fault_on = 0;
}

void hl_feedback_thanks(uint8_t button, uint8_t flagged, uint32_t now)
{
    thanks_button = button;
    thanks_flagged = flagged;
    thanks_at = now;
}

void hl_feedback_fault(uint32_t now)
{
    fault_on = 1;
    fault_at = now;
    thanks_button = 0;
}

void hl_feedback_update(uint32_t now, const hl_feedback_ctx_t *ctx)
{
    uint8_t leds = ctx->leds ? ctx->window_mask : 0;
    uint8_t buzzer = 0;
    uint8_t status;

    switch (ctx->status) {
    case HL_STATUS_ONLINE: status = 1; break;
    case HL_STATUS_FAULT: status = (uint8_t)((now / 250u) & 1u); break;
    default: status = (now % 1000u) < 100u; break;
    }

    if (thanks_button) {
        uint32_t t = now - thanks_at;
        if (t < HL_THANKS_LED_MS) {
            if (ctx->leds) leds = (uint8_t)(1u << (thanks_button - 1));
            if (ctx->buzzer && t < (thanks_flagged ? HL_FLAGGED_BEEP_MS : HL_THANKS_BEEP_MS)) buzzer = 1;
        } else {
            thanks_button = 0;
        }
    }
    if (fault_on) {
        uint32_t t = now - fault_at;
        if (t < HL_FAULT_MS) {
            uint8_t on = (uint8_t)((t / FAULT_HALF_MS) % 2u == 0);
            leds = on ? ctx->fitted_mask : 0;
            status = on;
            buzzer = (uint8_t)(ctx->buzzer && on);
        } else {
            fault_on = 0;
        }
    }
    hal_outputs(leds, status, buzzer);
}
