/*
 * Message schemas of protocol v1 in flash, and the token grammars.
 * Ranges copy firmware-protocol/src/message.ts; the host differential tests
 * catch any drift between the two tables.
 */
#include "schema.h"
#include "hl_pgm.h"

#define U32MAX 4294967295UL
#define NUM(lo, hi) { HL_K_NUM, 0, (lo), (hi) }
#define TOK(t) { HL_K_TOKEN, (t), 0, 0 }
#define NO_SEQ 0xFF

static const hl_schema_t SCHEMAS[HL_TYPE_COUNT] HL_PGM = {
    /* inFlight (§5.1, §7.7) is optional: a terminal without a send window leaves it off. */
    [HL_HELLO] = { "HELLO", 7, NO_SEQ,
        { NUM(1, 255), TOK(HL_T_UID), TOK(HL_T_MODEL), TOK(HL_T_FIRMWARE), NUM(2, 9), NUM(0, 65535), NUM(1, 64) }, 1 },
    /* mark (§5.2, §7.6) and inFlight (§7.7) are optional: a bridge older than them sends WELCOME,<proto> only. */
    [HL_WELCOME] = { "WELCOME", 3, NO_SEQ, { NUM(1, 255), NUM(0, U32MAX), NUM(1, 64) }, 2 },
    [HL_VOTE] = { "VOTE", 5, 0,
        { NUM(1, U32MAX), NUM(1, 9), NUM(0, 99), { HL_K_NULLABLE, 0, 0, U32MAX }, { HL_K_FLAGS, HL_T_FLAGS, 0, 0 } }, 0 },
    [HL_ACK] = { "ACK", 2, 0, { NUM(1, U32MAX), TOK(HL_T_CODE) }, 0 },
    [HL_NAK] = { "NAK", 2, 0, { NUM(0, U32MAX), TOK(HL_T_CODE) }, 0 },
    [HL_PING] = { "PING", 1, NO_SEQ, { NUM(0, U32MAX) }, 0 },
    [HL_PONG] = { "PONG", 1, NO_SEQ, { NUM(0, U32MAX) }, 0 },
    [HL_CONFIG] = { "CONFIG", 6, NO_SEQ,
        { NUM(2, 9), NUM(0, 600000UL), { HL_K_ENUM, 0, 0, 0 }, NUM(1000, 600000UL),
          { HL_K_BOOL, 0, 0, 1 }, { HL_K_BOOL, 0, 0, 1 } }, 0 },
    [HL_OPEN] = { "OPEN", 1, NO_SEQ, { NUM(0, 600000UL) }, 0 },
    [HL_EVENT] = { "EVENT", 2, NO_SEQ, { TOK(HL_T_CODE), TOK(HL_T_VALUE) }, 0 },
};

/* Character classes of the token grammars. */
#define C_UPPER 1
#define C_DIGIT 2
#define C_LOWER 4
#define C_PUNCT 8 /* . _ - */
#define C_PLUS 16
#define C_IDENT (C_UPPER | C_DIGIT | C_LOWER | C_PUNCT)

/* first-char classes, later-char classes, max length; indexed by hl_token. */
static const uint8_t GRAMMARS[][3] HL_PGM = {
    [HL_T_UID] = { C_IDENT, C_IDENT, 32 },
    [HL_T_MODEL] = { C_IDENT, C_IDENT, 16 },
    [HL_T_FIRMWARE] = { C_IDENT | C_PLUS, C_IDENT | C_PLUS, 16 },
    [HL_T_CODE] = { C_UPPER, C_UPPER | C_DIGIT, 8 },
    [HL_T_VALUE] = { C_IDENT, C_IDENT, 16 },
    [HL_T_FLAGS] = { C_UPPER, C_UPPER, 8 },
};

static uint8_t char_class(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') return C_UPPER;
    if (c >= '0' && c <= '9') return C_DIGIT;
    if (c >= 'a' && c <= 'z') return C_LOWER;
    if (c == '.' || c == '_' || c == '-') return C_PUNCT;
    if (c == '+') return C_PLUS;
    return 0;
}

void hl_schema_get(uint8_t type, hl_schema_t *out)
{
    hl_pgm_copy(out, &SCHEMAS[type], sizeof *out);
}

uint8_t hl_schema_lookup(const uint8_t *b, uint8_t len)
{
    for (uint8_t t = 0; t < HL_TYPE_COUNT; t++) {
        const char *name = SCHEMAS[t].name;
        uint8_t i = 0;
        while (i < len && hl_pgm_byte(&name[i]) == b[i]) i++;
        /* Names are NUL-terminated in 8 bytes and TYPE bytes are never NUL, so i stays <= 7. */
        if (i == len && hl_pgm_byte(&name[len]) == 0) return t;
    }
    return HL_TYPE_UNKNOWN;
}

uint8_t hl_token_ok(uint8_t token, const uint8_t *b, uint8_t len)
{
    uint8_t first = hl_pgm_byte(&GRAMMARS[token][0]);
    uint8_t rest = hl_pgm_byte(&GRAMMARS[token][1]);
    uint8_t max = hl_pgm_byte(&GRAMMARS[token][2]);
    if (len < 1 || len > max) return 0;
    if (!(char_class(b[0]) & first)) return 0;
    for (uint8_t i = 1; i < len; i++)
        if (!(char_class(b[i]) & rest)) return 0;
    return 1;
}

static const char MODE_OPEN[] HL_PGM = "OPEN";
static const char MODE_GATED[] HL_PGM = "GATED";

uint8_t hl_mode_lookup(const uint8_t *b, uint8_t len)
{
    if (len == 4 && hl_pgm_cmp(b, MODE_OPEN, 4) == 0) return HL_MODE_OPEN;
    if (len == 5 && hl_pgm_cmp(b, MODE_GATED, 5) == 0) return HL_MODE_GATED;
    return 0xFF;
}

#ifdef HL_SCHEMA_NAMES
const char *hl_mode_name(uint8_t mode)
{
    return mode == HL_MODE_GATED ? "GATED" : "OPEN";
}

static const char *const FIELD_NAMES[HL_TYPE_COUNT][HL_MAX_FIELDS] = {
    [HL_HELLO] = { "proto", "uid", "model", "firmware", "buttons", "pending", "inFlight" },
    [HL_WELCOME] = { "proto", "mark", "inFlight" },
    [HL_VOTE] = { "seq", "button", "reason", "ageMs", "flags" },
    [HL_ACK] = { "seq", "status" },
    [HL_NAK] = { "seq", "reason" },
    [HL_PING] = { "nonce" },
    [HL_PONG] = { "nonce" },
    [HL_CONFIG] = { "buttons", "cooldownMs", "mode", "windowMs", "leds", "buzzer" },
    [HL_OPEN] = { "windowMs" },
    [HL_EVENT] = { "code", "value" },
};

const char *hl_field_name(uint8_t type, uint8_t field)
{
    return FIELD_NAMES[type][field];
}
#endif
