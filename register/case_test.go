package register

import (
	"regexp"
	"strconv"
	"testing"
)

// idGrammar is the form ParseID reads by hand, as a regular expression.
var idGrammar = regexp.MustCompile(`^([A-Z][A-Z0-9]{0,9})-(\d{4})-(\d{4,6})$`)

// parseIDByGrammar is ParseID as the regular expression says it.
func parseIDByGrammar(id string) (prefix string, year, number int, ok bool) {
	m := idGrammar.FindStringSubmatch(id)
	if m == nil {
		return "", 0, 0, false
	}
	year, _ = strconv.Atoi(m[2])
	number, _ = strconv.Atoi(m[3])
	if year < 1990 || year > 2200 {
		return "", 0, 0, false
	}
	return m[1], year, number, true
}

func checkParseID(t *testing.T, id string) {
	t.Helper()
	p, y, n, err := ParseID(id)
	wp, wy, wn, ok := parseIDByGrammar(id)
	if (err == nil) != ok || p != wp || y != wy || n != wn {
		t.Errorf("ParseID(%q) = %q, %d, %d, %v; the grammar says %q, %d, %d, ok %v", id, p, y, n, err, wp, wy, wn, ok)
	}
}

func TestParseID(t *testing.T) {
	for _, id := range []string{
		"INC-2026-0007", "INC-2026-123456", "A-1990-0000", "ABCDEFGHIJ-2200-9999", "X9-2024-00001",
		"", "-", "--", "INC", "INC-2026", "INC-2026-", "INC-2026-007", "INC-2026-1234567", "inc-2026-0007",
		"9NC-2026-0007", "ABCDEFGHIJK-2026-0007", "INC-226-0007", "INC-20260-0007", "INC-1989-0007",
		"INC-2201-0007", "INC-2026-0007-1", "INC-2026-0007\n", " INC-2026-0007", "INC_2026_0007",
		"INC-2O26-0007", "INC-2026-00O7", "INC--2026-0007", "IN-C-2026-0007", "INC-٢٠٢٦-0007",
		"INC-2026-+007", "INC-+026-0007", "INÇ-2026-0007",
	} {
		checkParseID(t, id)
	}
	p, y, n, err := ParseID("INC-2026-0007")
	if p != "INC" || y != 2026 || n != 7 || err != nil {
		t.Errorf("ParseID(INC-2026-0007) = %q, %d, %d, %v", p, y, n, err)
	}
	if _, _, _, err := ParseID("INC-2026-7"); err == nil || err.Error() != `case id "INC-2026-7" is not of the form PREFIX-YYYY-NNNN, like INC-2026-0007` {
		t.Errorf("ParseID(INC-2026-7) error = %v", err)
	}
	if _, _, _, err := ParseID("INC-1900-0007"); err == nil || err.Error() != `case id "INC-1900-0007": year 1900 is out of range` {
		t.Errorf("ParseID(INC-1900-0007) error = %v", err)
	}
}

func FuzzParseID(f *testing.F) {
	for _, id := range []string{"INC-2026-0007", "A-1990-000000", "INC-2026-7", "X--1-2"} {
		f.Add(id)
	}
	f.Fuzz(checkParseID)
}
