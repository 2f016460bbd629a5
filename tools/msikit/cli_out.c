/* SPDX-License-Identifier: MIT */
/*
 * Output files of a command (-o, --dot, --trace): opened before the run,
 * so that a path that cannot be written is bad usage (exit 2) before any
 * work, and written after it, every write error reported (exit 3).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "msikit: PATH: No space left on device (ENOSPC)" */
static void out_error(const char *path, int err)
{
	char why[128];
	cli_error("%s: %s", path, cli_errno_text(err, why, sizeof(why)));
}

int cli_out_open(struct cli_out *o, const char *path)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	/* Create it, or open what is there without truncating it (yet). */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0)
		o->created = true;
	else if (errno == EEXIST)
		fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		out_error(path, errno);
		return -1;
	}
	o->f = fdopen(fd, "w");
	if (!o->f) {
		int e = errno;
		close(fd);
		if (o->created)
			unlink(path);
		out_error(path, e);
		return -1;
	}
	return 0;
}

int cli_out_begin(struct cli_out *o)
{
	struct stat st;
	int fd = fileno(o->f);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0) {
		out_error(o->path, errno);
		return -1;
	}
	return 0;
}

int cli_out_close(struct cli_out *o)
{
	if (!o->f)
		return 0;
	errno = 0;
	int e = 0;
	if (fflush(o->f) != 0 || ferror(o->f))
		e = errno ? errno : EIO;
	if (fclose(o->f) != 0 && !e)
		e = errno ? errno : EIO;
	o->f = NULL;
	if (e) {
		out_error(o->path, e);
		return -1;
	}
	return 0;
}

void cli_out_discard(struct cli_out *o)
{
	if (!o->f)
		return;
	fclose(o->f);
	o->f = NULL;
	if (o->created)
		unlink(o->path);
}
