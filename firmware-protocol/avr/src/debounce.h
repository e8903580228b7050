/*
 * Integrating button debouncer (PROTOCOL.md §12): one sample per ms, a press
 * is accepted after 5 net pressed ms, the button re-arms only after 30 ms
 * released, and a button held past HL_STUCK_MS reports STUCK once.
 */
#ifndef HL_DEBOUNCE_H
#define HL_DEBOUNCE_H

#include <stdint.h>
#include "hl_config.h"

/* Events of one sample, as button bitmasks (bit i = button i+1). */
typedef struct {
    uint8_t pressed; /* accepted presses */
    uint8_t stuck;   /* buttons that just crossed the STUCK threshold */
} hl_debounce_events_t;

/*
 * Forgets all buttons. They start disarmed: a button held at power-up (or
 * stuck) must be released for 30 ms before it can vote.
 */
void hl_debounce_init(void);

/* Takes one 1 ms sample of the raw levels (bit i = button i+1 pressed). */
hl_debounce_events_t hl_debounce_sample(uint8_t raw);

/* Debounced state, bit i = button i+1 held down. */
uint8_t hl_debounce_down(void);

#endif
