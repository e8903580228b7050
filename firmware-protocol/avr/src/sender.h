/*
 * Stop-and-wait delivery of stored votes (PROTOCOL.md §7.2, §7.3): one VOTE
 * in flight, oldest first, resent after 1, 2, 4, ... 30 s (capped) until an
 * ACK with its seq arrives, and the NAK actions of §7.3.
 */
#ifndef HL_SENDER_H
#define HL_SENDER_H

#include <stdint.h>
#include "vote_ring.h"

/* What a NAK asks the terminal to do beyond the sender's own handling. */
enum { HL_NAK_NONE, HL_NAK_HELLO, HL_NAK_VERSION };

/* Nothing in flight, timeout 1 s (boot). */
void hl_sender_init(void);

/* New session (WELCOME): timeout back to 1 s, start again from the oldest vote. */
void hl_sender_restart(void);

/*
 * Whether a VOTE should go out at `now`. `can_send` is false outside a
 * session. A vote whose record is still being written waits. Returns 1 and the
 * vote and slot to transmit; call hl_sender_sent() once it is on its way
 * (a UART without room just means asking again next pass).
 */
uint8_t hl_sender_due(uint32_t now, uint8_t can_send, hl_vote_t *v, uint8_t *slot);

/* The VOTE that hl_sender_due() returned went out at `now`: arms the timeout. */
void hl_sender_sent(uint32_t now);

/* ACK,<seq>,<any status>: returns 1 when it completed the vote in flight. */
uint8_t hl_sender_ack(uint32_t seq);

/* NAK,<seq>,<reason>; returns HL_NAK_*. */
uint8_t hl_sender_nak(uint32_t seq, const uint8_t *reason, uint8_t reason_len);

/* True when the vote in flight keeps being NAKed FORMAT/RANGE (a firmware bug, §7.3). */
uint8_t hl_sender_troubled(void);

#endif
