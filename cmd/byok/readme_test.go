package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestExitCodeTable holds README.md to the exit-code table in exitcodes.go
// and to the command registry: every row is in the README as the code has
// it, and every registered command is in its command table.
func TestExitCodeTable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	for _, row := range exitMeaning {
		if line := fmt.Sprintf("| %d | %s |", row.Code, row.Meaning); !strings.Contains(readme, line) {
			t.Errorf("README.md lacks the exit-code row\n%s", line)
		}
	}
	for _, name := range commandNames() {
		if !strings.Contains(readme, "`"+name) {
			t.Errorf("README.md's command table does not name %q", name)
		}
	}
	var findingsRow string
	for _, row := range exitMeaning {
		if row.Code == exitFindings {
			findingsRow = row.Meaning
		}
	}
	for _, c := range commands {
		if c.Findings != "" && !strings.Contains(findingsRow, "`"+c.Name) {
			t.Errorf("%s exits 2 (%s) but the exit-code table's row 2 does not name it", c.Name, c.Findings)
		}
	}
}
