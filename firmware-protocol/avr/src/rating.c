/*
 * Cooldown and gated window.
 * - C: less than cooldownMs after the last press that was not C-flagged
 *   (a G press still counts as that reference: it was not C-flagged).
 * - G: GATED mode and the window closed. The first non-C press in an open
 *   window is a normal vote and closes it; a C press leaves it open (§6.5).
 * Times compare by unsigned subtraction, so the 49.7-day wrap is harmless.
 */
#include "rating.h"
#include "proto.h"
#include "vote_ring.h"

static uint8_t has_last;
static uint32_t last_at;
static uint8_t window;
static uint32_t window_end;

void hl_rating_init(void)
{
    has_last = 0;
    window = 0;
}

void hl_rating_configure(const hl_settings_t *old_cfg, const hl_settings_t *new_cfg)
{
    if (old_cfg->mode != new_cfg->mode) window = 0;
}

void hl_rating_open(const hl_settings_t *cfg, uint32_t window_ms, uint32_t now)
{
    if (cfg->mode != HL_MODE_GATED) return;
    window = window_ms > 0;
    window_end = now + window_ms;
}

uint8_t hl_rating_window_open(const hl_settings_t *cfg, uint32_t now)
{
    if (cfg->mode != HL_MODE_GATED || !window) return 0;
    if ((int32_t)(now - window_end) >= 0) window = 0;
    return window;
}

uint8_t hl_rating_press(const hl_settings_t *cfg, uint32_t at)
{
    uint8_t flags = 0;
    if (cfg->cooldown_ms > 0 && has_last && at - last_at < cfg->cooldown_ms) flags |= HL_VF_COOLDOWN;
    if (cfg->mode == HL_MODE_GATED) {
        if (!hl_rating_window_open(cfg, at)) flags |= HL_VF_GATED;
        else if (!(flags & HL_VF_COOLDOWN)) window = 0;
    }
    if (!(flags & HL_VF_COOLDOWN)) {
        has_last = 1;
        last_at = at;
    }
    return flags;
}
