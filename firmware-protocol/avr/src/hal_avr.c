/*
 * hal.h on the ATmega328P at 16 MHz (Arduino Uno/Nano). Register names and
 * section numbers refer to the ATmega328P datasheet (DS40002061).
 */
#include "hal.h"
#include <avr/boot.h>
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include <util/atomic.h>

#if F_CPU != 16000000UL
#error "timer and baud settings assume a 16 MHz crystal"
#endif

/* Receive ring: at 115200 baud a byte arrives every 87 us; 64 bytes cover 5.5 ms of a stalled loop. */
#define RX_LEN 64
/* Transmit ring: room for EVENT BOOT + HELLO + a VOTE queued back to back. */
#define TX_LEN 128

static volatile uint32_t ms;
static volatile uint8_t rx_buf[RX_LEN], rx_head, rx_tail;
static volatile uint8_t tx_buf[TX_LEN], tx_head, tx_tail;

/* Reset flags survive the C runtime start-up in .noinit. */
static uint8_t saved_mcusr __attribute__((section(".noinit")));
static uint8_t saved_r2 __attribute__((section(".noinit")));

/*
 * .init0 runs before anything touches r2: Optiboot passes the reset flags
 * there after clearing MCUSR (optiboot.c, appStart).
 */
void hl_save_r2(void) __attribute__((naked, used, section(".init0")));
void hl_save_r2(void)
{
    __asm__ __volatile__("sts %0, r2" : "=m"(saved_r2));
}

/*
 * .init3, before main: after a watchdog reset the watchdog stays enabled
 * with its shortest period (WDRF overrides WDE, datasheet §10.9.2), so it
 * must be stopped before the C runtime could spend 16 ms. Clearing MCUSR
 * makes the next reset's flags unambiguous.
 */
void hl_early(void) __attribute__((naked, used, section(".init3")));
void hl_early(void)
{
    saved_mcusr = MCUSR;
    MCUSR = 0;
    wdt_disable();
}

void hal_init(void)
{
    /* Buttons PD2..PD6 inputs with pull-ups; buzzer PD7 output low. */
    DDRD = _BV(PD7);
    PORTD = _BV(PD2) | _BV(PD3) | _BV(PD4) | _BV(PD5) | _BV(PD6);
    /* LEDs PB0..PB4 and status PB5 outputs, off. */
    DDRB = 0x3F;
    PORTB = 0;
    /* Unused port C pins: pull-ups, so they do not float. */
    PORTC = 0x3F;

    /* Timer0 CTC at 1 kHz: 16 MHz / 64 / 250. */
    TCCR0A = _BV(WGM01);
    TCCR0B = _BV(CS01) | _BV(CS00);
    OCR0A = 249;
    TIMSK0 = _BV(OCIE0A);

    /* USART0 115200 8N1: U2X with UBRR 16 gives 117647 baud (+2.1%), the Uno's usual setting. */
    UCSR0A = _BV(U2X0);
    UBRR0 = 16;
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
    UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);

    /* 500 ms: the main loop never blocks that long (EEPROM writes are queued). */
    wdt_enable(WDTO_500MS);
    set_sleep_mode(SLEEP_MODE_IDLE);
}

void hal_start(void) { sei(); }

ISR(TIMER0_COMPA_vect)
{
    ms++;
    hal_on_tick();
}

uint32_t hal_millis(void)
{
    uint32_t v;
    /* Restore, not force on: the tick interrupt itself calls this. */
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { v = ms; }
    return v;
}

uint8_t hal_reset_flags(void) { return saved_mcusr; }

uint8_t hal_bootloader_flags(void) { return saved_r2; }

void hal_watchdog_kick(void) { wdt_reset(); }

ISR(USART_RX_vect)
{
    uint8_t c = UDR0;
    uint8_t next = (uint8_t)((rx_head + 1) % RX_LEN);
    /* Full: drop the byte. The line decoder sees a damaged frame and the peer retries. */
    if (next != rx_tail) {
        rx_buf[rx_head] = c;
        rx_head = next;
    }
}

int16_t hal_uart_getc(void)
{
    if (rx_tail == rx_head) return -1;
    uint8_t c = rx_buf[rx_tail];
    rx_tail = (uint8_t)((rx_tail + 1) % RX_LEN);
    return c;
}

ISR(USART_UDRE_vect)
{
    if (tx_tail == tx_head) {
        UCSR0B &= (uint8_t)~_BV(UDRIE0);
        return;
    }
    UDR0 = tx_buf[tx_tail];
    tx_tail = (uint8_t)((tx_tail + 1) % TX_LEN);
}

uint8_t hal_uart_tx_free(void)
{
    uint8_t used;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { used = (uint8_t)((tx_head - tx_tail + TX_LEN) % TX_LEN); }
    return (uint8_t)(TX_LEN - 1 - used);
}

void hal_uart_write(const uint8_t *p, uint8_t n)
{
    while (n--) {
        tx_buf[tx_head] = *p++;
        tx_head = (uint8_t)((tx_head + 1) % TX_LEN);
    }
    UCSR0B |= _BV(UDRIE0);
}

uint8_t hal_ee_read(uint16_t addr)
{
    while (EECR & _BV(EEPE)) {}
    EEAR = addr;
    EECR |= _BV(EERE);
    return EEDR;
}

uint8_t hal_ee_ready(void) { return !(EECR & _BV(EEPE)); }

void hal_ee_write(uint16_t addr, uint8_t value)
{
    EEAR = addr;
    EEDR = value;
    /* EEPE must follow EEMPE within 4 cycles (datasheet §8.6.3): no interrupt in between. */
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE)
    {
        EECR |= _BV(EEMPE);
        EECR |= _BV(EEPE);
    }
}

void hal_ee_wait(void)
{
    while (EECR & _BV(EEPE)) wdt_reset();
}

uint8_t hal_buttons_raw(void)
{
    /* Pressed pulls the pin low. */
    return (uint8_t)((uint8_t)~PIND >> 2) & 0x1F;
}

void hal_outputs(uint8_t leds, uint8_t status, uint8_t buzzer)
{
    PORTB = (uint8_t)((leds & 0x1F) | (status ? _BV(PB5) : 0));
    if (buzzer) PORTD |= _BV(PD7);
    else PORTD &= (uint8_t)~_BV(PD7);
}

uint8_t hal_signature_byte(uint8_t addr)
{
    uint8_t v;
    /* LPM must follow the SPMCSR write within 3 cycles (datasheet §27.8.9). */
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { v = boot_signature_byte_get(addr); }
    return v;
}

void hal_idle(void) { sleep_mode(); }

uint8_t hal_fuse_byte(uint8_t addr)
{
    uint8_t v;
    /* As for the signature: LPM within 3 cycles of the SPMCSR write (§27.8.8). */
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { v = boot_lock_fuse_bits_get(addr); }
    return v;
}

uint16_t hal_vcc_mv(void)
{
    /*
     * Input: the 1.1 V bandgap (MUX 1110), reference AVCC (REFS0), so
     * ADC = 1.1 V * 1023 / VCC (ATmega328P datasheet, ADMUX table). Three
     * conversions: the bandgap needs a moment after the mux switches to it.
     */
    ADMUX = _BV(REFS0) | 0x0E;
    ADCSRA = _BV(ADEN) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0); /* 125 kHz at 16 MHz */
    uint16_t adc = 0;
    for (uint8_t i = 0; i < 3; i++) {
        ADCSRA |= _BV(ADSC);
        for (uint16_t n = 0; (ADCSRA & _BV(ADSC)) && n < 30000u; n++) {}
        if (ADCSRA & _BV(ADSC)) break;
        adc = ADC;
    }
    ADCSRA = 0; /* ADC off again: it is used once per boot */
    return adc ? (uint16_t)(1100UL * 1023UL / adc) : 0;
}
