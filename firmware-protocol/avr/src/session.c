/*
 * Session state. The link-loss timer runs only in a session: in the HELLO
 * phase the 2 s HELLO is itself the probe. A refused terminal stays in the
 * HELLO phase, HELLOing every 30 s, until a bridge answers WELCOME,1.
 */
#include "session.h"
#include "hl_config.h"
#include "proto.h"

static uint8_t active;
static uint8_t refused;
static uint32_t last_heard;
static uint32_t hello_at;

void hl_session_init(uint32_t now)
{
    active = 0;
    refused = 0;
    last_heard = now;
    hello_at = now;
}

uint8_t hl_session_active(void) { return active; }

uint8_t hl_session_refused(void) { return refused; }

void hl_session_heard(uint32_t now) { last_heard = now; }

uint8_t hl_session_welcome(uint32_t proto, uint32_t now)
{
    /* A version-1 terminal accepts only WELCOME,1 (§6.2). */
    if (proto != HL_PROTO_VERSION) {
        hl_session_refuse(now);
        return 0;
    }
    active = 1;
    refused = 0;
    last_heard = now;
    return 1;
}

void hl_session_refuse(uint32_t now)
{
    active = 0;
    refused = 1;
    hello_at = now + HL_HELLO_REFUSED_INTERVAL_MS;
}

void hl_session_restart(uint32_t now)
{
    active = 0;
    hello_at = now;
}

uint8_t hl_session_check_link(uint32_t now)
{
    if (!active || now - last_heard < HL_LINK_LOST_MS) return 0;
    hl_session_restart(now);
    return 1;
}

uint8_t hl_session_hello_due(uint32_t now)
{
    return !active && (int32_t)(now - hello_at) >= 0;
}

void hl_session_hello_sent(uint32_t now)
{
    hello_at = now + (refused ? HL_HELLO_REFUSED_INTERVAL_MS : HL_HELLO_INTERVAL_MS);
}
