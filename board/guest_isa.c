/* The guest ISA whitelist (board/guest_isa.h). */
#include "board/guest_isa.h"
#include "arch/riscv/csr.h"
#include <string.h>

/* Single-letter extensions Keel gives as the hart has them ('h' never: the guest has no hypervisor). */
#define LETTERS_ALWAYS "gimafdcb"

/*
 * Every multi-letter extension a guest may be told of. Instruction-only extensions run in VS-mode
 * as in HS-mode and need nothing from Keel; the rest need what the offer says. Anything not here
 * is hidden (the README table says why for each of rva23s64's). zicntr: hcounteren gives CY, TM,
 * IR. svade: henvcfg.ADUE stays 0, so the guest's A/D updates fault as Svade says. zawrs: a
 * WRS.NTO that traps under hstatus.VTW ends its wait (exit/exit.c).
 */
static const char *const passed[] = {
	"zicsr",   "zifencei", "zicntr",  "zihintpause", "zihintntl", "zicond", "zimop",   "zcmop",  "zmmul",
	"zicbop",  "ziccif",   "ziccrse", "ziccamoa",	 "zicclsm",   "za64rs", "za128rs", "zic64b", "zama16b",
	"zaamo",   "zalrsc",   "zacas",	  "zabha",	 "zawrs",     "ztso",	"zfa",	   "zfh",    "zfhmin",
	"zfbfmin", "zca",      "zcb",	  "zcd",	 "zcf",	      "zcmp",	"zba",	   "zbb",    "zbc",
	"zbs",	   "zbkb",     "zbkc",	  "zbkx",	 "zkn",	      "zknd",	"zkne",	   "zknh",   "zks",
	"zksed",   "zksh",     "zkt",	  "svnapot",	 "svinval",   "svade",
};

/* The vector family: instructions on the vector state Keel switches (GUEST_ISA_V). */
static const char *const vector_family[] = {
	"zve32x",  "zve32f",  "zve64x",	  "zve64f", "zve64d",  "zvl32b",   "zvl64b",   "zvl128b",
	"zvl256b", "zvl512b", "zvl1024b", "zvfh",   "zvfhmin", "zvfbfmin", "zvfbfwma", "zvbb",
	"zvbc",	   "zvkb",    "zvkg",	  "zvkned", "zvknha",  "zvknhb",   "zvksed",   "zvksh",
	"zvkt",	   "zvkn",    "zvknc",	  "zvkng",  "zvks",    "zvksc",	   "zvksg",
};

/* Extensions that need henvcfg (guest_isa_henvcfg) or a choice of the VM's. */
static const struct {
	const char *name;
	unsigned need;
} offered[] = {
	{ "ssaia", GUEST_ISA_SSAIA },	{ "sstc", GUEST_ISA_SSTC },	{ "svpbmt", GUEST_ISA_SVPBMT },
	{ "zicbom", GUEST_ISA_ZICBOM }, { "zicboz", GUEST_ISA_ZICBOZ },
};

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Whether the n characters at name (not NUL-terminated) are the extension s. */
static int same_name(const char *s, const char *name, size_t n)
{
	return strlen(s) == n && !memcmp(s, name, n);
}

static int named(const char *const *names, size_t count, const char *name, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (same_name(names[i], name, n))
			return 1;
	return 0;
}

static int allowed(const char *name, size_t n, unsigned offer)
{
	if (named(passed, LEN(passed), name, n))
		return 1;
	if (named(vector_family, LEN(vector_family), name, n))
		return (offer & GUEST_ISA_V) != 0;
	for (size_t i = 0; i < LEN(offered); i++)
		if (same_name(offered[i].name, name, n))
			return (offer & offered[i].need) != 0;
	return 0;
}

static int letter_allowed(char c, unsigned offer)
{
	return (c && strchr(LETTERS_ALWAYS, c)) || (c == 'v' && (offer & GUEST_ISA_V));
}

static int append(char *out, size_t len, size_t *pos, const char *s, size_t n)
{
	if (*pos + n + 1 > len)
		return -1;
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

int guest_isa_string(const char *host, unsigned offer, char *out, size_t len)
{
	size_t pos = 0;
	const char *p = host;

	if (!len)
		return -1;
	out[0] = '\0';
	if (strncmp(p, "rv64", 4) && strncmp(p, "rv32", 4))
		return -1;
	if (append(out, len, &pos, p, 4))
		return -1;
	for (p += 4; *p && *p != '_'; p++)
		if (letter_allowed(*p, offer) && append(out, len, &pos, p, 1))
			return -1;
	while (*p == '_') {
		const char *name = ++p;
		size_t n = 0;

		while (name[n] && name[n] != '_')
			n++;
		p = name + n;
		if (!n || !allowed(name, n, offer))
			continue;
		if (append(out, len, &pos, "_", 1) || append(out, len, &pos, name, n))
			return -1;
	}
	return 0;
}

int isa_string_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);
	const char *p;

	if (strncmp(isa, "rv", 2) || strlen(isa) < 4 || !n)
		return 0;
	if (n == 1) {
		for (p = isa + 4; *p && *p != '_'; p++)
			if (*p == ext[0])
				return 1;
		return 0;
	}
	for (p = isa; *p; p++)
		if (*p == '_' && !strncmp(p + 1, ext, n) && (p[1 + n] == '_' || p[1 + n] == '\0'))
			return 1;
	return 0;
}

int isa_extension_list(const char *isa, char *out, size_t len)
{
	size_t pos = 0;
	const char *p;

	if (strncmp(isa, "rv", 2) || strlen(isa) < 4)
		return -1;
	for (p = isa + 4; *p && *p != '_'; p++)
		if (pos + 2 > len)
			return -1;
		else {
			out[pos++] = *p;
			out[pos++] = '\0';
		}
	while (*p == '_') {
		size_t n = 0;

		for (p++; p[n] && p[n] != '_'; n++)
			;

		if (n && pos + n + 1 > len)
			return -1;
		if (n) {
			memcpy(out + pos, p, n);
			pos += n;
			out[pos++] = '\0';
		}
		p += n;
	}
	return (int)pos;
}

uint64_t guest_isa_henvcfg(const char *isa)
{
	uint64_t cfg = 0;

	if (isa_string_has(isa, "sstc"))
		cfg |= HENVCFG_STCE;
	if (isa_string_has(isa, "svpbmt"))
		cfg |= HENVCFG_PBMTE;
	/* CBIE 01: the guest's cbo.inval flushes (it can never drop a write another owner made). */
	if (isa_string_has(isa, "zicbom"))
		cfg |= HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH;
	if (isa_string_has(isa, "zicboz"))
		cfg |= HENVCFG_CBZE;
	return cfg;
}
