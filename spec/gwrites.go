package spec

// The G-writes reduction (ReduceGWrites, the explorer's -reduce gwrites).
//
// Three op families write fields of the running G that, in the runtime
// and in the spec, nothing reads while the G lives except gdestroy:
//   - dirty (OpDirty) makes the fields gdestroy resets non-zero
//     (gp._defer ... gp.bubble, G.Cleared);
//   - assist (OpAssist) sets gp.gcAssistBytes (G.GCAssist);
//   - growstack (OpGrowStack, copystack from newstack) doubles the stack
//     (G.Stack).
//
// What reads these fields of a G that is not dead:
//   - gdestroy (OpExit of a G but main's exit(0), OpGoexit) resets
//     Cleared, flushes a credit while the GC marks, and gfput compares the
//     stack with startingStackSize (freeing it when they differ);
//   - newproc1 copies its creator's pprof labels and synctest bubble
//     (Cleared & (FieldLabels|FieldBubble), into a user G) and its fips140
//     bypass (FieldFipsOnlyBypass, into every G): a read that writes only
//     another live G's Cleared;
//   - a GC start (gcResetMarkState) zeroes every G's gcAssistBytes: a
//     write, after which the value read is zero whatever was written;
//   - the ops' own enabling (growstack while the stack is below MaxStack,
//     assist for a value the G does not have, dirty until every field is
//     set), and invariants only through "the stack is a power of two of
//     at least StackMin, and non-zero": no invariant reads a live G's
//     Cleared or GCAssist (DeadGCleared and AssistCreditFlushed read dead
//     Gs).
// So every run of the full graph has a counterpart in which each such
// write is made right before the G's gdestroy, by the M that runs it
// there, or not at all (a write that a GC start erased, or of a G that
// never exits, or that only a live G copied): the writes move right past
// every op of every actor, since none of those reads what they write.
// The counterpart's states differ from the run's only in live Gs' writes
// not yet made, which no invariant, throw or enabling condition of
// another op depends on; its dead Gs, and everything else, are the same.
//
// GWritesMoves makes that the explorer's move set: the three families
// are not offered on their own; instead each gdestroy (OpExit but main's,
// OpGoexit) comes with every combination of them, as one composite op
// (Op.Pre) whose parts are made in a fixed order, dirty, assist,
// growstack, then the exit. The combinations are prefix-closed (the
// parts made before the last part of any combination are a combination
// of their own), so checking the invariants in the state right before
// each combination's exit checks every state a composite passes through
// (the explorer does, so that a broken write is still caught where it
// breaks an invariant, not only at the exit).
//
// What it cannot keep: a broken transition that reads a live G's written
// fields elsewhere (a newproc1 copying every field to the new G, which
// only another live G's Cleared shows) goes unseen, as it would in the
// full graph unless the new G then exits without gdestroy clearing it,
// which the composite with dirty covers. Shortest paths are counted in
// moves, so a counterexample through a composite can be longer in steps
// than the full graph's shortest; without gwrites it is the shortest.

// Bits of Op.Pre: the parts a composite op makes before its own.
const (
	// PreDirty: dirty first (every field gdestroy resets set).
	PreDirty uint8 = 1 << iota
	// PreCredit and PreDebt: assist first with +1 or -1.
	PreCredit
	PreDebt
	// preGrowShift: Pre>>preGrowShift is the number of copystack
	// doublings made (growstack) before the exit.
	preGrowShift = iota
)

// maxPreGrow bounds the doublings Op.Pre holds.
const maxPreGrow = 0xFF >> preGrowShift

// PreGrow is the number of growstack parts of a composite op.
func (op Op) PreGrow() int { return int(op.Pre >> preGrowShift) }

// Parts appends to buf the ops a composite op (Pre != 0) makes, in order,
// the op itself (Pre cleared) last; for any other op, the op itself.
func (op Op) Parts(buf []Op) []Op {
	if op.Pre&PreDirty != 0 {
		buf = append(buf, Op{Kind: OpDirty, M: op.M})
	}
	switch {
	case op.Pre&PreCredit != 0:
		buf = append(buf, Op{Kind: OpAssist, M: op.M, N: 1})
	case op.Pre&PreDebt != 0:
		buf = append(buf, Op{Kind: OpAssist, M: op.M, N: -1})
	}
	for range op.PreGrow() {
		buf = append(buf, Op{Kind: OpGrowStack, M: op.M})
	}
	op.Pre = 0
	return append(buf, op)
}

// isGWrite reports whether kind is one of the writes ReduceGWrites moves
// to a G's exit.
func isGWrite(kind OpKind) bool {
	return kind == OpDirty || kind == OpAssist || kind == OpGrowStack
}

// GWritesMoves appends to out the moves of the G-writes reduction for
// ops, the ops Enabled(b) returned in s: every op but dirty, assist and
// growstack, in Enabled's order, each gdestroy (OpExit of a G but main,
// OpGoexit) followed by its composites, one for each combination of the
// writes ops offers its M, made one after another: dirty (offered while a
// field is clear), assist with each value offered (those other than the
// G's), and, when growstack is offered, each number of doublings that
// keeps the stack within b.MaxStack.
func (s *State) GWritesMoves(b Bounds, ops, out []Op) []Op {
	out = out[:0]
	for _, op := range ops {
		if isGWrite(op.Kind) {
			continue
		}
		out = append(out, op)
		if op.Kind != OpExit && op.Kind != OpGoexit || op.M < 0 {
			continue
		}
		m := &s.Ms[op.M]
		g := &s.Gs[m.Curg]
		if op.Kind == OpExit && g.Goid == MainGoid {
			// runtime.main returns: exit(0), no gdestroy reads them.
			continue
		}
		// The writes Enabled offered the M (runningOps holds their
		// rules), as the choices of each part: none or dirty; none, +1
		// or -1; and how many doublings, growstack's rule applied again
		// to the doubled stack.
		dirty, assist := [2]uint8{}, [3]uint8{}
		nd, na, grow := 1, 1, 0
		for _, w := range ops {
			if w.M != op.M {
				continue
			}
			switch {
			case w.Kind == OpDirty:
				dirty[nd], nd = PreDirty, nd+1
			case w.Kind == OpAssist && w.N > 0:
				assist[na], na = PreCredit, na+1
			case w.Kind == OpAssist && w.N < 0:
				assist[na], na = PreDebt, na+1
			case w.Kind == OpGrowStack:
				for st := g.Stack; st < b.MaxStack && grow < maxPreGrow; st *= 2 {
					grow++
				}
			}
		}
		for _, d := range dirty[:nd] {
			for _, a := range assist[:na] {
				for k := range grow + 1 {
					if pre := d | a | uint8(k)<<preGrowShift; pre != 0 {
						c := op
						c.Pre = pre
						out = append(out, c)
					}
				}
			}
		}
	}
	return out
}
