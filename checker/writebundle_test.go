package checker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wantReplays checks that the bundle at path and its history.json
// reproduce the recorded verdict.
func wantReplays(t *testing.T, path string, o *Outcome) {
	t.Helper()
	for _, p := range []string{path, filepath.Join(path, HistoryFile)} {
		rp, err := ReplayPath(context.Background(), p, 10*time.Second)
		if err != nil {
			t.Fatalf("replay %s: %v", p, err)
		}
		if !rp.Reproduced || rp.Outcome.Verdict != o.Verdict || rp.Outcome.Kind != o.Kind {
			t.Fatalf("replay %s: reproduced %v, %v %s, recorded %v %s", p, rp.Reproduced, rp.Outcome.Verdict, rp.Outcome.Kind, o.Verdict, o.Kind)
		}
	}
}

// wantOnlyBundles checks that out holds exactly the named entries: no
// temporary directory is left behind, in out or beside it.
func wantOnlyBundles(t *testing.T, out string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	var have []string
	for _, e := range ents {
		have = append(have, e.Name())
	}
	if strings.Join(have, " ") != strings.Join(names, " ") {
		t.Fatalf("%s holds %v, want %v", out, have, names)
	}
	if tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".gexit-bundle-*")); len(tmps) != 0 {
		t.Fatalf("temporary directories left beside %s: %v", out, tmps)
	}
}

// TestWriteBundleIntoMountPoint: -out on a filesystem of its own (a
// mount point: a container volume, a tmpfs) gets its bundle. The planted
// rename fails across directories with EXDEV, as rename(2) does across
// filesystems when out is a mount point and its parent is not; the
// bundle's temporary must be inside out.
func TestWriteBundleIntoMountPoint(t *testing.T) {
	o := failingOutcome(t, "deterministic")
	out := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	bundleRename = func(from, to string) error {
		if filepath.Dir(from) != filepath.Dir(to) {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.EXDEV}
		}
		return os.Rename(from, to)
	}
	defer func() { bundleRename = os.Rename }()
	path, err := WriteBundle(out, BundleInfo{Outcome: o})
	if err != nil {
		t.Fatalf("writing a bundle into a mount point: %v", err)
	}
	for _, f := range BundleFiles {
		if st, err := os.Stat(filepath.Join(path, f)); err != nil || st.Size() == 0 {
			t.Fatalf("%s missing or empty: %v", f, err)
		}
	}
	wantOnlyBundles(t, out, "violation-1")
	wantReplays(t, path, o)

	// A rename that fails for good leaves nothing behind.
	bundleRename = func(from, to string) error {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.EXDEV}
	}
	if path, err := WriteBundle(out, BundleInfo{Outcome: o}); err == nil || !errors.Is(err, syscall.EXDEV) {
		t.Fatalf("a failing rename: path %q, err %v", path, err)
	}
	wantOnlyBundles(t, out, "violation-1")
}

// TestWriteBundleOnTmpfs is TestWriteBundleIntoMountPoint on a real
// mount: -out is a tmpfs mounted on a directory of the test's temporary
// directory (root only).
func TestWriteBundleOnTmpfs(t *testing.T) {
	out := mountTmpfs(t)
	o := failingOutcome(t, "deterministic")
	path, err := WriteBundle(out, BundleInfo{Outcome: o})
	if err != nil {
		t.Fatalf("writing a bundle into a tmpfs mount point: %v", err)
	}
	wantOnlyBundles(t, out, "violation-1")
	wantReplays(t, path, o)
}

// mountTmpfs mounts a tmpfs on a new directory of the test's temporary
// directory (root only; the test is skipped where it cannot be done).
func mountTmpfs(t *testing.T, opts ...string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root (the tests that plant the error run everywhere)")
	}
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-t", "tmpfs"}, opts...)
	if msg, err := exec.Command("mount", append(args, "tmpfs", dir)...).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (the tests that plant the error run everywhere): %v: %s", err, msg)
	}
	t.Cleanup(func() {
		if msg, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, msg)
		}
	})
	return dir
}

// TestWriteBundleOnFullTmpfs is TestWriteBundleKeepsDataWhenAReportFails
// on a real full disk: a tmpfs with room for the data files and one page
// more (root only).
func TestWriteBundleOnFullTmpfs(t *testing.T) {
	o := failingOutcome(t, "deterministic")
	caseJSON, _ := MarshalCase(o)
	histJSON, _ := MarshalHistory(HistoryOf(o, nil))
	page := os.Getpagesize()
	pages := func(n int) int { return (n + page - 1) / page }
	size := page * (pages(len(caseJSON)) + pages(len(histJSON)) + 1)
	out := filepath.Join(mountTmpfs(t, "-o", fmt.Sprintf("size=%d", size)), "out")
	path, err := WriteBundle(out, BundleInfo{Outcome: o})
	var ie *IncompleteBundleError
	if path == "" || !errors.As(err, &ie) {
		t.Fatalf("a tmpfs of %d bytes: path %q, err %v: want the bundle and an *IncompleteBundleError", size, path, err)
	}
	t.Logf("%v", err)
	left := map[string]bool{}
	for _, m := range ie.Missing {
		left[m.Part] = true
		if m.Err != syscall.ENOSPC.Error() {
			t.Errorf("%s: why %q, want %q", m.Part, m.Err, syscall.ENOSPC.Error())
		}
	}
	for _, f := range append(BundleFiles, "linearization.html") {
		st, serr := os.Stat(filepath.Join(path, f))
		if left[f] && !errors.Is(serr, os.ErrNotExist) || !left[f] && (serr != nil || st.Size() == 0) {
			t.Errorf("%s: stat %v (left out: %v)", f, serr, left[f])
		}
	}
	wantOnlyBundles(t, out, filepath.Base(path))
	wantReplays(t, path, o)
}

// TestWriteBundleKeepsDataWhenAReportFails: a report file that cannot be
// written (here a full disk, planted after half the file was written)
// does not cost the bundle its data: case.json and history.json are kept
// and replay, the file is left out (not truncated), the others say so,
// and WriteBundle returns the bundle with an *IncompleteBundleError that
// names the file and why.
func TestWriteBundleKeepsDataWhenAReportFails(t *testing.T) {
	o := failingOutcome(t, "deterministic")
	defer func() { bundleWriteFile = os.WriteFile }()
	for _, fail := range [][]string{{"report.json"}, {"report.html"}, {"report.txt"}, {"report.json", "report.html", "report.txt"}} {
		t.Run(strings.Join(fail, "+"), func(t *testing.T) {
			bundleWriteFile = func(name string, data []byte, perm os.FileMode) error {
				for _, f := range fail {
					if filepath.Base(name) == f {
						os.WriteFile(name, data[:len(data)/2], perm)
						return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
					}
				}
				return os.WriteFile(name, data, perm)
			}
			out := t.TempDir()
			path, err := WriteBundle(out, BundleInfo{Outcome: o})
			var ie *IncompleteBundleError
			if path == "" || !errors.As(err, &ie) {
				t.Fatalf("path %q, err %v: want the bundle and an *IncompleteBundleError", path, err)
			}
			var missing []string
			for _, m := range ie.Missing {
				missing = append(missing, m.Part)
				if m.Err != syscall.ENOSPC.Error() {
					t.Errorf("%s: why %q, want %q", m.Part, m.Err, syscall.ENOSPC.Error())
				}
			}
			if strings.Join(missing, " ") != strings.Join(fail, " ") || ie.Dir != path ||
				!strings.Contains(err.Error(), fail[0]) || !strings.Contains(err.Error(), "no space left on device") {
				t.Fatalf("error %q: missing %v, want %v", err, missing, fail)
			}
			for _, f := range BundleFiles {
				_, serr := os.Stat(filepath.Join(path, f))
				left := strings.Contains(strings.Join(fail, " "), f)
				if left && !errors.Is(serr, os.ErrNotExist) || !left && serr != nil {
					t.Errorf("%s: stat %v (left out: %v)", f, serr, left)
				}
			}
			wantOnlyBundles(t, out, filepath.Base(path))
			wantReplays(t, path, o)
			if fail[0] == "report.json" && len(fail) == 1 {
				txt, _ := os.ReadFile(filepath.Join(path, "report.txt"))
				if !strings.Contains(string(txt), "REPORT INCOMPLETE: report.json could not be written: no space left on device") {
					t.Errorf("report.txt does not state the missing report.json:\n%s", txt)
				}
			}
		})
	}
}

// TestWriteBundleLinearizationWriteFails: a linearization.html that
// cannot be written is left out like a report file: report.json
// ("writeErrors") and report.txt say so, and nothing links to it.
func TestWriteBundleLinearizationWriteFails(t *testing.T) {
	o := historyOutcome(t, filepath.Join(browserBundle, HistoryFile))
	if o.Kind != "linearizability" || o.Info == nil {
		t.Fatalf("the committed history: %v %s", o.Verdict, o.Kind)
	}
	defer func() { bundleWriteFile = os.WriteFile }()
	bundleWriteFile = func(name string, data []byte, perm os.FileMode) error {
		if filepath.Base(name) == "linearization.html" {
			return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
		}
		return os.WriteFile(name, data, perm)
	}
	path, err := WriteBundle(t.TempDir(), BundleInfo{Outcome: o})
	var ie *IncompleteBundleError
	if !errors.As(err, &ie) || len(ie.Missing) != 1 || ie.Missing[0].Part != "linearization.html" {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(filepath.Join(path, "linearization.html")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("linearization.html: %v", err)
	}
	var rep struct {
		WriteErrors  []RenderError `json:"writeErrors"`
		RenderErrors []RenderError `json:"renderErrors"`
	}
	data, _ := os.ReadFile(filepath.Join(path, "report.json"))
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.WriteErrors) != 1 || rep.WriteErrors[0].Part != "linearization.html" || len(rep.RenderErrors) != 0 {
		t.Fatalf("report.json: writeErrors %v, renderErrors %v", rep.WriteErrors, rep.RenderErrors)
	}
	txt, _ := os.ReadFile(filepath.Join(path, "report.txt"))
	page, _ := os.ReadFile(filepath.Join(path, "report.html"))
	if !strings.Contains(string(txt), "REPORT INCOMPLETE: linearization.html could not be written") ||
		strings.Contains(string(txt), "the history's timeline") || strings.Contains(string(page), `href="linearization.html"`) {
		t.Fatalf("report.txt:\n%s", txt)
	}
	rp, err := ReplayPath(context.Background(), filepath.Join(path, HistoryFile), 10*time.Second)
	if err != nil || !rp.Reproduced {
		t.Fatalf("replay of history.json: %v %+v", err, rp)
	}
}

// TestWriteBundleDataFailureLeavesNothing: case.json and history.json
// must be written; when one cannot be, WriteBundle fails and out holds
// nothing (the caller keeps the counterexample).
func TestWriteBundleDataFailureLeavesNothing(t *testing.T) {
	o := failingOutcome(t, "deterministic")
	defer func() { bundleWriteFile = os.WriteFile }()
	for _, f := range []string{CaseFile, HistoryFile} {
		bundleWriteFile = func(name string, data []byte, perm os.FileMode) error {
			if filepath.Base(name) == f {
				return &os.PathError{Op: "write", Path: name, Err: syscall.ENOSPC}
			}
			return os.WriteFile(name, data, perm)
		}
		out := t.TempDir()
		if path, err := WriteBundle(out, BundleInfo{Outcome: o}); err == nil || path != "" || !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("%s not written: path %q, err %v", f, path, err)
		}
		wantOnlyBundles(t, out)
	}
}
