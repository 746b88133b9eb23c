package checker

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The loaders must reject any malformed input with an error, never panic;
// what they accept must be judgeable without a panic. The seed corpus is
// in testdata/fuzz/<FuzzName>/ and runs with the normal tests.

func FuzzLoadHistory(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "bundles", "spill-lose-g", HistoryFile)); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), HistoryFile)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		h, err := LoadHistory(p)
		if err != nil {
			return
		}
		if len(h.Events) <= 64 {
			o, err := CheckHistory(context.Background(), h, time.Second)
			if err != nil {
				t.Logf("check: %v", err)
				return
			}
			if o.Kind == "harness-panic" {
				t.Fatalf("judging a loaded history panicked: %s", o.Detail)
			}
		}
	})
}

func FuzzLoadBundle(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("testdata", "bundles", "spill-lose-g", CaseFile)); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, CaseFile), data, 0o644); err != nil {
			t.Fatal(err)
		}
		b, err := LoadBundle(dir)
		if err != nil {
			return
		}
		// What loads must encode back and load again.
		o := &Outcome{Case: b.Case}
		enc, err := MarshalCase(o)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := ParseCase(enc); err != nil {
			t.Fatalf("a loaded case does not load again: %v\n%s", err, enc)
		}
	})
}
