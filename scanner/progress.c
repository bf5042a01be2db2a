/* Progress display; see progress.h. */
#include "scanner/progress.h"
#include "scanner/util.h"

#include <stdio.h>
#include <unistd.h>

void progress_init(struct progress *p, int mode)
{
	p->tty = isatty(STDERR_FILENO);
	p->on = mode == 1 || (mode == -1 && p->tty);
	p->start = p->last = now_mono();
}

void progress_update(struct progress *p, size_t written, size_t scanned, size_t total)
{
	double now = now_mono();
	if (!p->on || now - p->last < 0.5)
		return;
	p->last = now;
	double el = now - p->start;
	double rate = el > 0 ? (double)scanned / el : 0;
	char eta[64] = "";
	if (total && rate > 0 && written <= total)
		snprintf(eta, sizeof(eta), ", ETA %.0fs", (double)(total - written) / rate);
	if (total)
		fprintf(stderr, "%s%zu/%zu rows, %.1f domains/s%s%s", p->tty ? "\r" : "", written,
			total, rate, eta, p->tty ? "   " : "\n");
	else
		fprintf(stderr, "%s%zu rows, %.1f domains/s%s", p->tty ? "\r" : "", written, rate,
			p->tty ? "   " : "\n");
}

void progress_finish(struct progress *p, size_t written)
{
	if (!p->on)
		return;
	double el = now_mono() - p->start;
	fprintf(stderr, "%s%zu rows in %.1fs\n", p->tty ? "\r" : "", written, el);
}
