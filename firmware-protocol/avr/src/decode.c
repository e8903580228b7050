/*
 * Frame decoder, a check-by-check mirror of firmware-protocol/src/decode.ts.
 * Checks run in the order PROTOCOL.md §9.1 fixes and the first failure wins,
 * so a frame with a bad CRC is `bad-crc` whatever else is wrong with it, and
 * nothing is interpreted before the CRC has matched. Works in place on the
 * caller's buffer: no copy, no strtok, no scanf (§12).
 */
#include "decode.h"
#include "crc16.h"
#include "schema.h"
#include "hl_pgm.h"

/* Separators of fields 0..HL_MAX_FIELDS (field k ends at sep[k+1] or the `*`). */
#define SEPS (HL_MAX_FIELDS + 1)

/* Parse state shared by the helpers below (one decode at a time). */
typedef struct {
    const uint8_t *b;
    uint8_t star;
    uint8_t ncomma;
    uint8_t sep[SEPS];
} scan_t;

static uint8_t fail(hl_msg_t *m, uint8_t code, uint8_t field)
{
    m->error = code;
    m->field = field;
    return code;
}

/* Bounds of field k (0-based after TYPE); requires k < ncomma. */
static void field_span(const scan_t *s, uint8_t k, uint8_t *from, uint8_t *to)
{
    *from = (uint8_t)(s->sep[k] + 1);
    *to = (uint8_t)(k + 1 < s->ncomma ? s->sep[k + 1] : s->star);
}

/*
 * Canonical decimal (§3.5): 1..10 digits, no sign, no leading zero except
 * "0" itself, at most 4294967295. Returns 0 when it is not one.
 */
static uint8_t parse_number(const uint8_t *p, uint8_t len, uint32_t *out)
{
    static const char LIMIT[] HL_PGM = "4294967295";
    if (len < 1 || len > 10) return 0;
    if (p[0] == '0' && len > 1) return 0;
    for (uint8_t i = 0; i < len; i++)
        if (p[i] < '0' || p[i] > '9') return 0;
    /* Same-length decimal strings compare like their values (§12 overflow test). */
    if (len == 10 && hl_pgm_cmp(p, LIMIT, 10) > 0) return 0;
    uint32_t v = 0;
    for (uint8_t i = 0; i < len; i++) v = v * 10u + (uint32_t)(p[i] - '0');
    *out = v;
    return 1;
}

/* The frame's seq when its type has one, present and in range (for NAK,<seq>). */
static void read_seq(const scan_t *s, const hl_schema_t *sc, hl_msg_t *m)
{
    uint8_t k = sc->seq_index;
    if (k >= HL_MAX_FIELDS || k >= s->ncomma) return;
    uint8_t from, to;
    field_span(s, k, &from, &to);
    uint32_t v;
    if (parse_number(s->b + from, (uint8_t)(to - from), &v) && v >= sc->fields[k].min && v <= sc->fields[k].max) {
        m->has_seq = 1;
        m->seq = v;
    }
}

/* True when b[from..to) is a TYPE: [A-Z][A-Z0-9]{1,9}. */
static uint8_t type_ok(const uint8_t *b, uint8_t from, uint8_t to)
{
    uint8_t len = (uint8_t)(to - from);
    if (len < 2 || len > 10) return 0;
    if (b[from] < 'A' || b[from] > 'Z') return 0;
    for (uint8_t i = (uint8_t)(from + 1); i < to; i++)
        if (!((b[i] >= 'A' && b[i] <= 'Z') || (b[i] >= '0' && b[i] <= '9'))) return 0;
    return 1;
}

static int8_t hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') return (int8_t)(c - '0');
    if (c >= 'A' && c <= 'F') return (int8_t)(c - 'A' + 10);
    return -1; /* lowercase is not canonical (§4) */
}

/* Checks and converts field k of a known type; returns HL_OK or the error. */
static uint8_t decode_field(const scan_t *s, const hl_field_t *f, uint8_t k, hl_msg_t *m)
{
    uint8_t from, to;
    field_span(s, k, &from, &to);
    const uint8_t *p = s->b + from;
    uint8_t len = (uint8_t)(to - from);
    m->at[k] = from;
    m->len[k] = len;
    switch (f->kind) {
    case HL_K_NUM:
    case HL_K_NULLABLE:
    case HL_K_BOOL: {
        uint32_t v;
        if (!parse_number(p, len, &v)) return HL_E_BAD_NUMBER;
        if (v < f->min || v > f->max) return HL_E_OUT_OF_RANGE;
        m->num[k] = v;
        return HL_OK;
    }
    case HL_K_TOKEN:
        return hl_token_ok(f->token, p, len) ? HL_OK : HL_E_BAD_TOKEN;
    case HL_K_FLAGS:
        if (len == 1 && p[0] == '-') {
            m->len[k] = 0; /* the empty flag set */
            return HL_OK;
        }
        return hl_token_ok(HL_T_FLAGS, p, len) ? HL_OK : HL_E_BAD_TOKEN;
    default: {
        uint8_t mode = hl_mode_lookup(p, len);
        if (mode == 0xFF) return HL_E_BAD_ENUM;
        m->num[k] = mode;
        return HL_OK;
    }
    }
}

void hl_decode(const uint8_t *b, uint16_t len, hl_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->type = HL_TYPE_NONE;
    m->field = HL_FIELD_LINE;

    /* 1-3: length alone, then the start byte, then every byte of the line. */
    if (len > HL_MAX_FRAME) {
        fail(m, HL_E_TOO_LONG, HL_FIELD_LINE);
        return;
    }
    if (len == 0 || b[0] != '$') {
        fail(m, HL_E_MISSING_START, HL_FIELD_LINE);
        return;
    }
    for (uint8_t i = 1; i < len; i++) {
        if (b[i] < 0x21 || b[i] > 0x7E || b[i] == '$') {
            fail(m, HL_E_BAD_CHAR, HL_FIELD_LINE);
            return;
        }
    }

    /* Up to the first `*`: CRC, separators, and the first empty field. */
    scan_t s;
    s.b = b;
    s.ncomma = 0;
    uint16_t crc = HL_CRC16_INIT;
    uint8_t empty = 0xFF;
    uint8_t i = 1;
    for (; i < len && b[i] != '*'; i++) {
        if (b[i] == ',') {
            if (s.ncomma < SEPS) s.sep[s.ncomma] = i;
            /* Field ncomma-1 is empty when this comma directly follows the previous one. */
            if (empty == 0xFF && s.ncomma > 0 && b[i - 1] == ',') empty = (uint8_t)(s.ncomma - 1);
            s.ncomma++;
        }
        crc = hl_crc16_update(crc, b[i]);
    }
    s.star = i;
    if (empty == 0xFF && s.ncomma > 0 && b[i - 1] == ',') empty = (uint8_t)(s.ncomma - 1);

    /* 4-6: the CRC, located at the first `*`. */
    if (s.star >= len || len - s.star - 1 != 4) {
        fail(m, HL_E_MISSING_CRC, HL_FIELD_CRC);
        return;
    }
    uint16_t wire = 0;
    for (uint8_t j = (uint8_t)(s.star + 1); j < len; j++) {
        int8_t d = hex_digit(b[j]);
        if (d < 0) {
            fail(m, HL_E_BAD_HEX, HL_FIELD_CRC);
            return;
        }
        wire = (uint16_t)((wire << 4) | (uint8_t)d);
    }
    if (wire != crc) {
        fail(m, HL_E_BAD_CRC, HL_FIELD_CRC);
        return;
    }

    /* 7: TYPE. From here on errors carry the type. */
    uint8_t type_end = s.ncomma > 0 ? s.sep[0] : s.star;
    if (!type_ok(b, 1, type_end)) {
        fail(m, HL_E_BAD_TYPE, HL_FIELD_TYPE);
        return;
    }
    m->type_at = 1;
    m->type_len = (uint8_t)(type_end - 1);
    m->type = hl_schema_lookup(b + 1, m->type_len);
    hl_schema_t sc;
    if (m->type != HL_TYPE_UNKNOWN) hl_schema_get(m->type, &sc);

    /* 8: empty field, named when the type defines that field. */
    if (empty != 0xFF) {
        uint8_t known = m->type != HL_TYPE_UNKNOWN;
        if (known) read_seq(&s, &sc, m);
        fail(m, HL_E_EMPTY_FIELD, known && empty < sc.nfields ? empty : HL_FIELD_LINE);
        return;
    }
    /* 9: unknown type (ignored by a terminal, §9.3). */
    if (m->type == HL_TYPE_UNKNOWN) {
        fail(m, HL_E_UNKNOWN_TYPE, HL_FIELD_TYPE);
        return;
    }
    /* 10: missing fields, for the whole message before any value. */
    if (s.ncomma < sc.nfields - sc.noptional) {
        read_seq(&s, &sc, m);
        fail(m, HL_E_MISSING_FIELD, s.ncomma);
        return;
    }
    /* 11-14: fields left to right; extra trailing fields are ignored (§10). */
    /* Optional trailing fields the frame lacks are simply absent (nfields says how many came). */
    m->nfields = s.ncomma < sc.nfields ? s.ncomma : sc.nfields;
    for (uint8_t k = 0; k < m->nfields; k++) {
        uint8_t code = decode_field(&s, &sc.fields[k], k, m);
        if (code != HL_OK) {
            m->has_seq = 0;
            read_seq(&s, &sc, m);
            fail(m, code, k);
            return;
        }
    }
    if (sc.seq_index < HL_MAX_FIELDS) {
        m->has_seq = 1;
        m->seq = m->num[sc.seq_index];
    }
}
