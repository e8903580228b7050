/*
 * Debounce state per button. The integrator counts up on pressed samples
 * and down on released ones, saturating at 0 and HL_DEBOUNCE_MS: contact
 * bounce cancels out instead of restarting a timer, so a noisy press is
 * still accepted 5 net ms after first contact. Runs in the 1 ms timer
 * interrupt, so it never misses a sample while the main loop is busy.
 */
#include "debounce.h"

typedef struct {
    uint8_t integ;      /* 0..HL_DEBOUNCE_MS */
    uint8_t down;       /* debounced level */
    uint8_t armed;      /* released long enough to accept the next press */
    uint8_t released;   /* ms released, saturating at HL_REARM_MS */
    uint16_t held;      /* ms held, saturating at HL_STUCK_MS */
} button_t;

static button_t buttons[HL_BUTTONS_MAX];

void hl_debounce_init(void)
{
    for (uint8_t i = 0; i < HL_BUTTONS_MAX; i++) {
        buttons[i].integ = 0;
        buttons[i].down = 0;
        buttons[i].armed = 0;
        buttons[i].released = 0;
        buttons[i].held = 0;
    }
}

hl_debounce_events_t hl_debounce_sample(uint8_t raw)
{
    hl_debounce_events_t ev = { 0, 0 };
    for (uint8_t i = 0; i < HL_BUTTONS_MAX; i++) {
        button_t *b = &buttons[i];
        uint8_t bit = (uint8_t)(1u << i);
        if (raw & bit) {
            if (b->integ < HL_DEBOUNCE_MS) b->integ++;
        } else if (b->integ > 0) {
            b->integ--;
        }
        if (!b->down && b->integ == HL_DEBOUNCE_MS) {
            b->down = 1;
            b->held = 0;
            if (b->armed) {
                b->armed = 0;
                ev.pressed |= bit;
            }
        } else if (b->down && b->integ == 0) {
            b->down = 0;
            b->released = 0;
        }
        if (b->down) {
            if (b->held < HL_STUCK_MS && ++b->held == HL_STUCK_MS) ev.stuck |= bit;
        } else if (b->released < HL_REARM_MS && ++b->released == HL_REARM_MS) {
            b->armed = 1;
        }
    }
    return ev;
}

uint8_t hl_debounce_down(void)
{
    uint8_t mask = 0;
    for (uint8_t i = 0; i < HL_BUTTONS_MAX; i++)
        if (buttons[i].down) mask |= (uint8_t)(1u << i);
    return mask;
}
