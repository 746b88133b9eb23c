/*
 * gexit.pml: a Promela model of the Go runtime's goroutine exit and reuse
 * path, written from gexit's executable specification (spec/, itself read
 * from the Go 1.26 runtime's proc.go), at the bound `gexit explore` uses by
 * default: 2 Ps, 2 Ms, NG Gs (3 unless -DNG=...), constants preset "small",
 * and the op families the explorer leaves on by default (cmd/gexit
 * explore.go's defaultWithout drops system, gc, assist, dirty, syscalls,
 * locks, procresize and stacksize).
 *
 * Each M is a Promela process (active [NM] proctype M) whose loop offers
 * the ops spec.State.Enabled offers that M, each one d_step, so that one
 * Promela transition is one spec transition and one stored state one spec
 * state. What is modelled:
 *   - Gs: status (idle/runnable/running/waiting/dead), stack (none,
 *     stackMin = startingStackSize, 2*stackMin after copystack), whether a
 *     live G holds main's goid; allgs grows by malg up to NG;
 *   - Ms: curg, p, newproc1's G not yet queued (newg), spinning, nextp,
 *     parked on the idle M list (sched.midle, LIFO through m.link),
 *     findRunnable's recheck after a spinning M dropped its P, the P that
 *     recheck took (pidlegetSpinning) until its acquirep, runqsteal's
 *     tail store owed after runqgrab's CAS took two or more Gs, the wakep
 *     an M owes (newproc, ready, gosched, runqputslow, resetspinning);
 *   - Ps: status (idle/running/handoff), owner, runnext, the old runnext
 *     runqput's CAS kicked out, until its put on the ring, the ring of
 *     RUNQSIZE (4), runqputslow's batch between its two steps,
 *     findRunnable's global batch (gp, then q) between its sched.lock
 *     section's globrunqgetbatch and its runqputbatch (and, for the
 *     recheck's P, gp until its acquirep), or the Gs runqsteal's runqgrab
 *     took (the last, then the others) between runqgrab's CAS and
 *     runqsteal's tail store, the gFree
 *     list (LIFO), schedtick modulo GLOBALTICK (3), the goids left in the
 *     goid cache, the idle P list link, startm's spinning flag for newm;
 *   - sched: the global run queue (FIFO), sched.gFree.stack and .noStack
 *     (LIFO), sched.pidle (LIFO), sched.midle, nmspinning, main's
 *     runtime.Goexit, and how the program ended;
 *   - ops: newproc1 (gfget with the refill from the global lists, or
 *     malg; the goid batch fetch, goidrefill, when the cache is empty),
 *     runqput (the CAS on runnext), runqputkick (the kicked runnext to
 *     the ring, or runqputslow's CAS), runqputslowpush, ready,
 *     park, gosched, growstack, exit and
 *     goexit (gdestroy -> gfput with the spill at GFREECAP down below
 *     SPILLTO; main returning ends the program), schedule with every
 *     findRunnable source (tick, runnext, ring, global batch, steal of a
 *     ring, steal of runnext, idle) in the spec's relaxed order,
 *     runqputbatch of the global batch after the unlock, runqsteal's
 *     tail store after runqgrab's CAS took two or more, spin,
 *     resetspinning's decrement, wakep's CAS, wakep's sched.lock section
 *     (pidleget), its startm (mget) in a sched.lock section of its own,
 *     stopspinning, the recheck (the idle head and the global batch, the
 *     idle head for checkRunqsNoP's work, or nothing), stopm (mput and
 *     checkdead), acquirep (nextp, newm's pending P, the recheck's P);
 *   - checkdead's three outcomes: "checkdead: runnable g" is an assert,
 *     the two fatal errors are terminal states;
 *   - invariants, checked after every step (check(), a C function for
 *     compile time, asserted in Promela): conservation of Gs (every G
 *     of allgs on exactly one place: an M, a run queue, a free list, or
 *     waiting on none), dead Gs exactly on free lists, stack lists'
 *     stacks, free lists below their cap, idle Ps listed with empty
 *     queues, P/M wiring both ways, the recheck's P held by its M alone,
 *     a held global batch owned by an M's findRunnable, runqsteal's tail
 *     store owed by a spinning M on g0 whose P holds what runqgrab took,
 *     parked Ms exactly the idle M list,
 *     nmspinning counting the spinning Ms, no lost wakeup (checkdead),
 *     and no live deadlock (a timeout with the program alive).
 *
 * The spec's explorer deduplicates states by a canonical fingerprint
 * (spec/hash.go): Gs are renamed in the order a fixed walk meets them (the
 * Ms' curg and newg, each P's runnext, ring, runqputslow's batch,
 * findRunnable's held global batch, kicked G and free list, the
 * global queue and free lists; the waiting Gs, on no list, sorted by their
 * fields), goids are kept only as "this live G is main" and "goids left in
 * this P's cache", schedtick modulo GLOBALTICK. The model stores exactly
 * that: goids are those facts, schedtick is kept modulo GLOBALTICK, and
 * canon() (C) renames the Gs the same way after every step (SPIN has no
 * symmetry reduction of its own). With -DNOSYM the renaming is left out
 * and SPIN stores every labelling of the Gs.
 *
 * Check of faithfulness: pan stores exactly the states `gexit explore`
 * counts at the same bound, plus SPIN's own initial state (before the
 * first step sets rt0_go's): 16,093 / 1,376,533 / 10,815,301 at 1 / 2 / 3
 * Gs against 16,092 / 1,376,532 / 10,815,300 (promela_test.go checks 1 and
 * 2 Gs, and 3 Gs with 1 P). pan's transitions are gexit's plus one timeout
 * per M in each terminal state.
 * As for gexit, gfput's spill, gfget's refill and runqputslow are modelled
 * but out of reach below 4 Gs (a spill needs 4 dead Gs on one P), and
 * runqsteal's tail store below 5: runqgrab takes two only from a ring of
 * three, and the rings start empty, runqputbatch and the tail store put
 * one G on an empty ring, and runqput's kick moves the old runnext to the
 * ring only for a G that a G running on the P puts in runnext, so a ring
 * of three comes with a fourth G running and a fifth in runnext. At 5 Gs
 * the space is too large to search whole; to depth 24 (pan -DREACH
 * -m26, `gexit explore -depth 24`) pan stores 746,972 states against
 * 746,971, 14 of the explorer's transitions runqsteal's tail store
 * (promela_test.go checks it).
 *
 * Left out versus the spec (all unreachable or switched off at this
 * bound, or dropped by the spec's own fingerprint):
 *   - the op families off by default: system goroutines (ngsys), the GC
 *     (gcBlackenEnabled, assist credit, markrootFreeGStacks), dirty
 *     fields, syscalls (entersyscall, exitsyscall's five paths, sysmon's
 *     retake, oldp), LockOSThread (lockedg/lockedm, stoplockedm,
 *     startlockedm, mexit, m0 wedged), procresize (Pdead, gfpurge),
 *     startingStackSize changes; so handoffp (called only from retake,
 *     stoplockedm and mexit) and startlockedm's stopm (m.stopping) are out
 *     too, and the state has no fields for them (they keep their initial
 *     values in every spec state at this bound);
 *   - fields the fingerprint drops (goid values, sched.goidgen, the goids
 *     of dead Gs), that another field determines (gp.m is m.curg's
 *     inverse; the list sizes are the lists' lengths), or that are
 *     constant at this bound (gp.lockedm, the cleared fields,
 *     gcAssistBytes, ngsys, bgScanCredit, startingStackSize, GOMAXPROCS);
 *   - the spec's Strict ops (findRunnable's strict order for ops that
 *     overlapped no other): the explorer offers the relaxed order, and so
 *     does this model (checkRunqsNoP's reads in the recheck too);
 *   - the spec's 44 invariants are reduced to the ones listed above, and
 *     its coverage, progress (liveness) and lifecycle checks are absent.
 */

#ifndef NG
#define NG 3 /* bound on len(allgs) (gexit explore -gs) */
#endif
#if NG > 6
#error "NG > 6: the M loop offers ready (READY) for G0..G5 only"
#endif
#ifndef NP
#define NP 2 /* Ps (-ps): 1 or 2 (NPIDLE counts an idle list of at most two) */
#endif
#ifndef NM
#define NM 2 /* Ms (-ms) */
#endif

/* Constants preset "small" (spec/consts.go). */
#define GFREECAP   4 /* gfput spills at this local size (runtime: 64) */
#define SPILLTO    2 /* ... while the size is at least this (runtime: 32) */
#define REFILLTO   2 /* gfget refills up to this (runtime: 32) */
#define RUNQSIZE   4 /* the ring (runtime: 256) */
#define GLOBALTICK 3 /* the global queue every GLOBALTICK-th schedtick (runtime: 61) */
#define GOIDBATCH  2 /* _GoidCacheBatch (runtime: 16) */
#define GOMAXPROCS NP
#define SLOWMAX    (RUNQSIZE/2 + 1) /* runqputslow's batch: half the ring and the G */
#define HELDMAX    (RUNQSIZE/2)     /* findRunnable's global batch, globrunqgetbatch(len(pp.runq)/2), and runqgrab's n - n/2 of a ring of RUNQSIZE */

#define NONE 255 /* nil guintptr, muintptr, puintptr */

/* G statuses (runtime2.go). */
#define GIDLE     0
#define GRUNNABLE 1
#define GRUNNING  2
#define GWAITING  4
#define GDEAD     6

/* Stack sizes: no stack, stackMin (= startingStackSize), 2*stackMin. */
#define STACKNONE 0
#define STACKMIN  1
#define MAXSTACK  2

/* P statuses (the spec's PHandoff is startm's transient _Pidle P). */
#define PIDLE    0
#define PRUNNING 1
#define PHANDOFF 2

/* How the program ended (PRESTART: before rt0_go's initial state is set). */
#define PRESTART       0
#define ALIVE          1
#define MAINRETURNED   2 /* runtime.main returned: exit(0) */
#define GOEXITDEADLOCK 3 /* fatal: no goroutines (main called runtime.Goexit) - deadlock! */
#define ALLASLEEP      4 /* fatal: all goroutines are asleep - deadlock! */

/* ---- state ---- */

byte ng;             /* len(allgs) */
byte gstat[NG];      /* gp.atomicstatus */
byte gstack[NG];     /* the stack's size class, STACKNONE after stackfree */
bit  gmain[NG];      /* a live G whose goid is main's (1) */

typedef Mt {
	byte curg;   /* mp.curg */
	byte p;      /* mp.p */
	byte newg;   /* newproc1's G, until runqput */
	byte nextp;  /* mp.nextp */
	byte link;   /* next M on sched.midle */
	bit spinning;
	bit parked;  /* on sched.midle, asleep in stopm */
	bit recheck; /* dropped its P while spinning: findRunnable's recheck next */
	bit recheckrunqs; /* the recheck's global queue section is done: checkRunqsNoP's next (spec M.RecheckRunqs) */
	bit stopping; /* dropped its P not spinning, or the recheck found nothing: stopm's mput, in a sched.lock section of its own, next */
	byte wakep   /* 1: owes a wakep (or resetspinning's) as its next step; 2: between wakep's CAS and its pidleget; 3: holds startp for its startm; 4: owes becomeSpinning's needspinning store (spec M.SpinClear) */
	byte startp; /* wakep's P between its pidleget and its startm */
	byte spinp;  /* the recheck's P between its pidlegetSpinning and its acquirep (PHANDOFF, held by this M) */
	bit stealtail; /* runqsteal between runqgrab's CAS, which took two or more Gs (its P's held), and its tail store, the M's next step */
	bit stealwork; /* findRunnable spun: its next schedule is stealWork's or the stop path's, past the tick's pick (spec M.StealWork) */
};
Mt m[NM];

typedef Pt {
	byte status;
	byte pm;                /* pp.m */
	byte runnext;
	byte ring[RUNQSIZE];    /* runq[runqhead:runqtail], head at 0 */
	byte ringlen;
	byte gfree[GFREECAP];   /* pp.gFree, head at gfreelen-1 */
	byte gfreelen;
	byte slow[SLOWMAX];     /* runqputslow's batch between its CAS and its push */
	byte slowlen;
	byte held[HELDMAX];     /* findRunnable's global batch (gp, then q) between globrunqgetbatch and runqputbatch/acquirep; or runqgrab's Gs (the last, then the others) between its CAS and runqsteal's tail store */
	byte heldlen;
	byte kicked;            /* runqput's old runnext between its CAS and its put on the ring */
	byte tick;              /* pp.schedtick % GLOBALTICK */
	byte goidrem;           /* pp.goidcacheend - pp.goidcache */
	byte link;              /* pp.link on sched.pidle */
	bit startspin           /* startm's spinning, for newm's M */
};
Pt p[NP];

byte runq[NG];  byte runqlen;  /* sched.runq, head at 0 */
byte gfs[NG];   byte gfslen;   /* sched.gFree.stack, head at gfslen-1 */
byte gfn[NG];   byte gfnlen;   /* sched.gFree.noStack, head at gfnlen-1 */
byte pidle;                    /* sched.pidle */
byte midle;                    /* sched.midle */
byte nmspinning;
bit  needspinning;             /* sched.needspinning: pidlegetSpinning found no idle P */
bit  maingoexit;
byte terminal;

/* Scratch of the d_steps: hidden, so not part of the state. */
hidden byte invfail; /* the invariant that failed, 0: none */
hidden byte tg, tg2, gg, ci, cj, ck, cn, ct, ncount, pidx, slowflag;

/* ---- helpers ---- */

inline ringpop(P) { /* the ring's head into gg */
	gg = p[P].ring[0];
	ci = 1;
	do
	:: ci < p[P].ringlen -> p[P].ring[ci-1] = p[P].ring[ci]; ci++
	:: else -> break
	od;
	p[P].ringlen--;
	p[P].ring[p[P].ringlen] = 0
}

inline ringpush(P, G) {
	p[P].ring[p[P].ringlen] = G;
	p[P].ringlen++
}

inline runqpop() { /* globrunqget: the global head into gg */
	gg = runq[0];
	ci = 1;
	do
	:: ci < runqlen -> runq[ci-1] = runq[ci]; ci++
	:: else -> break
	od;
	runqlen--;
	runq[runqlen] = 0
}

/* PENDINGP and NPIDLE are written out for NP = NM = 2. (checkRunqsNoP's
 * reads are racy: the recheck does not test the run queues, below.) */

/* A P startm handed off with no idle M: newm's M would take it (not one
 * held by a waking M for its startm, or by the recheck's M for its acquirep). */
#if NM > 1
#define PENDINGP(v) (p[v].status == PHANDOFF && m[0].nextp != v && m[1].nextp != v && m[0].startp != v && m[1].startp != v && m[0].spinp != v && m[1].spinp != v)
#else
#define PENDINGP(v) (p[v].status == PHANDOFF && m[0].nextp != v && m[0].startp != v && m[0].spinp != v)
#endif

inline pidleget() { /* the idle list's head into tg, NONE when empty */
	tg = pidle;
	if
	:: tg != NONE -> pidle = p[tg].link; p[tg].link = NONE
	:: else
	fi
}

inline pidleput(P) {
	assert(p[P].runnext == NONE && p[P].ringlen == 0); /* "pidleput: P has non-empty run queue" */
	ct = pidle;
	do
	:: ct != NONE -> assert(ct != P); ct = p[ct].link
	:: else -> break
	od;
	p[P].status = PIDLE;
	p[P].pm = NONE;
	p[P].link = pidle;
	pidle = P
}

inline releasep(M) {
	pidx = m[M].p;
	assert(pidx != NONE && p[pidx].pm == M && p[pidx].status == PRUNNING); /* "releasep: invalid p state" */
	m[M].p = NONE;
	p[pidx].pm = NONE;
	p[pidx].status = PIDLE
}

inline acquirepOn(M, P) { /* wirep */
	assert(m[M].p == NONE && p[P].pm == NONE && (p[P].status == PIDLE || p[P].status == PHANDOFF));
	m[M].p = P;
	p[P].pm = M;
	p[P].status = PRUNNING
}

/* checkdead, under sched.lock when an M stops counting as running. */
inline checkdead() {
	if
	:: terminal == ALIVE ->
		/* run = mcount - nmidle (- nmidlelocked, 0 here); mcount counts newm's M of a pending P */
		ncount = NM;
		ct = 0;
		do
		:: ct < NP -> if :: PENDINGP(ct) -> ncount++ :: else fi; ct++
		:: else -> break
		od;
		ct = midle;
		do
		:: ct != NONE -> ncount--; ct = m[ct].link
		:: else -> break
		od;
		if
		:: ncount == 0 ->
			tg2 = 0;
			ct = 0;
			do
			:: ct < ng ->
				assert(gstat[ct] != GRUNNABLE && gstat[ct] != GRUNNING); /* "checkdead: runnable g" */
				if :: gstat[ct] == GWAITING -> tg2++ :: else fi;
				ct++
			:: else -> break
			od;
			if
			:: tg2 == 0 -> terminal = GOEXITDEADLOCK
			:: else -> terminal = ALLASLEEP
			fi
		:: else -> assert(ncount > 0 && ncount <= NM + NP)
		fi
	:: else
	fi
}

inline mput(M) { /* stopm: mput, then checkdead */
	assert(!m[M].parked && m[M].p == NONE && m[M].nextp == NONE && !m[M].spinning); /* "stopm holding p" */
	m[M].parked = 1;
	m[M].recheck = 0;
	m[M].recheckrunqs = 0;
	m[M].link = midle;
	midle = M;
	checkdead()
}

/* startm(pp, spinning = true): the only startm at this bound is wakep's. */
inline startm(P) {
	assert(p[P].runnext == NONE && p[P].ringlen == 0); /* "startm: P required for spinning=true" */
	p[P].status = PHANDOFF;
	p[P].pm = NONE;
	p[P].link = NONE;
	p[P].startspin = 0;
	tg2 = midle; /* mget */
	if
	:: tg2 == NONE -> p[P].startspin = 1 /* newm's M will take it */
	:: else ->
		midle = m[tg2].link;
		m[tg2].link = NONE;
		m[tg2].parked = 0;
		assert(!m[tg2].spinning && m[tg2].nextp == NONE); /* "startm: m is spinning", "startm: m has p" */
		m[tg2].spinning = 1;
		m[tg2].nextp = P
	fi
}

/* wakep after its CAS: lock(&sched.lock); pidlegetSpinning, or
 * nmspinning-- with no idle P; unlock. The P is wakep's local (handed off,
 * held by this M, not pending) until its startm, the M's next step. */
inline wakepstartm(M) {
	pidleget();
	if
	:: tg == NONE -> needspinning = 1; assert(nmspinning > 0); nmspinning-- /* "wakep: negative nmspinning" */
	:: else ->
		p[tg].status = PHANDOFF;
		p[tg].pm = NONE;
		p[tg].link = NONE;
		m[M].startp = tg;
		m[M].wakep = 3
	fi
}

/* runqput(pp, g, next = true): the CAS on runnext; an old runnext is
 * kicked out and held (p[P].kicked) until runqputkick puts it on the ring. */
inline runqput(P, G) {
	tg = p[P].runnext;
	p[P].runnext = G;
	p[P].kicked = tg
}

/* runqput's retry loop for the kicked G: the ring's tail, or runqputslow
 * with a full ring; slowflag: runqputslow's CAS took the batch. */
inline runqputtail(P, tg) {
	slowflag = 0;
	if
	:: p[P].ringlen < RUNQSIZE -> ringpush(P, tg)
	:: else ->
		assert(p[P].ringlen / 2 == RUNQSIZE / 2); /* "runqputslow: queue is not full" */
		ci = 0;
		do
		:: ci < RUNQSIZE / 2 -> p[P].slow[ci] = p[P].ring[ci]; ci++
		:: else -> break
		od;
		ci = 0;
		do
		:: ci < RUNQSIZE / 2 -> p[P].ring[ci] = p[P].ring[ci + RUNQSIZE / 2]; p[P].ring[ci + RUNQSIZE / 2] = 0; ci++
		:: else -> break
		od;
		p[P].ringlen = RUNQSIZE / 2;
		p[P].slow[RUNQSIZE / 2] = tg;
		p[P].slowlen = SLOWMAX;
		slowflag = 1
	fi
}

/* gfput: free a stack not of startingStackSize, push, spill at the cap. */
inline gfput(P, G) {
	assert(gstat[G] == GDEAD); /* "gfput: bad status (not Gdead)" */
	if
	:: gstack[G] != STACKMIN -> gstack[G] = STACKNONE
	:: else
	fi;
	p[P].gfree[p[P].gfreelen] = G;
	p[P].gfreelen++;
	if
	:: p[P].gfreelen >= GFREECAP ->
		do
		:: p[P].gfreelen >= SPILLTO ->
			p[P].gfreelen--;
			tg = p[P].gfree[p[P].gfreelen];
			p[P].gfree[p[P].gfreelen] = 0;
			if
			:: gstack[tg] == STACKNONE -> gfn[gfnlen] = tg; gfnlen++
			:: else -> gfs[gfslen] = tg; gfslen++
			fi
		:: else -> break
		od
	:: else
	fi
}

/* gfget: refill an empty local list from the global lists (stack first),
 * pop, give the G a stack of startingStackSize; gg = NONE when empty. */
inline gfget(P) {
	if
	:: p[P].gfreelen == 0 && (gfslen != 0 || gfnlen != 0) ->
		do
		:: p[P].gfreelen < REFILLTO && gfslen != 0 ->
			gfslen--; p[P].gfree[p[P].gfreelen] = gfs[gfslen]; gfs[gfslen] = 0; p[P].gfreelen++
		:: p[P].gfreelen < REFILLTO && gfslen == 0 && gfnlen != 0 ->
			gfnlen--; p[P].gfree[p[P].gfreelen] = gfn[gfnlen]; gfn[gfnlen] = 0; p[P].gfreelen++
		:: else -> break
		od
	:: else
	fi;
	if
	:: p[P].gfreelen == 0 -> gg = NONE
	:: else ->
		p[P].gfreelen--;
		gg = p[P].gfree[p[P].gfreelen];
		p[P].gfree[p[P].gfreelen] = 0;
		if
		:: gstack[gg] != STACKNONE && gstack[gg] != STACKMIN -> gstack[gg] = STACKNONE
		:: else
		fi;
		if
		:: gstack[gg] == STACKNONE -> gstack[gg] = STACKMIN
		:: else
		fi
	fi
}

/* execute: curg set, runnable -> running, schedtick++ unless inherited. */
inline execute(M, G, inherit) {
	m[M].curg = G;
	assert(gstat[G] == GRUNNABLE);
	gstat[G] = GRUNNING;
	if
	:: !inherit -> p[m[M].p].tick = (p[m[M].p].tick + 1) % GLOBALTICK
	:: else
	fi
}

/* findRunnable's `gp, q := globrunqgetbatch(int32(len(pp.runq)) / 2)`
 * under sched.lock: n = min(len(pp.runq)/2, size, size/gomaxprocs+1) Gs
 * off the global queue's head into P's held batch (p[P].held), gp first,
 * then q. */
inline globrunqgetbatch(P) {
	ck = RUNQSIZE / 2;
	if :: runqlen < ck -> ck = runqlen :: else fi;
	if :: runqlen / GOMAXPROCS + 1 < ck -> ck = runqlen / GOMAXPROCS + 1 :: else fi;
	assert(ck > 0 && p[P].heldlen == 0);
	do
	:: p[P].heldlen < ck -> runqpop(); p[P].held[p[P].heldlen] = gg; p[P].heldlen++
	:: else -> break
	od
}

/* findRunnable after the unlock: `runqputbatch(pp, &q)`, the held batch's
 * rest (after gp) onto P's empty ring; gp stays held. */
inline runqputbatch(P) {
	ck = 1;
	do
	:: ck < p[P].heldlen ->
		assert(p[P].ringlen < RUNQSIZE); /* "Couldn't put Gs into empty local runq" */
		ringpush(P, p[P].held[ck]);
		p[P].held[ck] = 0;
		ck++
	:: else -> break
	od;
	p[P].heldlen = 1
}

/* findRunnable returns gp, the held batch's first G: into gg. */
inline heldpop(P) {
	assert(p[P].heldlen == 1);
	gg = p[P].held[0];
	p[P].held[0] = 0;
	p[P].heldlen = 0
}

/* findRunnable's recheck, lock(&sched.lock); pidlegetSpinning with an idle
 * P: the idle head into tg, handed off and held by M until its acquirep
 * (m[M].spinp). */
inline recheckTake(M) {
	pidleget();
	assert(tg != NONE);
	p[tg].status = PHANDOFF;
	p[tg].pm = NONE;
	p[tg].link = NONE;
	m[M].recheck = 0;
	m[M].recheckrunqs = 0;
	m[M].spinp = tg
}

/* The end of a schedule that found gg: resetspinning is the M's next step. */
inline found(M, inherit) {
	if
	:: m[M].spinning -> m[M].wakep = 1
	:: else
	fi;
	execute(M, gg, inherit)
}

/* ---- invariants ----
 *
 * Checked after every step: inv_failed() returns the number of the first
 * invariant that fails (and prints its name), 0 when all hold, and the
 * step asserts it is 0. It is C for the reason canon() is
 * (below): inlined Promela would be copied into every d_step.
 */
c_code {
	static unsigned char seen_[NG];
	static int inv_fail(int n, const char *name) {
		printf("invariant %d failed: %s\n", n, name);
		return n;
	}
	static int inv_see(unsigned char g, unsigned char status) {
		if (g == NONE) return 0;
		if (g >= now.ng) return 1;
		seen_[g]++;
		return now.gstat[g] != status;
	}
	static int inv_failed(void) {
		int i, j, n;
		unsigned char c;
		for (i = 0; i < NG; i++) seen_[i] = 0;
		n = 0;
		for (i = 0; i < NM; i++) {
			if (inv_see(now.m[i].curg, GRUNNING) || inv_see(now.m[i].newg, GRUNNABLE))
				return inv_fail(1, "an M's curg is running, its newproc1 G runnable");
			if (now.m[i].curg != NONE && now.m[i].p == NONE)
				return inv_fail(2, "RunningHasP: an M running a G holds a P");
			if (now.m[i].newg != NONE && now.m[i].curg == NONE)
				return inv_fail(3, "newproc1's G is held by the M running its creator");
			if (now.m[i].p != NONE && (now.p[now.m[i].p].pm != i || now.p[now.m[i].p].status != PRUNNING))
				return inv_fail(4, "m.p and p.m agree, the P is running");
			n += now.m[i].spinning + (now.m[i].wakep == 2 || now.m[i].wakep == 3);
		}
		for (i = 0; i < NP; i++) {
			n += now.p[i].startspin;
			if (inv_see(now.p[i].runnext, GRUNNABLE))
				return inv_fail(5, "runnext is runnable");
			for (j = 0; j < now.p[i].ringlen; j++)
				if (inv_see(now.p[i].ring[j], GRUNNABLE)) return inv_fail(6, "the ring's Gs are runnable");
			for (j = 0; j < now.p[i].slowlen; j++)
				if (inv_see(now.p[i].slow[j], GRUNNABLE)) return inv_fail(7, "runqputslow's batch is runnable");
			for (j = 0; j < now.p[i].heldlen; j++)
				if (inv_see(now.p[i].held[j], GRUNNABLE)) return inv_fail(7, "findRunnable's held global batch is runnable");
			if (inv_see(now.p[i].kicked, GRUNNABLE))
				return inv_fail(7, "runqput's kicked runnext is runnable");
			for (j = 0; j < now.p[i].gfreelen; j++)
				if (inv_see(now.p[i].gfree[j], GDEAD)) return inv_fail(8, "FreeGsAreDead: the local free list");
			if (now.p[i].gfreelen >= GFREECAP)
				return inv_fail(9, "LocalFreeBelowCap");
			if (now.p[i].status == PRUNNING ? (now.p[i].pm == NONE || now.m[now.p[i].pm].p != i) : now.p[i].pm != NONE)
				return inv_fail(10, "a running P has the M that holds it, no other P has one");
			if (now.p[i].status == PIDLE && (now.p[i].runnext != NONE || now.p[i].ringlen != 0 || now.p[i].heldlen != 0))
				return inv_fail(11, "an idle P has an empty run queue");
			/* A held global batch: the recheck's P (its M's spinp), or
			 * a running P whose M is between findRunnable's
			 * globrunqgetbatch and its runqputbatch (or between
			 * runqgrab's CAS and runqsteal's tail store). */
			if (now.p[i].heldlen != 0) {
				for (j = 0; j < NM && now.m[j].spinp != i &&
				     !(now.m[j].wakep == 4 && now.m[j].p == i && now.p[i].pm == j && now.p[i].heldlen == 1); j++)
					;
				if (j == NM && (now.p[i].status != PRUNNING || now.m[now.p[i].pm].curg != NONE || now.p[i].heldlen < 2))
					return inv_fail(20, "a held global batch belongs to an M's findRunnable");
			}
		}
		/* The recheck's P, between its pidlegetSpinning and its
		 * acquirep: handed off, held by one M that has no P, runs
		 * nothing and is not spinning. */
		for (i = 0; i < NM; i++) {
			c = now.m[i].spinp;
			if (c == NONE) continue;
			if (c >= NP || now.p[c].status != PHANDOFF || now.p[c].pm != NONE || now.p[c].startspin ||
			    now.m[i].p != NONE || now.m[i].curg != NONE || now.m[i].spinning || now.m[i].recheck || now.m[i].parked)
				return inv_fail(19, "the recheck's P is handed off to its M alone");
			for (j = 0; j < NM; j++)
				if (now.m[j].nextp == c || now.m[j].startp == c || (j != i && now.m[j].spinp == c))
					return inv_fail(19, "the recheck's P is held by its M alone");
		}
		/* runqsteal between runqgrab's CAS and its tail store: a
		 * spinning M on g0 with a P that holds the two or more Gs
		 * runqgrab took, and the tail store its one step. */
		for (i = 0; i < NM; i++) {
			if (!now.m[i].stealtail) continue;
			c = now.m[i].p;
			if (c == NONE || now.m[i].curg != NONE || now.m[i].newg != NONE || now.m[i].spinp != NONE ||
			    !now.m[i].spinning || now.m[i].wakep || now.p[c].heldlen < 2)
				return inv_fail(21, "runqsteal's tail store is owed by a spinning M whose P holds what runqgrab took");
		}
		if (n != now.nmspinning)
			return inv_fail(12, "NMSpinningCounts: the spinning Ms and the Ps startm(pp, true) left to newm");
		for (j = 0; j < now.runqlen; j++)
			if (inv_see(now.runq[j], GRUNNABLE)) return inv_fail(13, "the global queue's Gs are runnable");
		for (j = 0; j < now.gfslen; j++)
			if (inv_see(now.gfs[j], GDEAD) || now.gstack[now.gfs[j]] == STACKNONE)
				return inv_fail(14, "StackListHasStack, FreeGsAreDead");
		for (j = 0; j < now.gfnlen; j++)
			if (inv_see(now.gfn[j], GDEAD) || now.gstack[now.gfn[j]] != STACKNONE)
				return inv_fail(15, "NoStackListHasNoStack, FreeGsAreDead");
		/* Conservation: every G of allgs is in exactly one place (an M,
		 * a run queue, a free list), but a waiting G, in none; so no G
		 * is on two lists and every dead G is on a free list. */
		for (i = 0; i < now.ng; i++)
			if (seen_[i] != (now.gstat[i] == GWAITING ? 0 : 1))
				return inv_fail(16, "OneListAtATime, conservation of Gs");
		/* The idle P list holds exactly the idle Ps; the idle M list
		 * exactly the parked Ms. */
		n = 0;
		for (c = now.pidle; c != NONE; c = now.p[c].link)
			if (now.p[c].status != PIDLE || ++n > NP) return inv_fail(17, "IdlePsListed: the idle P list");
		for (i = 0; i < NP; i++) n -= now.p[i].status == PIDLE;
		if (n != 0) return inv_fail(17, "IdlePsListed: an idle P off the list");
		for (c = now.midle; c != NONE; c = now.m[c].link)
			if (!now.m[c].parked || ++n > NM) return inv_fail(18, "the idle M list holds parked Ms");
		for (i = 0; i < NM; i++) n -= now.m[i].parked;
		if (n != 0) return inv_fail(18, "a parked M off the idle M list");
		return 0;
	}
}

#define check() c_code { invfail = inv_failed(); }; assert(invfail == 0)

/* ---- the spec's canonical form: Gs renamed in the fingerprint's walk order ----
 *
 * canon() is the explorer's symmetry reduction (spec/hash.go fingerprint),
 * not part of the runtime's behaviour; it is written in C (c_code) because
 * the same code in Promela, inlined into every d_step, makes pan.c twice as
 * large and its compile minutes long. It renames the Gs in the order
 * the walk meets them: each M's curg and newg; each P's runnext, ring,
 * runqputslow batch, findRunnable's held global batch, runqput's kicked
 * G and free list; the global queue, sched.gFree.stack and
 * .noStack; then the Gs on no list (the waiting ones) sorted by their
 * fields. States equal up to a renaming of Gs have the same futures.
 */
c_code {
	#define GKEY(x) (now.gstat[x] * 8 + now.gstack[x] * 2 + now.gmain[x])
	static unsigned char cperm[NG], cinv[NG], cn_;
	static void cvisit(unsigned char g) {
		if (g != NONE && cperm[g] == NONE) { cperm[g] = cn_; cinv[cn_++] = g; }
	}
	static void cremap(unsigned char *x) {
		if (*x != NONE) *x = cperm[*x];
	}
	static void canon_gs(void) {
		int i, j, k;
		unsigned char ts[NG], tk[NG], tm[NG], c;
		for (i = 0; i < NG; i++) cperm[i] = NONE;
		cn_ = 0;
		for (i = 0; i < NM; i++) { cvisit(now.m[i].curg); cvisit(now.m[i].newg); }
		for (i = 0; i < NP; i++) {
			cvisit(now.p[i].runnext);
			for (j = 0; j < now.p[i].ringlen; j++) cvisit(now.p[i].ring[j]);
			for (j = 0; j < now.p[i].slowlen; j++) cvisit(now.p[i].slow[j]);
			for (j = 0; j < now.p[i].heldlen; j++) cvisit(now.p[i].held[j]);
			cvisit(now.p[i].kicked);
			for (j = 0; j < now.p[i].gfreelen; j++) cvisit(now.p[i].gfree[j]);
		}
		for (j = 0; j < now.runqlen; j++) cvisit(now.runq[j]);
		for (j = 0; j < now.gfslen; j++) cvisit(now.gfs[j]);
		for (j = 0; j < now.gfnlen; j++) cvisit(now.gfn[j]);
		k = cn_;
		for (i = 0; i < now.ng; i++) {
			if (cperm[i] != NONE) continue;
			cinv[cn_] = i;
			for (j = cn_; j > k && GKEY(cinv[j - 1]) > GKEY(cinv[j]); j--) {
				c = cinv[j - 1]; cinv[j - 1] = cinv[j]; cinv[j] = c;
			}
			cn_++;
		}
		for (i = 0; i < now.ng; i++) {
			cperm[cinv[i]] = i;
			ts[i] = now.gstat[cinv[i]]; tk[i] = now.gstack[cinv[i]]; tm[i] = now.gmain[cinv[i]];
		}
		for (i = 0; i < now.ng; i++) { now.gstat[i] = ts[i]; now.gstack[i] = tk[i]; now.gmain[i] = tm[i]; }
		for (i = 0; i < NM; i++) { cremap(&now.m[i].curg); cremap(&now.m[i].newg); }
		for (i = 0; i < NP; i++) {
			cremap(&now.p[i].runnext);
			for (j = 0; j < now.p[i].ringlen; j++) cremap(&now.p[i].ring[j]);
			for (j = 0; j < now.p[i].slowlen; j++) cremap(&now.p[i].slow[j]);
			for (j = 0; j < now.p[i].heldlen; j++) cremap(&now.p[i].held[j]);
			cremap(&now.p[i].kicked);
			for (j = 0; j < now.p[i].gfreelen; j++) cremap(&now.p[i].gfree[j]);
		}
		for (j = 0; j < now.runqlen; j++) cremap(&now.runq[j]);
		for (j = 0; j < now.gfslen; j++) cremap(&now.gfs[j]);
		for (j = 0; j < now.gfnlen; j++) cremap(&now.gfn[j]);
	}
}

#ifndef NOSYM
#define canon() c_code { canon_gs(); }
#else
#define canon() skip
#endif

/* Every step ends with the invariants and the canonical renaming. */
#define DONE check(); canon()

/* ---- guards: spec.State.Enabled's cases for M me ---- */

#define ME      m[me]
#define MP      p[m[me].p]
#define LIVE    (terminal == ALIVE)
/* In findRunnable: a P, on g0, no newproc1 G to queue, no wakep owed, no
 * global batch held for runqputbatch. */
#define INSCHED (LIVE && !ME.wakep && ME.p != NONE && ME.curg == NONE && ME.newg == NONE && MP.heldlen == 0)
/* Running a G with nothing of newproc's, runqput's or runqputslow's left to do. */
#define RUNNING (LIVE && !ME.wakep && ME.curg != NONE && ME.newg == NONE && MP.slowlen == 0 && MP.kicked == NONE)
/* No P, on g0, no P taken by the recheck: stopm's wakeup, the recheck, or
 * asleep on sched.midle. */
#define NOP     (LIVE && !ME.wakep && ME.p == NONE && ME.curg == NONE && ME.newg == NONE && ME.spinp == NONE)
/* The recheck took P ME.spinp: its runqputbatch and acquirep are next. */
#define SPINP   (LIVE && !ME.wakep && ME.spinp != NONE)
#define LOCALEMPTY (MP.runnext == NONE && MP.ringlen == 0)
/* findRunnable's top: the 61st tick's pick (none after the spin) */
#define TICK    (!ME.stealwork && MP.tick == 0 && runqlen != 0)
#define NPIDLE  ((pidle != NONE) + (pidle != NONE && p[pidle].link != NONE))
/* spinAllowed for an M not spinning yet: 2*nmspinning < gomaxprocs - npidle */
#define SPINOK  (2 * nmspinning < GOMAXPROCS - NPIDLE)
#define VICTIM(v) (m[me].p != v && (p[v].status == PRUNNING || p[v].status == PHANDOFF))

/* runqsteal from victim V's ring: runqgrab's CAS on the victim's
 * runqhead takes n - n/2 from its head. One taken: runqsteal has nothing
 * to publish and findRunnable returns it, which runs. Two or more: they
 * are copied into the thief's ring beyond its tail, where no other M
 * sees them, held (MP.held: the last, which findRunnable returns, first,
 * then the others in ring order) until runqsteal's tail store, the M's
 * next step (runqstealtail). */
inline steal(me, V) {
	tg = p[V].ringlen - p[V].ringlen / 2;
	if
	:: tg == 1 -> ringpop(V); found(me, 0)
	:: else ->
		assert(tg <= HELDMAX && MP.heldlen == 0);
		ck = 1;
		do
		:: ck < tg -> ringpop(V); MP.held[ck] = gg; ck++
		:: else -> break
		od;
		ringpop(V);
		MP.held[0] = gg;
		MP.heldlen = tg;
		ME.stealtail = 1
	fi
}

/* runqsteal after runqgrab's CAS: `h := atomic.LoadAcq(&pp.runqhead);
 * if t-h+n >= uint32(len(pp.runq)) { throw("runqsteal: runq overflow") };
 * atomic.StoreRel(&pp.runqtail, t+n)` publishes the held Gs after the
 * first on P's ring; the first (the last runqgrab took) stays held. */
inline runqstealtail(P) {
	assert(p[P].ringlen + p[P].heldlen - 1 < RUNQSIZE); /* "runqsteal: runq overflow" */
	ci = 1;
	do
	:: ci < p[P].heldlen -> ringpush(P, p[P].held[ci]); p[P].held[ci] = 0; ci++
	:: else -> break
	od;
	p[P].heldlen = 1
}

/* The way out of a G: gdestroy (running -> dead, dropg) and gfput; the
 * caller's goexit0 then calls schedule. */
inline gdestroy(me) {
	gg = ME.curg;
	gstat[gg] = GDEAD;
	gmain[gg] = 0; /* a dead G's goid is forgotten; a new one is never main's */
	ME.curg = NONE;
	gfput(m[me].p, gg)
}

/* ready(G): waiting -> runnable, runqput(next = true), then wakep. */
#define READY(G) \
	:: d_step { RUNNING && G < ng && gstat[G] == GWAITING -> \
		gstat[G] = GRUNNABLE; runqput(m[me].p, G); \
		if :: MP.kicked == NONE -> ME.wakep = 1 :: else fi; \
		DONE }

/* acquirep of pending P V (handed off by startm with no idle M) by an idle
 * M, standing for the M newm would create: mgetSpecific takes it off
 * sched.midle. */
#define ACQUIRE_PENDING(V) \
	:: d_step { NOP && ME.nextp == NONE && !ME.recheck && ME.parked && PENDINGP(V) -> \
		if \
		:: midle == me -> midle = ME.link \
		:: else -> ct = midle; \
			do \
			:: m[ct].link == me -> m[ct].link = ME.link; break \
			:: else -> ct = m[ct].link \
			od \
		fi; \
		ME.link = NONE; ME.parked = 0; \
		ME.spinning = p[V].startspin; p[V].startspin = 0; \
		acquirepOn(me, V); \
		DONE }

#define STEALS(V) \
	:: d_step { INSCHED && LOCALEMPTY && ME.spinning && VICTIM(V) && p[V].ringlen != 0 -> \
		ME.stealwork = 0; steal(me, V); DONE } \
	:: d_step { INSCHED && LOCALEMPTY && ME.spinning && VICTIM(V) && p[V].runnext != NONE -> \
		ME.stealwork = 0; gg = p[V].runnext; p[V].runnext = NONE; found(me, 0); DONE }

active [NM] proctype M()
{
	byte me = _pid;
end:
	do
	/* rt0_go: schedinit's procresize gives P0 to m0 and lists P1 idle;
	 * newproc(main) takes goid 1 of P0's first batch; mstart's
	 * schedule runs main from runnext, inheriting the time slice. The
	 * other Ms are asleep on sched.midle, M1 at its head. */
	:: d_step { terminal == PRESTART && me == 0 ->
		ng = 1;
		gstat[0] = GRUNNING; gstack[0] = STACKMIN; gmain[0] = 1;
		ci = 0;
		do
		:: ci < NM ->
			m[ci].curg = NONE; m[ci].p = NONE; m[ci].newg = NONE; m[ci].nextp = NONE; m[ci].link = NONE; m[ci].startp = NONE; m[ci].spinp = NONE;
			ci++
		:: else -> break
		od;
		midle = NONE;
		ci = NM - 1;
		do
		:: ci >= 1 -> m[ci].parked = 1; m[ci].link = midle; midle = ci; ci--
		:: else -> break
		od;
		m[0].curg = 0; m[0].p = 0;
		pidle = NONE;
		ci = 0;
		do
		:: ci < NP ->
			p[ci].pm = NONE; p[ci].runnext = NONE; p[ci].kicked = NONE; p[ci].link = NONE;
			if
			:: ci == 0 -> p[ci].status = PRUNNING; p[ci].pm = 0; p[ci].goidrem = GOIDBATCH - 1
			:: else -> p[ci].status = PIDLE; p[ci].link = pidle; pidle = ci
			fi;
			ci++
		:: else -> break
		od;
		terminal = ALIVE;
		DONE
	}

	/* resetspinning, before its wakep: spinning off, nmspinning-- */
	:: d_step { LIVE && ME.wakep == 1 && ME.spinning ->
		ME.spinning = 0; assert(nmspinning > 0); nmspinning--;
		DONE }
	/* wakep (newproc, ready, runqputkick, gosched, runqputslowpush,
	 * resetspinning's): the CAS of nmspinning 0 -> 1, or nothing */
	:: d_step { LIVE && ME.wakep == 1 && !ME.spinning ->
		if
		:: nmspinning == 0 -> nmspinning = 1; ME.wakep = 2
		:: else -> ME.wakep = 0
		fi;
		DONE }
	/* wakep after its CAS: its sched.lock section */
	:: d_step { LIVE && ME.wakep == 2 ->
		ME.wakep = 0;
		wakepstartm(me);
		DONE }
	/* wakep's startm: lock(&sched.lock); mget; the P to its nextp */
	:: d_step { LIVE && ME.wakep == 3 ->
		startm(ME.startp);
		ME.startp = NONE;
		ME.wakep = 0;
		DONE }

	/* schedule: findRunnable's sources (spec.State.scheduleChoices) */
	:: d_step { INSCHED && TICK -> /* every GLOBALTICK-th schedtick: globrunqget */
		runqpop(); found(me, 0); DONE }
	/* runqget, beside the tick's pick too: the tick's read of the
	 * global queue is racy and runqget comes after it (spec doc.go,
	 * Schedule choices) */
	:: d_step { INSCHED && MP.runnext != NONE -> /* runqget: runnext, inherits the time slice */
		ME.stealwork = 0; gg = MP.runnext; MP.runnext = NONE; found(me, 1); DONE }
	:: d_step { INSCHED && MP.runnext == NONE && MP.ringlen != 0 -> /* runqget: the ring's head */
		ME.stealwork = 0; ringpop(m[me].p); found(me, 0); DONE }
	:: d_step { INSCHED && LOCALEMPTY && runqlen != 0 ->
		/* lock(&sched.lock); gp, q := globrunqgetbatch(len(pp.runq)/2);
		 * unlock: with q empty findRunnable returns gp, else
		 * runqputbatch is the M's next step (after the spin: the stop
		 * path's batch) */
		ME.stealwork = 0;
		globrunqgetbatch(m[me].p);
		if
		:: MP.heldlen == 1 -> heldpop(m[me].p); found(me, 0)
		:: else
		fi;
		DONE }
	:: d_step { LIVE && !ME.wakep && ME.p != NONE && ME.curg == NONE && MP.heldlen != 0 && !ME.stealtail ->
		/* findRunnable after the global batch's unlock: runqputbatch(pp,
		 * &q), and it returns gp */
		assert(MP.heldlen > 1 && MP.runnext == NONE && MP.ringlen == 0);
		runqputbatch(m[me].p); heldpop(m[me].p); found(me, 0); DONE }
	:: d_step { INSCHED && LOCALEMPTY && !ME.spinning ->
		/* becomeSpinning before stealWork: spinning, nmspinning++;
		 * needspinning = 0 is the M's next step; then stealWork and
		 * the stop path, not findRunnable's top. findRunnable reads
		 * the global queue and the spin limit (SPINOK) without a lock,
		 * so the spin is allowed whatever they hold now, and so is the
		 * stop path below (spec scheduleChoices) */
		ME.spinning = 1; nmspinning++; ME.wakep = 4; ME.stealwork = 1; DONE }
	:: d_step { LIVE && ME.wakep == 4 ->
		/* becomeSpinning's `sched.needspinning.Store(0)`; after the
		 * recheck's acquirep with the global batch findRunnable then
		 * returns gp */
		ME.wakep = 0; needspinning = 0;
		if
		:: MP.heldlen == 1 -> heldpop(m[me].p); found(me, 0)
		:: else
		fi;
		DONE }
	STEALS(0)
#if NP > 1
	STEALS(1)
#endif
	:: d_step { LIVE && ME.stealtail ->
		/* runqsteal after runqgrab's CAS took two or more: its tail
		 * store publishes all but the last, which findRunnable
		 * returns and schedule runs */
		assert(ME.p != NONE && ME.curg == NONE && MP.heldlen > 1 && MP.runnext == NONE);
		ME.stealtail = 0;
		runqstealtail(m[me].p); heldpop(m[me].p); found(me, 0); DONE }
	:: d_step { INSCHED && LOCALEMPTY && runqlen == 0 ->
		/* the stop path: with needspinning a non-spinning M becomes spinning
		 * and keeps its P; else releasep, pidleput, unlock; a spinning M
		 * rechecks, any other stopm's next */
		ME.stealwork = 0;
		if
		:: !ME.spinning && needspinning -> ME.spinning = 1; nmspinning++; needspinning = 0
		:: else ->
			releasep(me);
			pidleput(pidx);
			if
			:: ME.spinning -> ME.recheck = 1
			:: else -> ME.stopping = 1
			fi
		fi;
		DONE }

	/* a running G: newproc, ready, gosched, park, copystack, exit */
	:: d_step { RUNNING && (ng < NG || MP.gfreelen != 0 || gfslen != 0 || gfnlen != 0) ->
		/* newproc1: gfget, or malg + allgadd; its goid batch fetch
		 * (goidrefill) when the cache is empty; dead -> runnable */
		gfget(m[me].p);
		if
		:: gg == NONE -> gg = ng; ng++; gstack[gg] = STACKMIN; gstat[gg] = GDEAD
		:: else
		fi;
		assert(gstack[gg] != STACKNONE); /* "newproc1: newg missing stack" */
		assert(gstat[gg] == GDEAD);      /* "newproc1: new g is not Gdead" */
		gmain[gg] = 0;
		if
		:: MP.goidrem == 0 -> MP.goidrem = GOIDBATCH
		:: else
		fi;
		gstat[gg] = GRUNNABLE;
		MP.goidrem--;
		ME.newg = gg;
		DONE }
	:: d_step { LIVE && !ME.wakep && ME.curg != NONE && ME.newg != NONE -> /* newproc's runqput(pp, newg, true) */
		gg = ME.newg; ME.newg = NONE;
		runqput(m[me].p, gg);
		if :: MP.kicked == NONE -> ME.wakep = 1 :: else fi;
		DONE }
	:: d_step { LIVE && !ME.wakep && ME.curg != NONE && MP.kicked != NONE ->
		/* runqput after its CAS kicked the old runnext out: the ring's tail, or runqputslow */
		gg = MP.kicked; MP.kicked = NONE;
		runqputtail(m[me].p, gg);
		if :: !slowflag -> ME.wakep = 1 :: else fi;
		DONE }
	:: d_step { LIVE && !ME.wakep && ME.curg != NONE && ME.newg == NONE && MP.slowlen != 0 ->
		/* runqputslow: lock(&sched.lock); globrunqputbatch */
		ci = 0;
		do
		:: ci < MP.slowlen -> runq[runqlen] = MP.slow[ci]; runqlen++; MP.slow[ci] = 0; ci++
		:: else -> break
		od;
		MP.slowlen = 0;
		ME.wakep = 1;
		DONE }
	READY(0)
#if NG > 1
	READY(1)
#endif
#if NG > 2
	READY(2)
#endif
#if NG > 3
	READY(3)
#endif
#if NG > 4
	READY(4)
#endif
#if NG > 5
	READY(5)
#endif
	:: d_step { RUNNING -> /* the G's function returns: goexit1 -> mcall(goexit0); main's: exit(0) */
		if
		:: gmain[ME.curg] -> terminal = MAINRETURNED
		:: else -> gdestroy(me)
		fi;
		DONE }
	:: d_step { RUNNING -> /* runtime.Goexit */
		if :: gmain[ME.curg] -> maingoexit = 1 :: else fi;
		gdestroy(me);
		DONE }
	:: d_step { RUNNING -> /* gosched_m: running -> runnable, globrunqput, wakep */
		gg = ME.curg; gstat[gg] = GRUNNABLE; ME.curg = NONE;
		runq[runqlen] = gg; runqlen++;
		ME.wakep = 1;
		DONE }
	:: d_step { RUNNING -> /* park_m: running -> waiting, dropg */
		gstat[ME.curg] = GWAITING; ME.curg = NONE; DONE }
	:: d_step { RUNNING && gstack[ME.curg] == STACKMIN -> /* copystack: the stack doubles, up to 2*stackMin */
		gstack[ME.curg] = MAXSTACK; DONE }

	/* an M without a P */
	:: d_step { NOP && ME.stopping -> /* stopm after the stop path or the recheck: mput */
		ME.stopping = 0; mput(me); DONE }
	:: d_step { NOP && ME.nextp != NONE -> /* stopm returns: acquirep(mp.nextp) */
		tg = ME.nextp; ME.nextp = NONE; acquirepOn(me, tg); DONE }
	:: d_step { NOP && ME.nextp == NONE && ME.recheck && ME.spinning -> /* nmspinning-- before the recheck */
		ME.spinning = 0; assert(nmspinning > 0); nmspinning--; DONE }
	:: d_step { NOP && ME.nextp == NONE && ME.recheck && !ME.spinning && !ME.recheckrunqs && pidle != NONE && runqlen != 0 ->
		/* the recheck's first sched.lock section finds global work:
		 * pidlegetSpinning and globrunqgetbatch; unlock. The P (handed
		 * off, held by this M) and the batch are findRunnable's locals
		 * until its runqputbatch and acquirep */
		recheckTake(me); globrunqgetbatch(tg); DONE }
	:: d_step { NOP && ME.nextp == NONE && ME.recheck && !ME.spinning && !ME.recheckrunqs && (pidle == NONE || runqlen == 0) ->
		/* the first section takes nothing: global work with no idle P
		 * sets needspinning (pidlegetSpinning); unlock; checkRunqsNoP
		 * next */
		if
		:: pidle == NONE && runqlen != 0 -> needspinning = 1
		:: else
		fi;
		ME.recheckrunqs = 1; DONE }
	/* checkRunqsNoP reads each P's run queue without a lock and takes an
	 * idle P in a sched.lock section of its own. Every outcome of its
	 * reads is allowed whatever the run queues hold now (spec Enabled's
	 * recheck). */
	:: d_step { NOP && ME.nextp == NONE && ME.recheckrunqs && pidle != NONE ->
		/* checkRunqsNoP found a P's run queue with work:
		 * lock(&sched.lock); pidlegetSpinning; unlock; acquirep next */
		recheckTake(me); DONE }
	:: d_step { NOP && ME.nextp == NONE && ME.recheckrunqs ->
		/* checkRunqsNoP found nothing: stopm's mput, in a sched.lock
		 * section of its own, next */
		ME.recheck = 0; ME.recheckrunqs = 0; ME.stopping = 1; DONE }
	:: d_step { NOP && ME.nextp == NONE && ME.recheckrunqs && pidle == NONE ->
		/* checkRunqsNoP found work and no idle P: needspinning; stopm
		 * next */
		needspinning = 1; ME.recheck = 0; ME.recheckrunqs = 0; ME.stopping = 1; DONE }
	:: d_step { SPINP && p[ME.spinp].heldlen > 1 ->
		/* the recheck after its unlock: runqputbatch(pp, &q) onto the P
		 * it took, which no M owns yet (thieves may steal from it) */
		runqputbatch(ME.spinp); DONE }
	:: d_step { SPINP && p[ME.spinp].heldlen <= 1 ->
		/* the recheck's `acquirep(pp); mp.becomeSpinning()`, its
		 * needspinning store the M's next step (which, with the global
		 * batch, returns gp) */
		tg = ME.spinp; ME.spinp = NONE;
		ME.spinning = 1; nmspinning++; ME.wakep = 4;
		acquirepOn(me, tg);
		DONE }
	ACQUIRE_PENDING(0)
#if NP > 1
	ACQUIRE_PENDING(1)
#endif

	/* no op enabled: the program must have ended (no live deadlock) */
	:: d_step { timeout -> assert(terminal != ALIVE) }
	od
}
