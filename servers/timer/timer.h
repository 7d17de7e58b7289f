/*
 * The timer driver's protocol (servers/timer/main.c, doc/servers.md): a
 * client with a connection to the driver calls it to wait for a number of
 * ticks of the driver's periodic HPET interrupt.
 *
 * Request (a call): word 0 TIMER_TICKS, word 1 the number of ticks n,
 * 1..TIMER_TICKS_MAX. The driver starts its comparator, counts n
 * interrupts and replies with enum timer_reply_word; the call returns
 * after about n periods. Calls from several clients are served one after
 * the other.
 */
#ifndef SERVERS_TIMER_H
#define SERVERS_TIMER_H

/* The connection's name a client's configuration uses (`connect`). */
#define TIMER_CONNECTION "timer"

#define TIMER_TICKS	1
#define TIMER_TICKS_MAX 100000

enum timer_request_word {
	TIMER_REQUEST, /* TIMER_TICKS */
	TIMER_REQUEST_TICKS,
	TIMER_REQUEST_WORDS
};

enum timer_reply_word {
	/* enum status: OK, BAD_ARG (a bad request), TIMEOUT (the
	 * interrupts stopped coming; TICKS says how many came) */
	TIMER_REPLY_STATUS,
	TIMER_REPLY_TICKS,	/* interrupts counted */
	TIMER_REPLY_ELAPSED,	/* HPET counter ticks from handling the first to the last */
	TIMER_REPLY_COUNTER_FS, /* the HPET counter's period, femtoseconds */
	TIMER_REPLY_PERIOD_NS,	/* the tick period the driver programmed */
	TIMER_REPLY_WORDS
};

#endif
