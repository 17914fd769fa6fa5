// Package locales holds every sentence a user sees, as go-i18n message
// files (guide.<lang>.toml for the guide, ui.<lang>.toml for the bot's own
// words), and matches a user's language to the ones the bot has.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

//go:embed *.toml
var files embed.FS

// Source is the language every other one is translated from.
var Source = language.English

// Catalog is the loaded bundle with one localizer per language. It is
// built once at start and read-only afterwards, so it is safe for
// concurrent use.
type Catalog struct {
	bundle     *i18n.Bundle
	tags       []language.Tag
	matcher    language.Matcher
	localizers map[string]*i18n.Localizer
	decimal    map[string]string // language → decimal sign
}

// Load reads every embedded message file.
func Load() (*Catalog, error) {
	return LoadFS(files)
}

// LoadFS reads every *.toml message file at the top of fsys.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	b := i18n.NewBundle(Source)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := b.LoadMessageFileFS(fsys, n); err != nil {
			return nil, fmt.Errorf("locales: %s: %w", n, err)
		}
	}
	c := &Catalog{bundle: b, localizers: map[string]*i18n.Localizer{}, decimal: map[string]string{}}
	// English first: the matcher falls back to the first tag.
	c.tags = append(c.tags, Source)
	for _, t := range b.LanguageTags() {
		if t != Source {
			c.tags = append(c.tags, t)
		}
	}
	c.matcher = language.NewMatcher(c.tags)
	for _, t := range c.tags {
		c.localizers[t.String()] = i18n.NewLocalizer(b, t.String())
		c.decimal[t.String()] = decimalSign(t.String())
	}
	return c, nil
}

// Languages lists the languages the bot speaks, English first.
func (c *Catalog) Languages() []language.Tag {
	return append([]language.Tag(nil), c.tags...)
}

// Match picks the best language the bot has for a user: their explicit
// choice first, then the client's language code; English when nothing
// matches. The result is one of Languages(), as a string.
//
// Matching follows CLDR (golang.org/x/text/language), fallbacks included:
// a language whose speakers usually also read one of ours gets that one
// (be, kk, ky, tg, tk, uz, az, hy, mn → Russian; gl, eu → Spanish; lb,
// gsw → German; br, oc → French; ku → Turkish; ckb → Arabic; jv, su →
// Indonesian). Ukrainian has no such fallback and gets English.
func (c *Catalog) Match(choice, code string) string {
	for _, s := range []string{choice, code} {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t, err := language.Parse(s)
		if err != nil {
			continue
		}
		_, i, conf := c.matcher.Match(t)
		if conf == language.No {
			continue
		}
		return c.tags[i].String()
	}
	return Source.String()
}

// Speaks reports whether lang is one of Languages(). The empty choice
// ("follow the client's language") is not a language.
func (c *Catalog) Speaks(lang string) bool {
	_, ok := c.localizers[lang]
	return ok
}

// Localizer returns the localizer of a language returned by Match.
func (c *Catalog) Localizer(lang string) *i18n.Localizer {
	if l, ok := c.localizers[lang]; ok {
		return l
	}
	return c.localizers[Source.String()]
}

// Text renders a message in a language. A missing message is a content
// bug: it renders as the message ID so the screen still works, and the
// catalogue tests make sure it never ships.
func (c *Catalog) Text(lang, id string, data map[string]any) string {
	s, err := c.Localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Plural renders a message with plural forms chosen by count.
func (c *Catalog) Plural(lang, id string, count int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	s, err := c.Localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return id
	}
	return s
}

// Numbers. Every number the bot writes (quantities, amounts, rates) goes
// through Group or Decimal, so one language writes them one way: digits
// always 0-9 (-u-nu-latn: the texts, the 1688 pages and the WorldFirst
// portal all use them, and one text must not mix two digit systems), and
// the grouping and decimal signs CLDR gives that language for those
// digits (golang.org/x/text/number). Arabic with Latin digits is
// 1,234.50, as CLDR's "latn" symbols for Arabic say: never a Latin comma
// beside an Arabic decimal sign.

// printer returns the number printer of a language, with Latin digits.
func printer(lang string) *message.Printer {
	return message.NewPrinter(language.Make(lang + "-u-nu-latn"))
}

// Group writes an integer with the language's digit grouping: 1,234,567
// in English, 1 234 567 in Russian, 1.234.567 in German.
func (c *Catalog) Group(lang string, n int64) string {
	return printer(lang).Sprint(number.Decimal(n))
}

// decimalSign returns the language's decimal sign for Latin digits: "."
// or ",". It is read from how x/text writes one half; the float is a
// probe, never an amount.
func (c *Catalog) decimalSign(lang string) string {
	if s, ok := c.decimal[lang]; ok {
		return s
	}
	return decimalSign(lang)
}

func decimalSign(lang string) string {
	s := printer(lang).Sprint(number.Decimal(0.5, number.Scale(1)))
	s = strings.TrimSuffix(strings.TrimPrefix(s, "0"), "5")
	if s == "" {
		return "."
	}
	return s
}

// Decimal writes units / 10^places exactly (no float), with the
// language's grouping and decimal sign and all the places given:
// Decimal("de", 123450, 2) is "1.234,50", Decimal("en", 5456, 3) is
// "5.456", Decimal("ja", 2106, 0) is "2,106".
func (c *Catalog) Decimal(lang string, units int64, places int) string {
	if places <= 0 {
		return c.Group(lang, units)
	}
	sign := ""
	if units < 0 {
		sign, units = "-", -units
	}
	scale := int64(1)
	for range places {
		scale *= 10
	}
	return sign + c.Group(lang, units/scale) + c.decimalSign(lang) + fmt.Sprintf("%0*d", places, units%scale)
}

// Has reports whether the source language defines a message.
func (c *Catalog) Has(id string) bool {
	_, err := c.Localizer(Source.String()).Localize(&i18n.LocalizeConfig{MessageID: id})
	return err == nil
}
