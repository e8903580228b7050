/*
 * Delivery of stored votes (PROTOCOL.md §7.2, §7.3, §7.7): up to W VOTEs in
 * flight, the W oldest pending, acknowledged cumulatively, resent go-back-N
 * after 1, 2, 4, ... 30 s (capped) until ACKed, and the NAK actions. W is
 * negotiated in HELLO/WELCOME `inFlight`; W = 1 (a bridge without the
 * window) is exactly stop-and-wait.
 */
#ifndef HL_SENDER_H
#define HL_SENDER_H

#include <stdint.h>
#include "vote_ring.h"

/* What a NAK asks the terminal to do beyond the sender's own handling. */
enum { HL_NAK_NONE, HL_NAK_HELLO, HL_NAK_VERSION };

/* Nothing in flight, timeout 1 s (boot). */
void hl_sender_init(void);

/* The window this terminal asks for in HELLO `inFlight`, its Wmax (§7.6); 1 = none. */
uint8_t hl_sender_asked(void);

/* Host tests replay vectors written for other windows; the firmware keeps HL_WINDOW. */
void hl_sender_set_asked(uint8_t w);

/*
 * New session (WELCOME, after its mark was applied): nothing in flight,
 * timeout back to 1 s, W = min(granted, asked) (granted 0: WELCOME had no
 * inFlight, W = 1); the first VOTE goes alone (§7.7).
 */
void hl_sender_restart(uint32_t granted);

/*
 * Whether a VOTE should go out at `now`. `can_send` is false outside a
 * session (the timer is paused). A vote whose record is still being
 * written, or that an ACK's done marks must precede, waits. Returns 1 and
 * the vote and slot to transmit; call hl_sender_sent() once it is on its
 * way (a UART without room just means asking again next pass).
 */
uint8_t hl_sender_due(uint32_t now, uint8_t can_send, hl_vote_t *v, uint8_t *slot);

/* The VOTE that hl_sender_due() returned went out at `now`. */
void hl_sender_sent(uint32_t now);

/* ACK,<seq>,<any status> at `now`: returns the number of votes it completed (0 = ignored). */
uint8_t hl_sender_ack(uint32_t seq, uint32_t now);

/* NAK,<seq>,<reason>; outside a session (`active` 0) only NAK,0,VERSION counts (§7.7 step 5). Returns HL_NAK_*. */
uint8_t hl_sender_nak(uint32_t seq, const uint8_t *reason, uint8_t reason_len, uint8_t active);

/* True when the window keeps being NAKed FORMAT/RANGE (a firmware bug, §7.3). */
uint8_t hl_sender_troubled(void);

#endif
