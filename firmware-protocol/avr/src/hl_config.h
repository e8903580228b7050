/*
 * Build-time constants of the reference button box (HLBOX). Timings are the
 * normative values of firmware-protocol/PROTOCOL.md; the section is named
 * next to each one so a reviewer can check them against the spec.
 */
#ifndef HL_CONFIG_H
#define HL_CONFIG_H

/* Firmware version sent in HELLO (semver, PROTOCOL.md §5.1). */
#define HL_FW_VERSION "1.2.0"

/* Below this supply (mV) at boot the box reports EVENT,LOWV: the brown-out level of flash-isp's efuse (§12). */
#define HL_LOWV_MV 4300u

/* HELLO model is this prefix plus the fitted button count: HLBOX-4. */
#define HL_MODEL_PREFIX "HLBOX-"

/* Vendor/model tag in front of the MCU serial number (§5.1 uid must be globally unique). */
#define HL_UID_PREFIX "HL328P-"

/* Buttons fitted when the EEPROM identity block does not say (reference box: 4). */
#ifndef HL_BUTTONS_DEFAULT
#define HL_BUTTONS_DEFAULT 4
#endif

/* The PCB has room for 3..5 buttons (PD2..PD6); other counts are refused. */
#define HL_BUTTONS_MIN 3
#define HL_BUTTONS_MAX 5

#if HL_BUTTONS_DEFAULT < HL_BUTTONS_MIN || HL_BUTTONS_DEFAULT > HL_BUTTONS_MAX
#error "HL_BUTTONS_DEFAULT must be 3..5"
#endif

/* §6.1: HELLO every 2 s until WELCOME. */
#define HL_HELLO_INTERVAL_MS 2000UL
/* §6.2: after NAK,0,VERSION the terminal MAY slow HELLO to once per 30 s. */
#define HL_HELLO_REFUSED_INTERVAL_MS 30000UL
/* §6.3: link lost after 15 s without a valid frame from the bridge. */
#define HL_LINK_LOST_MS 15000UL
/*
 * §7.7: the send window this box asks for in HELLO inFlight, and its Wmax
 * for §7.6. 16 is the reference bridge's maximum; every vote in flight is
 * still in the EEPROM ring, so the window costs no RAM beyond the sender's
 * few counters.
 */
#define HL_WINDOW 16

/* §7.2: first resend timeout, doubling up to the cap. */
#define HL_RESEND_FIRST_MS 1000UL
#define HL_RESEND_MAX_MS 30000UL

/* §12 debounce: 1 ms samples, 5 stable ms to accept, 30 ms released to re-arm. */
#define HL_DEBOUNCE_MS 5
#define HL_REARM_MS 30
/* §5.9 STUCK: a button held this long reports once and votes no more until released. */
#define HL_STUCK_MS 10000U

/* §7.4: vote records kept in EEPROM: every 6-byte slot the 1 KB holds (ee_map.h). */
#define HL_RING_SLOTS 147

/* Press feedback lengths (§12: feedback within 20 ms of the press). */
#define HL_THANKS_LED_MS 400U
#define HL_THANKS_BEEP_MS 80U
#define HL_FLAGGED_BEEP_MS 20U
#define HL_FAULT_MS 900U

#endif
