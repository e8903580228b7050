/*
 * Protocol v1 constants shared by the C decoder, encoder and terminal:
 * message types, error codes in check order (PROTOCOL.md §9.1), and the
 * decoded-message record. Mirrors firmware-protocol/src/constants.ts.
 */
#ifndef HL_PROTO_H
#define HL_PROTO_H

#include <stdint.h>

/* Protocol version spoken (HELLO/WELCOME proto). */
#define HL_PROTO_VERSION 1
/* Longest frame, `$` through the last CRC digit (§3.4). */
#define HL_MAX_FRAME 120
/* Most fields any message has (HELLO with its revision-1.1 inFlight). */
#define HL_MAX_FIELDS 7
/* VOTE ageMs wire value meaning "unknown" (§3.5). */
#define HL_AGE_UNKNOWN 4294967295UL
/* Largest ageMs a terminal sends for a known age (§5.3). */
#define HL_AGE_MAX_KNOWN 4294967294UL

/* Message types, in the order of the schema table (schema.c). */
enum hl_type {
    HL_HELLO,
    HL_WELCOME,
    HL_VOTE,
    HL_ACK,
    HL_NAK,
    HL_PING,
    HL_PONG,
    HL_CONFIG,
    HL_OPEN,
    HL_EVENT,
    HL_TYPE_COUNT,
    /* A well-formed TYPE this receiver does not know (text in type_at/type_len). */
    HL_TYPE_UNKNOWN = 0xFE,
    /* No readable TYPE (frame-level errors before the TYPE check). */
    HL_TYPE_NONE = 0xFF
};

/* Decode outcomes; the errors are in the exact check order of §9.1. */
enum hl_error {
    HL_OK,
    HL_E_TOO_LONG,
    HL_E_MISSING_START,
    HL_E_BAD_CHAR,
    HL_E_MISSING_CRC,
    HL_E_BAD_HEX,
    HL_E_BAD_CRC,
    HL_E_BAD_TYPE,
    HL_E_EMPTY_FIELD,
    HL_E_UNKNOWN_TYPE,
    HL_E_MISSING_FIELD,
    HL_E_BAD_NUMBER,
    HL_E_OUT_OF_RANGE,
    HL_E_BAD_TOKEN,
    HL_E_BAD_ENUM,
    HL_E_TRUNCATED,
    HL_ERROR_COUNT
};

/* Error `field` values that are not a schema field index. */
#define HL_FIELD_LINE 0xF0
#define HL_FIELD_CRC 0xF1
#define HL_FIELD_TYPE 0xF2

/* CONFIG mode values (enum index in num[2]). */
#define HL_MODE_OPEN 0
#define HL_MODE_GATED 1

/*
 * One decoded line. On success, num[] holds numeric fields (booleans as
 * 0/1, enums as their index, a null ageMs as HL_AGE_UNKNOWN) and at[]/len[]
 * locate every field's text in the line (len 0 for a `-` flags field).
 * On failure, error/field/type/seq say what §9.1 requires.
 */
typedef struct {
    uint8_t error;
    uint8_t type;
    uint8_t field;
    uint8_t has_seq;
    uint32_t seq;
    uint8_t type_at, type_len;
    uint8_t nfields;
    uint32_t num[HL_MAX_FIELDS];
    uint8_t at[HL_MAX_FIELDS];
    uint8_t len[HL_MAX_FIELDS];
} hl_msg_t;

#endif
