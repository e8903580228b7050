/*
 * Non-blocking EEPROM writer. An AVR EEPROM byte takes ~3.4 ms to write, so
 * a 10-byte vote record would stall the main loop for ~35 ms: long enough to
 * overrun the UART receive buffer and to delay press feedback past 20 ms.
 * Writes are queued here and started one by one as the EEPROM becomes ready.
 */
#ifndef HL_EE_QUEUE_H
#define HL_EE_QUEUE_H

#include <stdint.h>

/* Forgets queued writes (boot only). */
void hl_ee_queue_init(void);

/*
 * Queues one byte write, in order after earlier ones. Bytes that already
 * hold the value are skipped when their turn comes (update semantics save
 * wear). If the queue is full it first waits for the oldest write.
 */
void hl_ee_put(uint16_t addr, uint8_t value);

/* Ticket of the last write queued so far; see hl_ee_committed. */
uint16_t hl_ee_ticket(void);

/* True when the write with this ticket, and every write before it, is physically done. */
uint8_t hl_ee_committed(uint16_t ticket);

/* Starts the next queued write if the EEPROM is ready; call every loop pass. */
void hl_ee_poll(void);

/* Blocks until every queued write is done (boot-time work; hal_ee_wait feeds the watchdog). */
void hl_ee_flush(void);

/* True when nothing is queued and no write is in progress. */
uint8_t hl_ee_idle(void);

/*
 * Reads a byte as it will be once the queue has drained: the newest queued
 * value for addr, else EEPROM (waiting out a write in progress, <= 3.4 ms).
 */
uint8_t hl_ee_get(uint16_t addr);

#endif
