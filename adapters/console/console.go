// Package console is the terminal transport: it reads lines from an input,
// hands them to the engine as one user's events, and prints the replies as
// plain text. Buttons are numbered; typing a number presses that button.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/buyerguide/bot/conversation"
)

// Handler is what the console needs of the engine.
type Handler interface {
	Handle(ctx context.Context, ev conversation.Event) ([]conversation.Reply, error)
}

// Console runs one user's conversation on a terminal.
type Console struct {
	Handler Handler
	UserID  int64
	// Lang is passed as the client's language code, as Telegram would.
	Lang string
	In   io.Reader
	Out  io.Writer

	buttons []conversation.Button // the last keyboard shown
}

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

// line handles one input line: a button number or text.
func (c *Console) line(ctx context.Context, line string) error {
	line = strings.TrimSpace(line)
	if line == "" {
		return nil
	}
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(c.buttons) {
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
	for _, r := range replies {
		if err := c.print(r); err != nil {
			return err
		}
	}
	return nil
}

// print writes one reply: the notice, the title, the text, then the
// buttons one per line.
func (c *Console) print(r conversation.Reply) error {
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
	b.WriteString("\n")
	if _, err := io.WriteString(c.Out, b.String()); err != nil {
		return fmt.Errorf("console: write: %w", err)
	}
	return nil
}
