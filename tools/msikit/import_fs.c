/* SPDX-License-Identifier: MIT */
/*
 * How import reaches its files (struct imp_fs): here the real file system.
 *
 * Files in a copy of sysfs or /proc/irq must be regular files: a FIFO
 * would block a read forever, a directory or a device would be read as
 * garbage, a symlink loop would look like a missing file. So a file is
 * opened with O_NONBLOCK (opening a FIFO does not wait for a writer) and
 * its type checked with fstat() before anything is read. The file given
 * as --proc-interrupts may also be a pipe, a terminal or a socket
 * (`--proc-interrupts <(ssh host cat /proc/interrupts)`), and "-" is
 * standard input. Only ENOENT means "absent"; any other failure is an
 * error with its errno.
 */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static int type_error(mode_t mode)
{
	if (S_ISDIR(mode))
		return -EISDIR;
	if (S_ISFIFO(mode))
		return -ESPIPE;
	return -ENXIO; /* a device, a socket */
}

static int real_open(const struct imp_fs *fs, const char *path, bool stream, FILE **out)
{
	(void)fs;
	*out = NULL;
	if (stream && strcmp(path, "-") == 0) {
		*out = stdin;
		return 0;
	}
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0)
		rc = -errno;
	else if (!S_ISREG(st.st_mode) && (!stream || S_ISDIR(st.st_mode)))
		rc = type_error(st.st_mode);
	int fl = rc == 0 ? fcntl(fd, F_GETFL) : 0;
	if (rc == 0 && (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0))
		rc = -errno; /* reads block again: a pipe's writer may be slow */
	if (rc == 0 && !(*out = fdopen(fd, "r")))
		rc = -errno;
	if (rc < 0)
		close(fd);
	return rc;
}

static int real_list(const struct imp_fs *fs, const char *dir,
		     int (*fn)(void *arg, const char *name), void *arg)
{
	(void)fs;
	DIR *d = opendir(dir);
	if (!d) /* -1 means "reported" to the callers: EPERM is told as EACCES */
		return errno == EPERM ? -EACCES : -errno;
	int rc = 0;
	struct dirent *e;
	for (;;) {
		errno = 0; /* readdir() sets it on an error only */
		if (!(e = readdir(d))) {
			rc = errno == EPERM ? -EACCES : -errno;
			break;
		}
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    (rc = fn(arg, e->d_name)) != 0)
			break;
	}
	closedir(d);
	return rc;
}

const struct imp_fs imp_fs_real = { .open = real_open, .list = real_list, .ctx = NULL };

const char *imp_fs_why(int err, char *buf, size_t size)
{
	char text[96];
	const char *what = err == -ESPIPE   ? "a FIFO, not a regular file: "
			   : err == -ENXIO  ? "a device or socket, not a regular file: "
			   : err == -EISDIR ? "a directory, not a file: "
			   : err == -ELOOP  ? "a symlink loop: "
					    : "";
	snprintf(buf, size, "%s%s", what, cli_errno_text(-err, text, sizeof(text)));
	return buf;
}

int imp_fs_open(const struct imp_fs *fs, const char *path, bool stream, bool optional, FILE **out)
{
	if (!fs)
		fs = &imp_fs_real;
	int rc = fs->open(fs, path, stream, out);
	if (rc == -ENOENT && optional)
		return 0;
	if (rc < 0) {
		char why[160];
		return imp_fail(path, 0, "cannot open: %s", imp_fs_why(rc, why, sizeof(why)));
	}
	return 1;
}

void imp_fs_close(FILE *f)
{
	if (f && f != stdin)
		fclose(f);
}
