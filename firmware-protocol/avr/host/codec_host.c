/*
 * Host driver for the C codec, used by test/firmware-protocol/avr: the
 * vitest side sends one command per line on stdin and compares every answer
 * with the TypeScript reference codec. Input bytes travel as hex so that any
 * byte (NUL, CR, LF, >= 0x80) reaches the decoder unchanged; the TS side
 * does all the JSON work, so this program needs no JSON library.
 *
 * Commands:
 *   F <hex>         decode one line (no terminator)        -> one result line
 *   S <hex>         push bytes into the stream receiver    -> result lines, then "."
 *   R               reset the stream receiver              -> "."
 *   C <hex>         CRC-16 of the bytes                    -> 4 hex digits
 *   E <TYPE> <f>... encode; f is n<decimal> or s<text>     -> the frame without CRLF
 * Result lines: "ok\tTYPE\tname=value..." or "err\tcode\tfield\ttype|-\tseq|-".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../src/crc16.h"
#include "../src/decode.h"
#include "../src/encode.h"
#include "../src/line_rx.h"
#include "../src/schema.h"

/* Error strings in enum hl_error order: the exact codes of PROTOCOL.md §9.1. */
static const char *const ERROR_NAMES[HL_ERROR_COUNT] = {
    "ok", "too-long", "missing-start", "bad-char", "missing-crc", "bad-hex", "bad-crc", "bad-type",
    "empty-field", "unknown-type", "missing-field", "bad-number", "out-of-range", "bad-token", "bad-enum",
    "truncated",
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex text in place; returns the byte count. */
static size_t unhex(char *text, uint8_t *out)
{
    size_t n = 0;
    for (char *p = text; p[0] && p[1]; p += 2) {
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0) break;
        out[n++] = (uint8_t)(hi * 16 + lo);
    }
    return n;
}

static void print_text(const uint8_t *b, uint8_t at, uint8_t len)
{
    fwrite(b + at, 1, len, stdout);
}

static void print_result(const uint8_t *line, const hl_msg_t *m)
{
    if (m->error != HL_OK) {
        printf("err\t%s\t", ERROR_NAMES[m->error]);
        if (m->field == HL_FIELD_LINE) fputs("line", stdout);
        else if (m->field == HL_FIELD_CRC) fputs("crc", stdout);
        else if (m->field == HL_FIELD_TYPE) fputs("type", stdout);
        else fputs(hl_field_name(m->type, m->field), stdout);
        putchar('\t');
        if (m->type == HL_TYPE_NONE) putchar('-');
        else print_text(line, m->type_at, m->type_len);
        if (m->has_seq) printf("\t%lu\n", (unsigned long)m->seq);
        else fputs("\t-\n", stdout);
        return;
    }
    hl_schema_t sc;
    hl_schema_get(m->type, &sc);
    printf("ok\t%s", sc.name);
    for (uint8_t k = 0; k < m->nfields; k++) {
        const hl_field_t *f = &sc.fields[k];
        printf("\t%s=", hl_field_name(m->type, k));
        switch (f->kind) {
        case HL_K_NUM: printf("%lu", (unsigned long)m->num[k]); break;
        case HL_K_NULLABLE:
            if (m->num[k] == f->max) fputs("null", stdout);
            else printf("%lu", (unsigned long)m->num[k]);
            break;
        case HL_K_BOOL: fputs(m->num[k] ? "true" : "false", stdout); break;
        case HL_K_ENUM: fputs(hl_mode_name((uint8_t)m->num[k]), stdout); break;
        default: print_text(line, m->at[k], m->len[k]); break;
        }
    }
    putchar('\n');
}

static void encode_cmd(char *args)
{
    char *save = NULL;
    char *type = strtok_r(args, " ", &save);
    uint8_t t = type ? hl_schema_lookup((const uint8_t *)type, (uint8_t)strlen(type)) : HL_TYPE_UNKNOWN;
    if (t == HL_TYPE_UNKNOWN) {
        puts("error unknown type");
        return;
    }
    uint8_t buf[HL_FRAME_BUF];
    hl_enc_t e;
    hl_enc_begin(&e, buf, t);
    for (char *f; (f = strtok_r(NULL, " ", &save)) != NULL;) {
        if (f[0] == 'n') hl_enc_u32(&e, (uint32_t)strtoul(f + 1, NULL, 10));
        else hl_enc_str(&e, f + 1);
    }
    uint8_t n = hl_enc_end(&e);
    fwrite(buf, 1, (size_t)(n - 2), stdout);
    putchar('\n');
}

int main(void)
{
    static hl_line_rx_t rx;
    hl_line_rx_init(&rx);
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    uint8_t *bytes = NULL;
    size_t bytes_cap = 0;
    while ((got = getline(&line, &cap, stdin)) > 0) {
        if (line[got - 1] == '\n') line[--got] = 0;
        if ((size_t)got / 2 + 1 > bytes_cap) {
            bytes_cap = (size_t)got / 2 + 1;
            bytes = realloc(bytes, bytes_cap);
        }
        char cmd = line[0];
        char *arg = got > 2 ? line + 2 : line + got;
        hl_msg_t m;
        if (cmd == 'F') {
            size_t n = unhex(arg, bytes);
            /* Lengths past 120 are too-long on length alone; clamp so uint16 never wraps. */
            hl_decode(bytes, (uint16_t)(n > 1000 ? 1000 : n), &m);
            print_result(bytes, &m);
        } else if (cmd == 'S') {
            size_t n = unhex(arg, bytes);
            for (size_t i = 0; i < n; i++)
                if (hl_line_rx_push(&rx, bytes[i], &m)) print_result(rx.buf, &m);
            puts(".");
        } else if (cmd == 'R') {
            hl_line_rx_init(&rx);
            puts(".");
        } else if (cmd == 'C') {
            size_t n = unhex(arg, bytes);
            uint16_t crc = HL_CRC16_INIT;
            for (size_t i = 0; i < n; i++) crc = hl_crc16_update(crc, bytes[i]);
            printf("%04X\n", crc);
        } else if (cmd == 'E') {
            encode_cmd(arg);
        } else {
            printf("error unknown command %c\n", cmd);
        }
        fflush(stdout);
    }
    free(line);
    free(bytes);
    return 0;
}
