/*
 * Terminal main logic. Frames go out in this priority order, one attempt
 * per pass, and only when the UART has room for the whole frame (sending
 * never blocks): EVENT BOOT (first frame after reset, §6.1), PONG (at once,
 * §5.6), HELLO, EVENT STUCK, EVENT FULL, VOTE.
 *
 * Presses are detected in the 1 ms tick (debounce.c) and handed to the main
 * loop through a small queue with their timestamps, so feedback is given on
 * the next pass (well within 20 ms) and ageMs counts from the press.
 */
#include "terminal.h"
#include "boot_cause.h"
#include "debounce.h"
#include "ee_queue.h"
#include "encode.h"
#include "feedback.h"
#include "fuse_check.h"
#include "hal.h"
#include "hl_config.h"
#include "hl_pgm.h"
#include "identity.h"
#include "line_rx.h"
#include "rating.h"
#include "refusals.h"
#include "sender.h"
#include "session.h"
#include "settings.h"
#include "vote_ring.h"

/* Debounce events from the tick interrupt to the main loop. */
#define EVENTS 8
static volatile uint8_t ev_head, ev_tail;
static volatile uint8_t ev_pressed[EVENTS], ev_stuck[EVENTS];
static volatile uint32_t ev_at[EVENTS];
/* Read by the tick interrupt: buttons that exist. */
static volatile uint8_t fitted_mask;

static hl_line_rx_t rx;
static hl_settings_t cfg;
static uint8_t fitted;
static const char *boot_cause; /* flash string; NULL once sent */
static uint8_t pong_pending;
static uint32_t pong_nonce;
static uint8_t stuck_pending;
static uint8_t full_pending;
/* Supply measured at boot when below HL_LOWV_MV, else 0: reported in every session (the dashboard shows it). */
static uint16_t lowv_mv;
static uint8_t lowv_pending;
/* The extended and high fuses read at boot, and what they lack (hl_fuse_missing | FUSE_PENDING), 0 when sound. */
static uint8_t fuse_e, fuse_h, fuse_missing;
#define FUSE_PENDING 0x80u

void hal_on_tick(void)
{
    hl_debounce_events_t ev = hl_debounce_sample(hal_buttons_raw() & fitted_mask);
    if (!(ev.pressed | ev.stuck)) return;
    uint8_t next = (uint8_t)((ev_head + 1) % EVENTS);
    /* Full only if the main loop stalled for 8 presses: the watchdog bites first. */
    if (next == ev_tail) return;
    ev_pressed[ev_head] = ev.pressed;
    ev_stuck[ev_head] = ev.stuck;
    ev_at[ev_head] = hal_millis();
    ev_head = next;
}

void hl_terminal_init(void)
{
    uint32_t now = hal_millis();
    hl_ee_queue_init();
    hl_identity_init();
    fitted = hl_identity_buttons();
    hl_settings_load(&cfg, fitted);
    hl_refusals_init();
    hl_ring_init();
    hl_line_rx_init(&rx);
    hl_debounce_init();
    hl_feedback_init();
    hl_rating_init();
    hl_session_init(now);
    hl_sender_init();
    ev_head = ev_tail = 0;
    fitted_mask = (uint8_t)((1u << fitted) - 1u);
    boot_cause = hl_boot_cause(hal_reset_flags(), hal_bootloader_flags());
    pong_pending = 0;
    stuck_pending = 0;
    full_pending = 0;
    /*
     * A box flashed through a bootloader lacks the 4.3 V brown-out fuse
     * (only flash-isp sets it), and a weak USB port or long cable sags:
     * measured at boot, told in every session so that a bridge restarted
     * since still shows it (§5.9 LOWV, §12).
     */
    uint16_t mv = hal_vcc_mv();
    lowv_mv = mv != 0 && mv < HL_LOWV_MV ? mv : 0;
    lowv_pending = 0;
    /*
     * The same box lacks the fuses themselves: without the 4.3 V brown-out a
     * sagging supply can corrupt an EEPROM write, without EESAVE a chip erase
     * wipes the votes and seq. Told in every session like LOWV (§5.9 FUSE).
     */
    fuse_e = hal_fuse_byte(2);
    fuse_h = hal_fuse_byte(3);
    fuse_missing = hl_fuse_missing(fuse_e, fuse_h);
}

/* Sends a finished frame if the UART can take all of it now. */
static uint8_t transmit(hl_enc_t *e)
{
    uint8_t n = hl_enc_end(e);
    if (hal_uart_tx_free() < n) return 0;
    hal_uart_write(e->buf, n);
    return 1;
}

static uint8_t send_event_P(const char *code, const char *value_P, const char *value, uint32_t number)
{
    uint8_t buf[HL_FRAME_BUF];
    hl_enc_t e;
    hl_enc_begin(&e, buf, HL_EVENT);
    hl_enc_str_P(&e, code);
    if (value_P) hl_enc_str_P(&e, value_P);
    else if (value) hl_enc_str(&e, value);
    else hl_enc_u32(&e, number);
    return transmit(&e);
}

static uint8_t send_hello(void)
{
    char model[sizeof HL_MODEL_PREFIX + 1];
    hl_pgm_copy(model, PSTR(HL_MODEL_PREFIX), sizeof HL_MODEL_PREFIX - 1);
    model[sizeof HL_MODEL_PREFIX - 1] = (char)('0' + fitted);
    model[sizeof HL_MODEL_PREFIX] = 0;
    uint8_t buf[HL_FRAME_BUF];
    hl_enc_t e;
    hl_enc_begin(&e, buf, HL_HELLO);
    hl_enc_u32(&e, HL_PROTO_VERSION);
    hl_enc_str(&e, hl_identity_uid());
    hl_enc_str(&e, model);
    hl_enc_str_P(&e, PSTR(HL_FW_VERSION));
    hl_enc_u32(&e, fitted);
    hl_enc_u32(&e, hl_ring_pending());
    /* inFlight (§5.1, revision 1.1): the window asked for; none keeps a 1.0 HELLO byte-identical. */
    if (hl_sender_asked() > 1) hl_enc_u32(&e, hl_sender_asked());
    return transmit(&e);
}

static uint8_t send_vote(const hl_vote_t *v, uint8_t slot, uint32_t now)
{
    /* Votes pressed before a reboot have no clock reference (§7.5): HL_AGE_UNKNOWN. */
    uint32_t age = hl_ring_age(slot, v->seq, now);
    char flags[3];
    uint8_t n = 0;
    if (v->flags & HL_VF_COOLDOWN) flags[n++] = 'C';
    if (v->flags & HL_VF_GATED) flags[n++] = 'G';
    if (n == 0) flags[n++] = '-';
    flags[n] = 0;
    uint8_t buf[HL_FRAME_BUF];
    hl_enc_t e;
    hl_enc_begin(&e, buf, HL_VOTE);
    hl_enc_u32(&e, v->seq);
    hl_enc_u32(&e, v->button);
    hl_enc_u32(&e, v->reason);
    hl_enc_u32(&e, age);
    hl_enc_str(&e, flags);
    return transmit(&e);
}

static void apply_config(const hl_msg_t *m)
{
    hl_settings_t next;
    /* The bridge must not configure more buttons than HELLO announced;
     * if it does, only the fitted ones can be pressed anyway. */
    next.buttons = m->num[0] < fitted ? (uint8_t)m->num[0] : fitted;
    next.cooldown_ms = m->num[1];
    next.mode = (uint8_t)m->num[2];
    next.window_ms = m->num[3];
    next.leds = (uint8_t)m->num[4];
    next.buzzer = (uint8_t)m->num[5];
    hl_rating_configure(&cfg, &next);
    cfg = next;
    hl_settings_store(&cfg);
}

/* A decoded frame. Frames of the other direction are ignored (§9.3). */
static void handle(const hl_msg_t *m, uint32_t now)
{
    if (m->error != HL_OK) return;
    switch (m->type) {
    case HL_PING:
        pong_pending = 1;
        pong_nonce = m->num[0];
        break;
    case HL_WELCOME:
        if (hl_session_welcome(m->num[0], now)) {
            /* Before any VOTE of this session: a wiped box continues above the mark (§7.6). */
            if (m->nfields > 1) hl_ring_continue_above(m->num[1], hl_sender_asked());
            /* W = min(granted, asked); no inFlight in WELCOME (a 1.0 bridge) is W = 1 (§7.7). */
            hl_sender_restart(m->nfields > 2 ? m->num[2] : 0);
            if (hl_refusals_count() > 0) full_pending = 1;
            /* A bridge (re)started since the last session has not heard it yet. */
            lowv_pending = lowv_mv != 0;
            if (fuse_missing) fuse_missing |= FUSE_PENDING;
        }
        break;
    case HL_ACK:
        /* Also in the HELLO phase: a late ACK still completes what the bridge stored (§7.7 step 5). */
        if (hl_sender_ack(m->seq, now) && hl_refusals_count() > 0) full_pending = 1;
        break;
    case HL_NAK:
        switch (hl_sender_nak(m->seq, rx.buf + m->at[1], m->len[1], hl_session_active())) {
        case HL_NAK_HELLO: hl_session_restart(now); break;
        case HL_NAK_VERSION: hl_session_refuse(now); break;
        default: break;
        }
        break;
    case HL_CONFIG: apply_config(m); break;
    case HL_OPEN: hl_rating_open(&cfg, m->num[0], now); break;
    default: return; /* HELLO, VOTE, EVENT, PONG: not from a bridge */
    }
    hl_session_heard(now);
}

static void on_press(uint8_t button, uint32_t at, uint32_t now)
{
    /* Buttons above CONFIG `buttons` are not scale levels: no seq, no feedback (§5.7). */
    if (button > cfg.buttons) return;
    if (hl_ring_full()) {
        hl_feedback_fault(now);
        hl_refusals_add();
        return;
    }
    uint8_t flags = hl_rating_press(&cfg, at);
    /* Feedback first (§12): the record write below takes ~35 ms on the AVR. */
    hl_feedback_thanks(button, flags != 0, now);
    hl_ring_append(button, 0, flags, at);
}

static void take_events(uint32_t now)
{
    while (ev_tail != ev_head) {
        uint8_t t = ev_tail;
        for (uint8_t b = 0; b < HL_BUTTONS_MAX; b++) {
            if (ev_pressed[t] & (1u << b)) on_press((uint8_t)(b + 1), ev_at[t], now);
            if (ev_stuck[t] & (1u << b)) stuck_pending |= (uint8_t)(1u << b);
        }
        ev_tail = (uint8_t)((t + 1) % EVENTS);
    }
}

static void transmit_pending(uint32_t now)
{
    if (boot_cause) {
        if (!send_event_P(PSTR("BOOT"), boot_cause, 0, 0)) return;
        boot_cause = 0;
    }
    if (pong_pending) {
        uint8_t buf[HL_FRAME_BUF];
        hl_enc_t e;
        hl_enc_begin(&e, buf, HL_PONG);
        hl_enc_u32(&e, pong_nonce);
        if (!transmit(&e)) return;
        pong_pending = 0;
    }
    if (hl_session_hello_due(now)) {
        if (!send_hello()) return;
        hl_session_hello_sent(now);
    }
    for (uint8_t b = 0; b < HL_BUTTONS_MAX && stuck_pending; b++) {
        if (!(stuck_pending & (1u << b))) continue;
        if (!send_event_P(PSTR("STUCK"), 0, 0, (uint32_t)(b + 1))) return;
        stuck_pending &= (uint8_t)~(1u << b);
    }
    if (lowv_pending && hl_session_active()) {
        if (!send_event_P(PSTR("LOWV"), 0, 0, lowv_mv)) return;
        lowv_pending = 0;
    }
    if ((fuse_missing & FUSE_PENDING) && hl_session_active()) {
        char value[17];
        hl_fuse_value(value, fuse_e, fuse_h, fuse_missing);
        if (!send_event_P(PSTR("FUSE"), 0, value, 0)) return;
        fuse_missing &= (uint8_t)~FUSE_PENDING;
    }
    if (full_pending && hl_session_active()) {
        if (!send_event_P(PSTR("FULL"), 0, 0, hl_refusals_count())) return;
        hl_refusals_clear();
        full_pending = 0;
    }
    /* The sender sends a VOTE only once its record is entirely in EEPROM (§7.1). */
    hl_vote_t v;
    uint8_t slot;
    if (hl_sender_due(now, hl_session_active(), &v, &slot) && send_vote(&v, slot, now)) hl_sender_sent(now);
}

void hl_terminal_poll(void)
{
    uint32_t now = hal_millis();
    for (int16_t c; (c = hal_uart_getc()) >= 0;) {
        hl_msg_t m;
        if (hl_line_rx_push(&rx, (uint8_t)c, &m)) handle(&m, now);
    }
    take_events(now);
    hl_session_check_link(now);
    transmit_pending(now);

    hl_feedback_ctx_t fb;
    fb.leds = cfg.leds;
    fb.buzzer = cfg.buzzer;
    fb.fitted_mask = fitted_mask;
    fb.window_mask = hl_rating_window_open(&cfg, now) ? (uint8_t)((1u << cfg.buttons) - 1u) : 0;
    if (hl_session_refused() || hl_sender_troubled() || hl_identity_source() == HL_UID_MISSING)
        fb.status = HL_STATUS_FAULT;
    else
        fb.status = hl_session_active() ? HL_STATUS_ONLINE : HL_STATUS_SEARCHING;
    hl_feedback_update(now, &fb);
    hl_ee_poll();
}

uint8_t hl_terminal_idle(void)
{
    return ev_tail == ev_head && !pong_pending && !boot_cause && hl_ee_idle();
}
