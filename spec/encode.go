package spec

import (
	"encoding/binary"
	"errors"
	"slices"
)

// AppendBinary appends a compact encoding of s (without its Config) to b.
// The explorer keeps its BFS frontier in this form.
func (s *State) AppendBinary(b []byte) []byte {
	// The G count's low bit: some M holds an allp snapshot (M.AllpLen,
	// rare: one byte per M follows the Ms' words).
	allp := uint64(0)
	for i := range s.Ms {
		if s.Ms[i].AllpLen != 0 {
			allp = 1
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s.Gs))<<1|allp)
	for i := range s.Gs {
		g := &s.Gs[i]
		b = binary.LittleEndian.AppendUint64(b, packG(g))
		if brokenStack(g.Stack) {
			b = binary.AppendVarint(b, int64(g.Stack)) // (packG kept its log2 only)
		}
		b = binary.AppendUvarint(b, uint64(g.Goid))
	}
	for i := range s.Ms {
		m := &s.Ms[i]
		b = binary.LittleEndian.AppendUint64(b, packM(m))
		b = binary.LittleEndian.AppendUint64(b, packM2(m))
		b = binary.LittleEndian.AppendUint64(b, packM3(m))
	}
	if allp != 0 {
		for i := range s.Ms {
			b = append(b, byte(s.Ms[i].AllpLen))
		}
	}
	for i := range s.Ps {
		p := &s.Ps[i]
		b = append(b, byte(p.Status), byte(p.M), byte(p.Link), byte(b2u(p.StartSpinning)|uint64(p.Handoff)<<1), byte(p.OldM))
		b = binary.AppendVarint(b, int64(p.Runnext))
		b = binary.AppendVarint(b, int64(p.Kicked))
		b = binary.AppendUvarint(b, uint64(p.SchedTick))
		b = binary.AppendUvarint(b, uint64(p.GoidCache))
		b = binary.AppendUvarint(b, uint64(p.GoidEnd))
		b = binary.AppendUvarint(b, uint64(p.GFreeSize))
		b = appendList(b, p.Ring)
		b = appendList(b, p.GFree)
		b = appendList(b, p.SlowBatch)
		b = appendList(b, p.Held)
	}
	sc := &s.Sched
	b = appendList(b, sc.Runq)
	b = appendList(b, sc.GFreeStack)
	b = appendList(b, sc.GFreeNoStack)
	b = appendList(b, sc.GFreeDetached)
	b = binary.AppendVarint(b, int64(sc.GFreeStackSize))
	b = binary.AppendVarint(b, int64(sc.GFreeNoStackSize))
	b = binary.AppendVarint(b, int64(sc.NGSys))
	b = binary.AppendVarint(b, sc.BgScanCredit)
	b = binary.AppendUvarint(b, uint64(sc.StartingStackSize))
	b = binary.AppendUvarint(b, uint64(sc.Goidgen))
	b = binary.AppendUvarint(b, uint64(sc.GoMaxProcs))
	b = append(b, byte(b2u(sc.GCBlacken)|b2u(sc.MainGoexit)<<1|b2u(sc.FreeGStacksDone)<<2|b2u(sc.NeedSpinning)<<3|b2u(sc.CtlWakeP)<<4|b2u(sc.CtlWaking)<<5|b2u(sc.GCWaiting)<<6|b2u(sc.RetakeP != None || sc.RetakeM != None)<<7), byte(sc.Terminal), byte(sc.Pidle), byte(sc.Midle), byte(sc.CtlStartmP))
	if sc.RetakeP != None || sc.RetakeM != None {
		b = append(b, byte(sc.RetakeP), byte(sc.RetakeM))
	}
	b = binary.AppendUvarint(b, uint64(sc.NMSpinning))
	return b
}

func appendList(b []byte, l []int32) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, g := range l {
		b = binary.AppendUvarint(b, uint64(g))
	}
	return b
}

var errCorrupt = errors.New("spec: corrupt state encoding")

type decoder struct {
	b   []byte
	err error
}

// uvarint decodes a uvarint as binary.Uvarint does, without its
// per-call overhead: most of a state's fields are one byte.
func (d *decoder) uvarint() uint64 {
	b := d.b
	var x uint64
	var sh uint
	for i, c := range b {
		if c < 0x80 {
			if i == binary.MaxVarintLen64-1 && c > 1 {
				break // overflow
			}
			d.b = b[i+1:]
			return x | uint64(c)<<sh
		}
		if i == binary.MaxVarintLen64-1 {
			break // overflow
		}
		x |= uint64(c&0x7f) << sh
		sh += 7
	}
	d.err = errCorrupt
	d.b = nil
	return 0
}

// varint decodes a zigzag varint, as binary.Varint.
func (d *decoder) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.err = errCorrupt
		d.b = nil
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) byte1() byte {
	if len(d.b) < 1 {
		d.err = errCorrupt
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// emptyList decodes an empty list (most of a state's lists are) into
// *l, in arena at *off, as list would, and reports whether it did; it
// leaves every other list to list. (list's call cost more than an empty
// list's decoding: emptyList is inlined.)
func (d *decoder) emptyList(arena []int32, off *int, l *[]int32) bool {
	if b := d.b; len(b) > 0 && b[0] == 0 && *off+listSlack <= len(arena) {
		d.b = b[1:]
		*l = arena[*off : *off : *off+listSlack]
		*off += listSlack
		return true
	}
	return false
}

func (d *decoder) list(arena []int32, off *int) []int32 {
	var n int
	if b := d.b; len(b) > 0 && b[0] < 0x80 { // a short list's length
		n = int(b[0])
		d.b = b[1:]
	} else {
		n = int(d.uvarint())
	}
	if n > len(d.b) {
		d.err = errCorrupt
		return nil
	}
	var l []int32
	if *off+n+listSlack <= len(arena) {
		l = arena[*off : *off+n : *off+n+listSlack]
	} else {
		l = make([]int32, n, n+listSlack)
	}
	for i := range l {
		if b := d.b; len(b) > 0 && b[0] < 0x80 { // one byte: a G's index
			l[i] = int32(b[0])
			d.b = b[1:]
			continue
		}
		l[i] = int32(d.uvarint())
	}
	*off += n + listSlack
	return l
}

// DecodeFrom makes s the state encoded at the start of b by AppendBinary
// under cfg, reusing s's memory, and returns the rest of b.
func (s *State) DecodeFrom(cfg *Config, b []byte) ([]byte, error) {
	d := decoder{b: b}
	s.Cfg = cfg
	ng0 := d.uvarint()
	ng, allp := int(ng0>>1), ng0&1 != 0
	if ng > len(b) {
		return nil, errCorrupt
	}
	// The Gs and Ms are written in place (an append of each built it
	// first and copied it); on an error the lists keep those decoded.
	s.Gs = slices.Grow(s.Gs[:0], ng)[:ng]
	for i := range ng {
		if d.err != nil {
			s.Gs = s.Gs[:i]
			break
		}
		w := d.u64()
		g := &s.Gs[i]
		*g = G{Status: Status(w), M: int8(w >> 8), LockedM: int8(w >> 16), Cleared: uint16(w >> 24),
			GCAssist: int8(w >> 40), System: w>>48&1 != 0}
		switch tz := w >> 49 & 63; {
		case w>>55&1 != 0:
			g.Stack = int32(d.varint())
		case tz < 32:
			g.Stack = 1 << tz
		}
		g.Goid = int64(d.uvarint())
	}
	s.Ms = slices.Grow(s.Ms[:0], cfg.Ms)[:cfg.Ms]
	for i := range cfg.Ms {
		if d.err != nil {
			s.Ms = s.Ms[:i]
			break
		}
		w, w2, w3 := d.u64(), d.u64(), d.u64()
		s.Ms[i] = M{Curg: int32(uint32(w)), P: int8(w >> 32), OldP: int8(w >> 40),
			LockedExt: uint8(w >> 48), LockedInt: uint8(w >> 56),
			LockedG: int32(uint32(w2)), NewG: int32(w2>>32&0xFFFFFF) - 1, YieldSlow: w2>>56&1 != 0, RecheckRunqs: w2>>57&1 != 0, StaleGCRead: w2>>58&1 != 0, StealWork: w2>>59&1 != 0,
			SpinClear: w2>>60&1 != 0, GCStopping: w2>>61&1 != 0, Exited: w2>>62&1 != 0, Wedged: w2>>63 != 0,
			Spinning: w3&1 != 0, Parked: w3&2 != 0, Recheck: w3&4 != 0, WakeP: w3&8 != 0, Stopping: w3&16 != 0, Waking: w3&32 != 0, StopLocked: w3&64 != 0, Mexiting: w3&128 != 0, NextP: int8(w3 >> 8), Link: int8(w3 >> 16),
			Handing: int32(w3>>24&0x3FFFFF) - 1, SpinP: int8(w3 >> 46), StartmP: int8(w3 >> 54), Mfreed: w3>>62&1 != 0, StealTail: w3>>63 != 0}
	}
	if allp {
		for i := range s.Ms {
			s.Ms[i].AllpLen = int8(d.byte1())
		}
	}
	// Lists: an arena sized generously from the encoding's length.
	need := 2*ng + (4*cfg.Ps+4)*listSlack
	if cap(s.arena) < need {
		s.arena = make([]int32, 2*need)
	}
	arena := s.arena[:cap(s.arena)]
	off := 0
	if cap(s.Ps) < cfg.Ps {
		s.Ps = make([]P, cfg.Ps)
	}
	s.Ps = s.Ps[:cfg.Ps]
	for i := range s.Ps {
		p := &s.Ps[i]
		p.Status = PStatus(d.byte1())
		p.M = int8(d.byte1())
		p.Link = int8(d.byte1())
		f := d.byte1()
		p.StartSpinning, p.Handoff = f&1 != 0, HandoffStep(f>>1)
		p.OldM = int8(d.byte1())
		p.Runnext = int32(d.varint())
		p.Kicked = int32(d.varint())
		p.SchedTick = uint32(d.uvarint())
		p.GoidCache = int64(d.uvarint())
		p.GoidEnd = int64(d.uvarint())
		p.GFreeSize = int32(d.uvarint())
		for _, l := range [...]*[]int32{&p.Ring, &p.GFree, &p.SlowBatch, &p.Held} {
			if !d.emptyList(arena, &off, l) {
				*l = d.list(arena, &off)
			}
		}
	}
	sc := &s.Sched
	for _, l := range [...]*[]int32{&sc.Runq, &sc.GFreeStack, &sc.GFreeNoStack, &sc.GFreeDetached} {
		if !d.emptyList(arena, &off, l) {
			*l = d.list(arena, &off)
		}
	}
	sc.GFreeStackSize = int32(d.varint())
	sc.GFreeNoStackSize = int32(d.varint())
	sc.NGSys = int32(d.varint())
	sc.BgScanCredit = d.varint()
	sc.StartingStackSize = int32(d.uvarint())
	sc.Goidgen = int64(d.uvarint())
	sc.GoMaxProcs = int32(d.uvarint())
	f := d.byte1()
	sc.GCBlacken, sc.MainGoexit, sc.FreeGStacksDone, sc.NeedSpinning = f&1 != 0, f&2 != 0, f&4 != 0, f&8 != 0
	sc.CtlWakeP, sc.CtlWaking, sc.GCWaiting = f&16 != 0, f&32 != 0, f&64 != 0
	sc.Terminal = Terminal(d.byte1())
	sc.Pidle = int8(d.byte1())
	sc.Midle = int8(d.byte1())
	sc.CtlStartmP = int8(d.byte1())
	sc.RetakeP, sc.RetakeM = None, None
	if f&128 != 0 {
		sc.RetakeP, sc.RetakeM = int8(d.byte1()), int8(d.byte1())
	}
	sc.NMSpinning = int32(d.uvarint())
	if d.err != nil {
		return nil, d.err
	}
	return d.b, nil
}
