/* SPDX-License-Identifier: MIT */
/*
 * The simulator's PRNG: xoshiro256** (Blackman and Vigna), its state
 * seeded from one 64-bit seed through splitmix64. Fast, small, and the
 * same sequence on every host.
 */
#include <msikit/sim.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void msk_prng_seed(struct msk_prng *g, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&x);
}

uint64_t msk_prng_next(struct msk_prng *g)
{
	uint64_t *s = g->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Uniform in [0, n) without modulo bias (rejection of the short last lap). */
uint64_t msk_prng_below(struct msk_prng *g, uint64_t n)
{
	if (n == 0)
		return 0;
	uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
	for (;;) {
		uint64_t r = msk_prng_next(g);
		if (r < limit)
			return r % n;
	}
}
