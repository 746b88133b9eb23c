package checker

import (
	"context"
	"errors"
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
