// SPDX-License-Identifier: MIT
/*
 * rtc.c - the CMOS real-time clock at ports 0x70/0x71: the host's UTC time in BCD, 24-hour
 * mode, never in an update cycle, and the rest of the 128 bytes of CMOS as plain storage.
 * Linux reads the wall clock from it at boot. The calendar date is computed here from the
 * seconds since the epoch rather than by gmtime_r(), which may open time zone files: the RTC
 * keeps working in a confined VMM that may open nothing.
 */
#include <time.h>

#include "vmm_impl.h"

#define RTC_PORT 0x70

struct rtc {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t cmos[128];
};

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

/* The UTC calendar date and time of t (seconds since 1970), proleptic Gregorian. */
static void rtc_civil(int64_t t, struct tm *tm)
{
	int64_t days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp;

	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday */
	days += 719468;			     /* from 0000-03-01 */
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	tm->tm_year = (int)(yoe + era * 400 + (tm->tm_mon < 2)) - 1900;
}

static uint8_t rtc_read(struct rtc *rtc)
{
	struct tm tm;

	rtc_civil((int64_t)time(NULL), &tm);
	switch (rtc->index) {
	case 0x00:
		return bcd(tm.tm_sec);
	case 0x02:
		return bcd(tm.tm_min);
	case 0x04:
		return bcd(tm.tm_hour);
	case 0x06:
		return bcd(tm.tm_wday + 1);
	case 0x07:
		return bcd(tm.tm_mday);
	case 0x08:
		return bcd(tm.tm_mon + 1);
	case 0x09:
		return bcd(tm.tm_year % 100);
	case 0x32:
		return bcd(1900 + tm.tm_year / 100);
	case 0x0a:
		return 0x26; /* 32.768 kHz, no update in progress */
	case 0x0b:
		return 0x02; /* 24-hour, BCD */
	case 0x0c:
		return 0x00;
	case 0x0d:
		return 0x80; /* the battery is fine */
	default:
		return rtc->cmos[rtc->index];
	}
}

static void rtc_io(void *opaque, uint64_t off, uint8_t *data, unsigned int len, bool is_write)
{
	struct rtc *rtc = opaque;

	pthread_mutex_lock(&rtc->lock);
	if (off == 0) {
		if (is_write)
			rtc->index = data[0] & 0x7f; /* bit 7 masks NMIs */
		else
			data[0] = 0xff;
	} else if (is_write) {
		if (rtc->index > 0x0d)
			rtc->cmos[rtc->index] = data[0];
	} else {
		data[0] = rtc_read(rtc);
	}
	pthread_mutex_unlock(&rtc->lock);
}

int vmm_rtc_create(struct vmm_vm *vm)
{
	static struct rtc rtc = { .lock = PTHREAD_MUTEX_INITIALIZER };

	return vmm_bus_add(&vm->pio, RTC_PORT, 2, rtc_io, &rtc);
}
