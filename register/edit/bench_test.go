package edit

import (
	"testing"

	"github.com/council/register/register"
)

func BenchmarkSetStatus(b *testing.B) {
	doc := []byte(propertyCases[0])
	for b.Loop() {
		if _, err := Set(doc, "status", "resolved"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendUpdate(b *testing.B) {
	doc := []byte(propertyCases[0])
	u := register.Update{At: at, By: "alice", To: "reporter", Note: "All done."}
	for b.Loop() {
		if _, err := Append(doc, "updates", u); err != nil {
			b.Fatal(err)
		}
	}
}
