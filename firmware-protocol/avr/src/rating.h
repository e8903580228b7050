/*
 * Press policy (PROTOCOL.md §6.4, §6.5): which flags a press gets from the
 * cooldown and the gated rating window, and the window itself.
 */
#ifndef HL_RATING_H
#define HL_RATING_H

#include <stdint.h>
#include "settings.h"

/* Forgets the last press and closes the window (boot). */
void hl_rating_init(void);

/* A CONFIG arrived: switching to GATED (or leaving it) starts with the window closed. */
void hl_rating_configure(const hl_settings_t *old_cfg, const hl_settings_t *new_cfg);

/* OPEN,<windowMs>: opens (or restarts) the window, 0 closes it; ignored in OPEN mode. */
void hl_rating_open(const hl_settings_t *cfg, uint32_t window_ms, uint32_t now);

/* True while a gated window is open at `now`. */
uint8_t hl_rating_window_open(const hl_settings_t *cfg, uint32_t now);

/*
 * Flags (HL_VF_*) of a press at `at`, updating the cooldown reference and
 * closing the window when the press uses it.
 */
uint8_t hl_rating_press(const hl_settings_t *cfg, uint32_t at);

#endif
