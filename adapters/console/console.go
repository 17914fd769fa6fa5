// Package console is the terminal transport: it reads lines from an input,
// hands them to the engine as one user's events, and prints the replies as
// plain text. Buttons are numbered: typing [n] presses button n, and so does
// a bare n, unless the bot asked for a typed answer (a quantity, a price, a
// rate), where a bare number is that answer.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/buyerguide/bot/conversation"
)

// Handler is what the console needs of the engine.
type Handler interface {
	Handle(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error)
}

// worder is a Handler that also renders the bot's own words for the user
// (the engine does): the console's hint is then in the user's language.
type worder interface {
	Words(ctx context.Context, userID int64, langCode, id string) string
}

// hintID is the message shown under a question that waits for typed text.
const hintID = "ui.console.hint"

// hintEnglish is the hint when the handler has no words of its own.
const hintEnglish = "✎ Type your answer. To press a button, type its number in brackets, like [1]."

// Console runs one user's conversation on a terminal.
type Console struct {
	Handler Handler
	UserID  int64
	// Lang is passed as the client's language code, as Telegram would.
	Lang string
	In   io.Reader
	Out  io.Writer

	buttons []conversation.Button // the last keyboard shown
	// prompt: the last reply asks for a typed answer, so a bare number
	// is text, and buttons are pressed with [n].
	prompt bool
}

// bracketRE is a button pressed by its number in brackets: [2].
var bracketRE = regexp.MustCompile(`^\[\s*(\d+)\s*\]$`)

// maxLine bounds one input line (a pasted screen fits comfortably).
const maxLine = 1 << 20

// Run shows where the user is, then handles input lines until the input
// ends (nil) or ctx is cancelled.
func (c *Console) Run(ctx context.Context) error {
	if err := c.send(ctx, conversation.Event{Kind: conversation.KindText, Text: "/start"}); err != nil {
		return err
	}
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.In)
		sc.Buffer(make([]byte, 0, 64*1024), maxLine)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if err != nil {
				return fmt.Errorf("console: read: %w", err)
			}
			return nil
		case line := <-lines:
			if err := c.line(ctx, line); err != nil {
				return err
			}
		}
	}
}

// line handles one input line: a button number or text. [n] always
// presses button n; a bare n does too, except where the bot waits for a
// typed answer (then "2" is the quantity 2, not the second button).
func (c *Console) line(ctx context.Context, line string) error {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	number := ""
	if m := bracketRE.FindStringSubmatch(line); m != nil {
		number = m[1]
	} else if !c.prompt {
		number = line
	}
	if n, err := strconv.Atoi(number); err == nil && n >= 1 && n <= len(c.buttons) {
		b := c.buttons[n-1]
		if b.URL != "" {
			_, err := fmt.Fprintf(c.Out, "→ %s\n\n", b.URL)
			return err
		}
		return c.send(ctx, conversation.Event{Kind: conversation.KindButton, Action: b.Action})
	}
	return c.send(ctx, conversation.Event{Kind: conversation.KindText, Text: line})
}

func (c *Console) send(ctx context.Context, ev conversation.Event) error {
	ev.UserID = c.UserID
	ev.LanguageCode = c.Lang
	replies, err := c.Handler.Handle(ctx, ev)
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	for i, r := range replies {
		hint := ""
		if last := i == len(replies)-1; last {
			c.prompt = r.Prompt
			if r.Prompt {
				hint = c.hint(ctx)
			}
		}
		if err := c.print(r, hint); err != nil {
			return err
		}
	}
	return nil
}

// hint is the line under a question that waits for typed text, in the
// user's language when the handler can say it.
func (c *Console) hint(ctx context.Context) string {
	if w, ok := c.Handler.(worder); ok {
		if h := w.Words(ctx, c.UserID, c.Lang, hintID); h != "" && h != hintID {
			return h
		}
	}
	return hintEnglish
}

// print writes one reply: the notice, the title, the text, then the
// buttons one per line, and the hint (if any) last.
func (c *Console) print(r conversation.Reply, hint string) error {
	var b strings.Builder
	if r.Notice != "" {
		fmt.Fprintf(&b, "(%s)\n", r.Notice)
	}
	if r.Title != "" {
		fmt.Fprintf(&b, "== %s ==\n", r.Title)
	}
	if r.Text != "" {
		b.WriteString(r.Text)
		b.WriteString("\n")
	}
	if len(r.Buttons) > 0 {
		c.buttons = c.buttons[:0]
		b.WriteString("\n")
		for _, row := range r.Buttons {
			for _, btn := range row {
				c.buttons = append(c.buttons, btn)
				if btn.URL != "" {
					fmt.Fprintf(&b, "[%d] %s → %s\n", len(c.buttons), btn.Label, btn.URL)
				} else {
					fmt.Fprintf(&b, "[%d] %s\n", len(c.buttons), btn.Label)
				}
			}
		}
	}
	if hint != "" {
		b.WriteString("\n" + hint + "\n")
	}
	b.WriteString("\n")
	if _, err := io.WriteString(c.Out, b.String()); err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	return nil
}
