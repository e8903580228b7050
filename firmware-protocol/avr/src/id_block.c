/* Identity block encoding; layout and reasons in id_block.h. */
#include "id_block.h"
#include "crc8.h"
#include "hl_config.h"
#include "schema.h"
#include "hl_pgm.h"
#include <string.h>

#define BODY (HL_EE_ID_SIZE - 1)

uint8_t hl_id_block_build(uint8_t *out, const char *uid, uint8_t buttons)
{
    size_t n = strlen(uid);
    if (n > HL_UID_MAX || (n > 0 && !hl_token_ok(HL_T_UID, (const uint8_t *)uid, (uint8_t)n))) return 0;
    if (buttons != 0 && (buttons < HL_BUTTONS_MIN || buttons > HL_BUTTONS_MAX)) return 0;
    memset(out, 0xFF, HL_EE_ID_SIZE);
    memcpy(out, "HLID", 4);
    out[4] = 1;
    out[5] = buttons ? buttons : 0xFF;
    out[6] = (uint8_t)n;
    memcpy(out + 7, uid, n);
    out[BODY] = hl_crc8(out, BODY);
    return 1;
}

uint8_t hl_id_block_parse(const uint8_t *in, hl_id_t *id)
{
    id->buttons = 0;
    id->uid[0] = 0;
    if (hl_pgm_cmp(in, PSTR("HLID"), 4) != 0 || in[4] != 1 || hl_crc8(in, BODY) != in[BODY]) return 0;
    uint8_t n = in[6];
    if (n > HL_UID_MAX || (n > 0 && !hl_token_ok(HL_T_UID, in + 7, n))) return 0;
    if (in[5] >= HL_BUTTONS_MIN && in[5] <= HL_BUTTONS_MAX) id->buttons = in[5];
    memcpy(id->uid, in + 7, n);
    id->uid[n] = 0;
    return 1;
}
