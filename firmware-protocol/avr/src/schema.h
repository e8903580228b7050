/*
 * The field table of every v1 message: wire order, kind and range. It is
 * the C twin of SCHEMAS in firmware-protocol/src/message.ts; the host tests
 * prove the two agree on every conformance vector and on fuzzed input.
 */
#ifndef HL_SCHEMA_H
#define HL_SCHEMA_H

#include <stdint.h>
#include "proto.h"

/* Field kinds. */
enum hl_kind {
    HL_K_NUM,      /* canonical decimal within min..max */
    HL_K_NULLABLE, /* like NUM; max is the "unknown" sentinel */
    HL_K_BOOL,     /* 0 or 1 */
    HL_K_TOKEN,    /* text of a token grammar */
    HL_K_FLAGS,    /* `-` or flag letters */
    HL_K_ENUM      /* CONFIG mode: OPEN / GATED */
};

/* Token grammars (PROTOCOL.md §3.2). */
enum hl_token {
    HL_T_UID,
    HL_T_MODEL,
    HL_T_FIRMWARE,
    HL_T_CODE,
    HL_T_VALUE,
    HL_T_FLAGS
};

/* One field of a schema. */
typedef struct {
    uint8_t kind;
    uint8_t token;
    uint32_t min;
    uint32_t max;
} hl_field_t;

/*
 * One message type: TYPE text, fields, which field is `seq` (0xFF = none),
 * and how many of the last fields are optional (a minor-revision addition,
 * PROTOCOL.md §10: a frame without them still decodes).
 */
typedef struct {
    char name[8];
    uint8_t nfields;
    uint8_t seq_index;
    hl_field_t fields[HL_MAX_FIELDS];
    uint8_t noptional;
} hl_schema_t;

/* Copies the schema of `type` (< HL_TYPE_COUNT) from flash. */
void hl_schema_get(uint8_t type, hl_schema_t *out);

/* Type id of the TYPE text b[0..len), or HL_TYPE_UNKNOWN. */
uint8_t hl_schema_lookup(const uint8_t *b, uint8_t len);

/* True when b[0..len) is a token of grammar `token` (length included). */
uint8_t hl_token_ok(uint8_t token, const uint8_t *b, uint8_t len);

/* Index of b[0..len) in the CONFIG mode words, or 0xFF. */
uint8_t hl_mode_lookup(const uint8_t *b, uint8_t len);

#ifdef HL_SCHEMA_NAMES
/* Wire word of a CONFIG mode index (host tools print it). */
const char *hl_mode_name(uint8_t mode);

/* camelCase field name, as in message.ts (host builds only: saves flash). */
const char *hl_field_name(uint8_t type, uint8_t field);
#endif

#endif
