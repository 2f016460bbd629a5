/* SPDX-License-Identifier: MIT */
/*
 * pSeries firmware model: the partition's LISN layout (IPIs, MSI pool),
 * the PCI functions and PEs it knows, and the pool allocator behind
 * ibm,change-msi. The RTAS calls are in spapr_rtas.c, the hcalls in
 * spapr_hcall.c.
 */
#include "hw/ppc64/spapr_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define CFG_MASK 0x00FFFF00u /* bus and devfn of a config address */

int msk_spapr_create(struct msk_xive *xive, const struct msk_spapr_config *cfg,
		     struct msk_spapr **out)
{
	uint32_t nr = msk_xive_nr_sources(xive);
	uint32_t base = cfg->msi_base, count = cfg->msi_count;
	if (!count) {
		base = cfg->ipi_count;
		count = cfg->ipi_count < nr ? nr - cfg->ipi_count : 0;
	}
	if (cfg->ipi_count > nr || !count || base > nr || count > nr - base ||
	    base < cfg->ipi_count)
		return msk_err(MSK_EINVAL,
			       "spapr: IPIs [0, %u) and MSI pool [%u, +%u) do not fit %u "
			       "sources without overlapping",
			       cfg->ipi_count, base, count, nr);
	if (!msk_xive_msi_window(xive))
		return msk_err(MSK_EINVAL, "spapr: the XIVE has no MSI window");
	struct msk_spapr *fw = msk_calloc(1, sizeof(*fw));
	uint8_t *pool = msk_calloc(count, 1);
	if (!fw || !pool) {
		msk_free(fw);
		msk_free(pool);
		return msk_err(MSK_ENOMEM, "spapr: out of memory for a pool of %u LISNs", count);
	}
	fw->xive = xive;
	fw->ipi_count = cfg->ipi_count;
	fw->msi_base = base;
	fw->msi_count = count;
	fw->default_quota = cfg->pe_quota;
	fw->pool = pool;
	fw->pool_free = count;
	atomic_init(&fw->xive_mode, true);
	pthread_mutex_init(&fw->lock, NULL);
	for (uint32_t i = 0; i < fw->ipi_count; i++)
		msk_xive_source_claim(xive, i);
	*out = fw;
	return 0;
}

void msk_spapr_destroy(struct msk_spapr *fw)
{
	if (!fw)
		return;
	for (unsigned int i = 0; i < fw->nfns; i++) {
		spapr_release(fw, fw->fns[i]);
		msk_free(fw->fns[i]);
	}
	for (unsigned int i = 0; i < fw->npes; i++)
		msk_free(fw->pes[i]);
	for (uint32_t i = 0; i < fw->ipi_count; i++)
		msk_xive_source_free(fw->xive, i);
	pthread_mutex_destroy(&fw->lock);
	msk_free(fw->fns);
	msk_free(fw->pes);
	msk_free(fw->pool);
	msk_free(fw);
}

void msk_spapr_set_xive_mode(struct msk_spapr *fw, bool exploitation)
{
	atomic_store(&fw->xive_mode, exploitation);
}

struct spapr_fn *spapr_find_fn(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr)
{
	config_addr &= CFG_MASK;
	for (unsigned int i = 0; i < fw->nfns; i++)
		if (fw->fns[i]->buid == buid && fw->fns[i]->config_addr == config_addr)
			return fw->fns[i];
	return NULL;
}

static struct spapr_pe *find_pe(struct msk_spapr *fw, uint64_t buid, uint32_t id)
{
	for (unsigned int i = 0; i < fw->npes; i++)
		if (fw->pes[i]->buid == buid && fw->pes[i]->id == id)
			return fw->pes[i];
	return NULL;
}

/* A PE number of `buid` not in use (for MSK_SPAPR_PE_OWN). */
static uint32_t fresh_pe_id(struct msk_spapr *fw, uint64_t buid)
{
	uint32_t id = 0x80000000u;
	while (find_pe(fw, buid, id))
		id++;
	return id;
}

static int check_fn(uint32_t config_addr, const struct msk_spapr_fn_ops *ops)
{
	if (config_addr & ~CFG_MASK)
		return msk_err(MSK_EINVAL,
			       "spapr: config address 0x%x is not bus << 16 | "
			       "devfn << 8",
			       config_addr);
	if (!ops || !ops->write_msi_msg)
		return msk_err(MSK_EINVAL, "spapr: function 0x%x has no write_msi_msg",
			       config_addr);
	if (ops->max_msi > 32 || (ops->max_msi & (ops->max_msi - 1)))
		return msk_err(MSK_EINVAL,
			       "spapr: function 0x%x: MSI capability of %u "
			       "vectors (0 or a power of two <= 32)",
			       config_addr, ops->max_msi);
	if (ops->max_msix > 2048)
		return msk_err(MSK_EINVAL,
			       "spapr: function 0x%x: MSI-X table of %u entries "
			       "(<= 2048)",
			       config_addr, ops->max_msix);
	return 0;
}

int msk_spapr_add_function(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr, uint32_t pe,
			   const struct msk_spapr_fn_ops *ops, void *ctx)
{
	int rc = check_fn(config_addr, ops);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&fw->lock);
	if (spapr_find_fn(fw, buid, config_addr)) {
		pthread_mutex_unlock(&fw->lock);
		return msk_err(MSK_EEXIST, "spapr: function 0x%x of BUID 0x%llx already exists",
			       config_addr, (unsigned long long)buid);
	}
	if (pe == MSK_SPAPR_PE_OWN)
		pe = fresh_pe_id(fw, buid);
	struct spapr_pe *p = find_pe(fw, buid, pe);
	struct spapr_fn *fn = msk_calloc(1, sizeof(*fn));
	struct spapr_pe *np = p ? NULL : msk_calloc(1, sizeof(*np));
	struct spapr_fn **fns = fn ? msk_realloc(fw->fns, (fw->nfns + 1) * sizeof(*fns)) : NULL;
	if (fns)
		fw->fns = fns;
	struct spapr_pe **pes = NULL;
	if (fns && np) {
		pes = msk_realloc(fw->pes, (fw->npes + 1) * sizeof(*pes));
		if (pes)
			fw->pes = pes;
	}
	if (!fn || !fns || (!p && (!np || !pes))) {
		pthread_mutex_unlock(&fw->lock);
		msk_free(fn);
		msk_free(np);
		return msk_err(MSK_ENOMEM, "spapr: out of memory adding function 0x%x",
			       config_addr);
	}
	if (!p) {
		np->buid = buid;
		np->id = pe;
		np->quota = fw->default_quota;
		fw->pes[fw->npes++] = np;
		p = np;
	}
	p->nfn++;
	fn->buid = buid;
	fn->config_addr = config_addr;
	fn->pe = p;
	fn->ops = *ops;
	fn->ctx = ctx;
	fw->fns[fw->nfns++] = fn;
	pthread_mutex_unlock(&fw->lock);
	return 0;
}

int msk_spapr_remove_function(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr)
{
	pthread_mutex_lock(&fw->lock);
	struct spapr_fn *fn = spapr_find_fn(fw, buid, config_addr);
	if (!fn || (config_addr & ~CFG_MASK)) {
		pthread_mutex_unlock(&fw->lock);
		return msk_err(MSK_ENOENT, "spapr: no function 0x%x on BUID 0x%llx", config_addr,
			       (unsigned long long)buid);
	}
	spapr_release(fw, fn);
	for (unsigned int i = 0; i < fw->nfns; i++)
		if (fw->fns[i] == fn)
			fw->fns[i] = fw->fns[--fw->nfns];
	struct spapr_pe *p = fn->pe;
	if (--p->nfn == 0) {
		for (unsigned int i = 0; i < fw->npes; i++)
			if (fw->pes[i] == p)
				fw->pes[i] = fw->pes[--fw->npes];
		msk_free(p);
	}
	msk_free(fn);
	pthread_mutex_unlock(&fw->lock);
	return 0;
}

int msk_spapr_set_pe_quota(struct msk_spapr *fw, uint64_t buid, uint32_t pe, uint32_t quota)
{
	pthread_mutex_lock(&fw->lock);
	struct spapr_pe *p = find_pe(fw, buid, pe);
	if (p)
		p->quota = quota;
	pthread_mutex_unlock(&fw->lock);
	if (!p)
		return msk_err(MSK_ENOENT, "spapr: no PE %u on BUID 0x%llx", pe,
			       (unsigned long long)buid);
	return 0;
}

int msk_spapr_get_function(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr,
			   struct msk_spapr_fn_info *out)
{
	pthread_mutex_lock(&fw->lock);
	struct spapr_fn *fn =
		(config_addr & ~CFG_MASK) ? NULL : spapr_find_fn(fw, buid, config_addr);
	if (fn) {
		out->pe = fn->pe->id;
		out->type = fn->type;
		out->count = fn->count;
		out->first_lisn = fn->first;
		out->block = fn->block;
		out->pe_quota = fn->pe->quota;
		out->pe_used = fn->pe->used;
	}
	pthread_mutex_unlock(&fw->lock);
	if (!fn)
		return msk_err(MSK_ENOENT, "spapr: no function 0x%x on BUID 0x%llx", config_addr,
			       (unsigned long long)buid);
	return 0;
}

bool msk_spapr_function_pe(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr, uint32_t *pe)
{
	pthread_mutex_lock(&fw->lock);
	const struct spapr_fn *fn =
		(config_addr & ~CFG_MASK) ? NULL : spapr_find_fn(fw, buid, config_addr);
	if (fn)
		*pe = fn->pe->id;
	pthread_mutex_unlock(&fw->lock);
	return fn != NULL;
}

uint32_t msk_spapr_pool_free(struct msk_spapr *fw)
{
	pthread_mutex_lock(&fw->lock);
	uint32_t n = fw->pool_free;
	pthread_mutex_unlock(&fw->lock);
	return n;
}

void msk_spapr_ipi_range(const struct msk_spapr *fw, uint32_t *base, uint32_t *count)
{
	*base = 0;
	*count = fw->ipi_count;
}

void msk_spapr_msi_range(const struct msk_spapr *fw, uint32_t *base, uint32_t *count)
{
	*base = fw->msi_base;
	*count = fw->msi_count;
}

/* ---- the pool -------------------------------------------------------------- */

static void pool_mark(struct msk_spapr *fw, uint32_t first, uint32_t n, uint8_t v)
{
	for (uint32_t i = 0; i < n; i++)
		fw->pool[first - fw->msi_base + i] = v;
	if (v)
		fw->pool_free -= n;
	else
		fw->pool_free += n;
}

void spapr_release(struct msk_spapr *fw, struct spapr_fn *fn)
{
	if (fn->type == MSK_RTAS_TYPE_NONE)
		return;
	for (uint32_t i = 0; i < fn->count; i++)
		msk_xive_source_free(fw->xive, fn->first + i);
	pool_mark(fw, fn->first, fn->block, 0);
	fn->pe->used -= fn->count;
	fn->type = MSK_RTAS_TYPE_NONE;
	fn->count = fn->first = fn->block = 0;
}

/* Is pool slot i (LISN msi_base + i) free, counting fn's own block as free? */
static bool slot_free(const struct msk_spapr *fw, const struct spapr_fn *fn, uint32_t i)
{
	if (!fw->pool[i])
		return true;
	uint32_t lisn = fw->msi_base + i;
	return fn->block && lisn >= fn->first && lisn - fn->first < fn->block;
}

/*
 * The first free run of n slots starting at a LISN that is a multiple of
 * `align`; its first LISN, or UINT32_MAX.
 */
static uint32_t find_block(const struct msk_spapr *fw, const struct spapr_fn *fn, uint32_t n,
			   uint32_t align)
{
	uint32_t end = fw->msi_base + fw->msi_count;
	uint32_t l = (fw->msi_base + align - 1) / align * align;
	while (l < end && n <= end - l) {
		uint32_t run = 0;
		while (run < n && slot_free(fw, fn, l - fw->msi_base + run))
			run++;
		if (run == n)
			return l;
		/* Skip past the used slot, to the next aligned start. */
		l = (l + run + 1 + align - 1) / align * align;
	}
	return UINT32_MAX;
}

static uint32_t largest_run(const struct msk_spapr *fw, const struct spapr_fn *fn)
{
	uint32_t best = 0, run = 0;
	for (uint32_t i = 0; i < fw->msi_count; i++) {
		run = slot_free(fw, fn, i) ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

static uint32_t pow2_ceil(uint32_t n)
{
	uint32_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

uint32_t spapr_available(struct msk_spapr *fw, const struct spapr_fn *fn, unsigned int type)
{
	uint32_t avail = type == MSK_RTAS_TYPE_MSI ? fn->ops.max_msi : fn->ops.max_msix;
	const struct spapr_pe *p = fn->pe;
	if (p->quota) {
		uint32_t others = p->used - fn->count;
		uint32_t q = p->quota > others ? p->quota - others : 0;
		if (q < avail)
			avail = q;
	}
	if (type == MSK_RTAS_TYPE_MSIX) {
		uint32_t run = largest_run(fw, fn);
		return run < avail ? run : avail;
	}
	/* MSI: the largest aligned power-of-two block the pool has. */
	uint32_t size = pow2_ceil(avail);
	while (size && find_block(fw, fn, size, size) == UINT32_MAX)
		size >>= 1;
	return size < avail ? size : avail;
}

bool spapr_allocate(struct msk_spapr *fw, struct spapr_fn *fn, unsigned int type, uint32_t count)
{
	uint32_t block = type == MSK_RTAS_TYPE_MSI ? pow2_ceil(count) : count;
	uint32_t first = find_block(fw, fn, block, type == MSK_RTAS_TYPE_MSI ? block : 1);
	if (first == UINT32_MAX)
		return false;
	pool_mark(fw, first, block, 1);
	for (uint32_t i = 0; i < count; i++)
		msk_xive_source_claim(fw->xive, first + i);
	fn->type = type;
	fn->count = count;
	fn->first = first;
	fn->block = block;
	fn->pe->used += count;
	return true;
}
