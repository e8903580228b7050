/*
 * The button box's behaviour: it ties the protocol codec, the vote ring,
 * the session, the sender, the press policy and the feedback together
 * (PROTOCOL.md §6, §7). Plain C over hal.h, so the same code runs in the
 * ATmega328P and in host tests with a fake clock and UART.
 */
#ifndef HL_TERMINAL_H
#define HL_TERMINAL_H

#include <stdint.h>

/* Boot: reads EEPROM (identity, CONFIG, vote ring) and queues EVENT,BOOT. */
void hl_terminal_init(void);

/* One pass of the main loop: receive, handle presses, timers, transmit. */
void hl_terminal_poll(void);

/* True when the main loop may sleep until the next interrupt. */
uint8_t hl_terminal_idle(void);

#endif
