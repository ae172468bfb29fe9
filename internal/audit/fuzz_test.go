package audit

import "testing"

func memChain(n int) ([]Entry, Head) {
	var es []Entry
	prev := GenesisHash
	for i := 1; i <= n; i++ {
		e := sampleEntry(i)
		e.Seq, e.PrevHash = int64(i), prev
		e.Verification, _ = compactJSON("v", e.Verification)
		e.Timings, _ = compactJSON("t", e.Timings)
		e.Hash = ComputeHash(e)
		prev = e.Hash
		es = append(es, e)
	}
	return es, Head{Seq: int64(n), Hash: prev}
}

// FuzzVerifyMutation applies one fuzz-chosen tampering to an intact chain
// (as it would read back from the database, sorted by seq) and checks that
// analyse reports it, never panics, and names a seq inside the log.
func FuzzVerifyMutation(f *testing.F) {
	for op := byte(0); op < 5; op++ {
		f.Add(op, uint8(2), uint8(3), "forged")
	}
	f.Fuzz(func(t *testing.T, op, a, b uint8, text string) {
		es, head := memChain(6)
		i, j := int(a)%len(es), int(b)%len(es)
		switch op % 5 {
		case 0: // edit a field
			if es[i].Operator == text {
				return
			}
			es[i].Operator = text
		case 1: // delete one entry
			es = append(es[:i:i], es[i+1:]...)
		case 2: // swap two entries' positions
			if i == j {
				return
			}
			es[i], es[j] = es[j], es[i]
			es[i].Seq, es[j].Seq = es[j].Seq, es[i].Seq
		case 3: // delete and renumber
			es = append(es[:i:i], es[i+1:]...)
			for k := i; k < len(es); k++ {
				es[k].Seq--
			}
		case 4: // insert a forged entry before i and renumber
			forged := es[i]
			forged.KeyARN = text
			forged.Hash = ComputeHash(forged)
			es = append(es[:i:i], append([]Entry{forged}, es[i:]...)...)
			for k := i + 1; k < len(es); k++ {
				es[k].Seq++
			}
		}
		probs := analyse(es, head)
		if len(probs) == 0 {
			t.Fatalf("op %d (%d,%d,%q) not detected", op%5, i, j, text)
		}
		if s := probs[0].Seq; s < 1 || s > 8 {
			t.Fatalf("first problem names seq %d outside the log: %v", s, probs[0])
		}
	})
}
