/*
 * FIFO of pending EEPROM byte writes. Order matters: vote_ring.c relies on
 * the record bytes reaching EEPROM before the done marker is cleared (the
 * write-order argument for torn records is in vote_ring.c). Tickets count
 * writes: `queued` is the ticket of the newest put, `started` of the newest
 * write begun. Writes run one at a time, so every write before the newest
 * started one is finished, and that one is finished once the EEPROM is ready.
 */
#include "ee_queue.h"
#include "hal.h"

/* A vote record (10 writes) + an ACK marker + a CONFIG (13) + the FULL count (3) fit. */
#define QUEUE_LEN 32

static uint16_t q_addr[QUEUE_LEN];
static uint8_t q_value[QUEUE_LEN];
static uint8_t q_head, q_count;
static uint16_t queued, started;

void hl_ee_queue_init(void)
{
    q_head = 0;
    q_count = 0;
    queued = 0;
    started = 0;
}

/* Starts the oldest queued write when possible; returns 1 if one was consumed. */
static uint8_t step(void)
{
    if (q_count == 0 || !hal_ee_ready()) return 0;
    uint16_t addr = q_addr[q_head];
    uint8_t value = q_value[q_head];
    q_head = (uint8_t)((q_head + 1) % QUEUE_LEN);
    q_count--;
    started++;
    if (hal_ee_read(addr) != value) hal_ee_write(addr, value);
    return 1;
}

void hl_ee_put(uint16_t addr, uint8_t value)
{
    while (q_count == QUEUE_LEN) {
        hal_ee_wait();
        step();
    }
    uint8_t tail = (uint8_t)((q_head + q_count) % QUEUE_LEN);
    q_addr[tail] = addr;
    q_value[tail] = value;
    q_count++;
    queued++;
}

uint16_t hl_ee_ticket(void) { return queued; }

uint8_t hl_ee_committed(uint16_t ticket)
{
    int16_t ahead = (int16_t)(started - ticket);
    return ahead > 0 || (ahead == 0 && hal_ee_ready());
}

void hl_ee_poll(void) { step(); }

void hl_ee_flush(void)
{
    while (q_count) {
        hal_ee_wait();
        step();
    }
    hal_ee_wait();
}

uint8_t hl_ee_idle(void) { return q_count == 0 && hal_ee_ready(); }

uint8_t hl_ee_get(uint16_t addr)
{
    /* Newest queued write to this address wins. */
    for (uint8_t i = q_count; i > 0; i--) {
        uint8_t at = (uint8_t)((q_head + i - 1) % QUEUE_LEN);
        if (q_addr[at] == addr) return q_value[at];
    }
    hal_ee_wait();
    return hal_ee_read(addr);
}
