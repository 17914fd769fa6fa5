package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConsoleModeRunsToEndOfInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bot.db")
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"-db", db, "-user", "5"}, env(nil), strings.NewReader("1\n/progress\n"), &out, &errs)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errs.String())
	}
	if !strings.Contains(out.String(), "== Your progress ==") {
		t.Errorf("output:\n%s", out.String())
	}
	// A second run of the same user continues where the first stopped.
	out.Reset()
	code = run(context.Background(), []string{"-user", "5"}, env(map[string]string{"DATABASE_PATH": db}), strings.NewReader(""), &out, &errs)
	if code != 0 || !strings.Contains(out.String(), "Welcome back") {
		t.Fatalf("exit %d, output:\n%s", code, out.String())
	}
}

func TestConfigFlagsWinOverEnvironment(t *testing.T) {
	var errs bytes.Buffer
	c, err := parseConfig([]string{"-db", "flag.db"}, env(map[string]string{
		"DATABASE_PATH": "env.db", "CONSOLE_USER": "9", "CONSOLE_LANG": "ru", "LOG_FORMAT": "json",
	}), &errs)
	if err != nil {
		t.Fatal(err)
	}
	if c.DBPath != "flag.db" || c.UserID != 9 || c.Lang != "ru" || c.LogFormat != "json" {
		t.Errorf("config %+v", c)
	}
}

func TestBadConfigIsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"-user", "0"},
		{"-user", "abc"},
		{"-log-level", "loud"},
		{"-log-format", "xml"},
		{"-db", ""},
		{"stray"},
	} {
		var errs bytes.Buffer
		if code := run(context.Background(), args, env(nil), strings.NewReader(""), &bytes.Buffer{}, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
