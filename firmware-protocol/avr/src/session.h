/*
 * Link state with the bridge (PROTOCOL.md §6): the HELLO phase (HELLO every
 * 2 s, no votes), the session after WELCOME, link loss after 15 s of
 * silence, and refusal by NAK,0,VERSION.
 */
#ifndef HL_SESSION_H
#define HL_SESSION_H

#include <stdint.h>

/* Starts in the HELLO phase with a HELLO due at `now`. */
void hl_session_init(uint32_t now);

/* True in a session: votes may be sent. */
uint8_t hl_session_active(void);

/* True after the bridge refused our protocol version (§6.2). */
uint8_t hl_session_refused(void);

/* A valid frame from the bridge arrived (any type the bridge sends). */
void hl_session_heard(uint32_t now);

/* WELCOME,<proto>: returns 1 if a session started, 0 if refused. */
uint8_t hl_session_welcome(uint32_t proto, uint32_t now);

/* NAK,0,VERSION (or an unusable WELCOME): no votes, slow HELLO (§6.2). */
void hl_session_refuse(uint32_t now);

/* Back to the HELLO phase with a HELLO due now (NAK HELLO, link lost; no new BOOT). */
void hl_session_restart(uint32_t now);

/* Link-loss check; returns 1 when the link was just declared lost. */
uint8_t hl_session_check_link(uint32_t now);

/* True when a HELLO should be sent at `now`. */
uint8_t hl_session_hello_due(uint32_t now);

/* A HELLO went out at `now`: schedules the next one. */
void hl_session_hello_sent(uint32_t now);

#endif
