package evidence_test

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/council/register/register"
	"github.com/council/register/register/edit"
	"github.com/council/register/register/evidence"
)

// Adding a file to a case's evidence, as register evidence add does:
// encrypt to the people entitled to it, then record the entry.
func ExampleEncrypt() {
	ctx := context.Background()
	dir := "council-register"
	fsys := os.DirFS(dir)
	reg, _, err := register.Load(ctx, fsys)
	if err != nil {
		panic(err)
	}
	c := reg.Case("INC-2026-0007")
	to, err := evidence.ForCase(fsys, reg, c)
	if err != nil {
		panic(err)
	}
	src, err := os.Open("cctv-still.jpg")
	if err != nil {
		panic(err)
	}
	defer src.Close()
	name := evidence.Name(len(c.Evidence)+1, "cctv-still.jpg") // E01-cctv-still.jpg.pgp
	caseDir := filepath.Join(dir, filepath.Dir(c.Path))
	dst, err := os.Create(filepath.Join(caseDir, "evidence", name))
	if err != nil {
		panic(err)
	}
	now := time.Now()
	sealed, err := evidence.Encrypt(ctx, dst, src, to, now)
	if err != nil {
		panic(err)
	}
	if err := dst.Close(); err != nil {
		panic(err)
	}
	doc, err := os.ReadFile(filepath.Join(dir, c.Path))
	if err != nil {
		panic(err)
	}
	doc, err = edit.Append(doc, "evidence", evidence.NewEntry(name, sealed, c.Investigator, now, "CCTV still of the car park"))
	if err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(dir, c.Path), doc, 0o644); err != nil {
		panic(err)
	}
}
