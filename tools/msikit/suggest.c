/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean ...?": the nearest of a list of names to a misspelled one,
 * by optimal string alignment distance (Damerau-Levenshtein where no
 * substring is edited twice: insertions, deletions, substitutions and
 * transpositions of two neighbours each cost 1).
 */
#include "cli.h"

#include <string.h>

#define SUGGEST_MAX_LEN 64

/* The OSA distance of a and b (each at most SUGGEST_MAX_LEN bytes). */
static unsigned int osa_distance(const char *a, size_t n, const char *b, size_t m)
{
	/* Three rows of the dynamic programme: i-2, i-1, i. */
	unsigned int rows[3][SUGGEST_MAX_LEN + 1];
	for (size_t j = 0; j <= m; j++)
		rows[0][j] = (unsigned int)j;
	for (size_t i = 1; i <= n; i++) {
		/* Row i is rows[i % 3]. */
		unsigned int *cur = rows[i % 3], *prev = rows[(i + 2) % 3],
			     *prev2 = rows[(i + 1) % 3];
		cur[0] = (unsigned int)i;
		for (size_t j = 1; j <= m; j++) {
			unsigned int cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned int d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
	}
	return rows[n % 3][m];
}

const char *cli_suggest(const char *word, const char *const *names, size_t n)
{
	if (!word || !names)
		return NULL;
	size_t wl = strlen(word);
	if (wl == 0 || wl > SUGGEST_MAX_LEN)
		return NULL;
	const char *best = NULL;
	unsigned int best_d = 0;
	for (size_t i = 0; i < n && names[i]; i++) {
		size_t nl = strlen(names[i]);
		if (nl > SUGGEST_MAX_LEN)
			continue;
		unsigned int limit = (unsigned int)(nl > wl ? nl : wl) / 3;
		if (limit == 0)
			limit = 1;
		unsigned int d = osa_distance(word, wl, names[i], nl);
		if (d == 0 || d > limit)
			continue;
		if (!best || d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}
